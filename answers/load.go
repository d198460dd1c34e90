package answers

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/input"
)

// maxFileSize bounds what Load reads: an answers file is a few kilobytes.
const maxFileSize = 8 << 20

// pos is a position in the loaded file.
type pos struct{ line, col int }

// New returns an empty answers file for the checklist id, to be saved at path.
func New(path, checklistID string) *File {
	return &File{Schema: SchemaID, Checklist: checklistID, Controls: map[string]*Control{}, Path: path}
}

// Load reads an answers file; a missing file is an error (use New for a
// fresh one; IsNotExist tells the two apart). Problems in the file are
// returned together as *Errors, each FILE:LINE:COL: field: msg; use LoadFor
// to check the answers against the checklist in the same pass.
func Load(path string) (*File, error) {
	data, err := input.ReadFile(path, maxFileSize)
	if err != nil {
		return nil, err
	}
	f, err := Parse(path, data)
	if f != nil {
		f.disk = sha256.Sum256(data)
	}
	return f, err
}

// Parse decodes answers from data; name is used in error positions.
func Parse(name string, data []byte) (*File, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, errList{input.YAMLError(name, data, err)}.err()
	}
	p := &parser{name: name, f: &File{Schema: SchemaID, Controls: map[string]*Control{}, Path: name, pos: map[string]pos{}}}
	if len(doc.Content) == 0 {
		p.errf(&yaml.Node{Line: 1, Column: 1}, "", "file is empty; expected schema: %s", SchemaID)
		return nil, p.errs.err()
	}
	p.f.comments = collectComments(&doc)
	p.file(doc.Content[0])
	// With errors, the file is still returned as far as it was understood,
	// so LoadFor can report checklist problems in the same pass.
	return p.f, p.errs.err()
}

// LoadFor loads an answers file and validates it against the checklist,
// reporting the problems of both steps together, in file order.
func LoadFor(path string, cl *checklist.Checklist) (*File, error) {
	f, err := Load(path)
	var loadErrs *Errors
	if err != nil && (f == nil || !errors.As(err, &loadErrs)) {
		return nil, err
	}
	verr := Validate(f, cl)
	if loadErrs == nil {
		if verr != nil {
			return nil, verr
		}
		return f, nil
	}
	list := append([]Error(nil), loadErrs.List...)
	var ve *Errors
	if errors.As(verr, &ve) {
		seen := map[string]bool{}
		for _, e := range list {
			seen[e.Path] = true
		}
		for _, e := range ve.List {
			if !seen[e.Path] {
				list = append(list, e)
			}
		}
	}
	checklist.SortErrors(list)
	return nil, &Errors{List: list}
}

type parser struct {
	name string
	f    *File
	errs errList
}

func (p *parser) errf(n *yaml.Node, field, format string, a ...any) {
	p.errs = append(p.errs, Error{File: p.name, Line: n.Line, Col: n.Column, Path: field, Msg: fmt.Sprintf(format, a...)})
}

// fields walks a mapping (input.Fields), recording where each known
// field is (validation's errors point at it).
func (p *parser) fields(n *yaml.Node, path string, known map[string]func(key, val *yaml.Node)) {
	located := make(map[string]func(k, v *yaml.Node), len(known))
	for name, h := range known {
		located[name] = func(k, v *yaml.Node) {
			p.f.pos[input.JoinPath(path, name)] = pos{v.Line, v.Column}
			h(k, v)
		}
	}
	input.Fields(n, path, p.errf, located)
}

func (p *parser) file(root *yaml.Node) {
	root = input.Deref(root)
	var schemaSeen, checklistSeen bool
	p.fields(root, "", map[string]func(k, v *yaml.Node){
		"schema": func(k, v *yaml.Node) {
			schemaSeen = true
			if s, ok := p.str(v, "schema"); ok && s != SchemaID {
				p.errf(v, "schema", "must be %q, got %q", SchemaID, s)
			}
			p.f.Schema = SchemaID
		},
		"checklist": func(k, v *yaml.Node) {
			checklistSeen = true
			if s, ok := p.str(v, "checklist"); ok {
				if s == "" {
					p.errf(v, "checklist", "must name the checklist id")
				}
				p.f.Checklist = s
				p.f.pos["checklist"] = pos{v.Line, v.Column}
			}
		},
		"controls": func(k, v *yaml.Node) {
			if v.Tag == "!!null" {
				return
			}
			if v.Kind != yaml.MappingNode {
				p.errf(v, "controls", "expected a mapping of control id to answers, got %s", input.KindName(v))
				return
			}
			seen := map[string]bool{}
			for i := 0; i+1 < len(v.Content); i += 2 {
				ck, cv := v.Content[i], input.Deref(v.Content[i+1])
				field := "controls." + ck.Value
				if seen[ck.Value] {
					p.errf(ck, field, "duplicate control")
					continue
				}
				seen[ck.Value] = true
				p.f.pos[field] = pos{ck.Line, ck.Column}
				p.f.Controls[ck.Value] = p.control(cv, field)
			}
		},
	})
	if root.Kind == yaml.MappingNode {
		if !schemaSeen {
			p.errf(root, "schema", "missing; the first line should be schema: %s", SchemaID)
		}
		if !checklistSeen {
			p.errf(root, "checklist", "missing; name the checklist id the answers are for (e.g. checklist: finhub)")
		}
	}
}

func (p *parser) control(n *yaml.Node, path string) *Control {
	c := &Control{}
	if n.Tag == "!!null" {
		return c
	}
	p.fields(n, path, map[string]func(k, v *yaml.Node){
		"answers": func(k, v *yaml.Node) {
			if v.Tag == "!!null" {
				return
			}
			if v.Kind != yaml.MappingNode {
				p.errf(v, path+".answers", "expected a mapping of question id to answer, got %s", input.KindName(v))
				return
			}
			c.Answers = map[string]any{}
			for i := 0; i+1 < len(v.Content); i += 2 {
				qk, qv := v.Content[i], input.Deref(v.Content[i+1])
				field := path + ".answers." + qk.Value
				if _, dup := c.Answers[qk.Value]; dup {
					p.errf(qk, field, "duplicate question")
					continue
				}
				p.f.pos[field] = pos{qv.Line, qv.Column}
				if val, ok := p.answer(qv, field); ok && val != nil {
					c.Answers[qk.Value] = val
				}
			}
		},
		"not_applicable": func(k, v *yaml.Node) { c.NotApplicable = p.text(v, path+".not_applicable") },
		"note":           func(k, v *yaml.Node) { c.Note = p.text(v, path+".note") },
		"owner":          func(k, v *yaml.Node) { c.Owner = p.text(v, path+".owner") },
		"answered_by":    func(k, v *yaml.Node) { c.AnsweredBy = p.text(v, path+".answered_by") },
		"due": func(k, v *yaml.Node) {
			c.Due = p.text(v, path+".due")
			if c.Due != "" && !IsDate(c.Due) {
				p.errf(v, path+".due", "must be a date YYYY-MM-DD, got %q", c.Due)
			}
		},
		"answered_at": func(k, v *yaml.Node) {
			s := p.text(v, path+".answered_at")
			if s == "" {
				return
			}
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				if d, derr := time.Parse(time.DateOnly, s); derr == nil {
					t, err = d, nil
				}
			}
			if err != nil {
				p.errf(v, path+".answered_at", "must be a timestamp like 2026-01-31T14:05:00Z, got %q", s)
				return
			}
			c.AnsweredAt = t
		},
		"review_response": func(k, v *yaml.Node) { c.ReviewResponse = p.reviewResponse(v, path+".review_response") },
		"false_positives": func(k, v *yaml.Node) {
			field := path + ".false_positives"
			if v.Tag == "!!null" {
				return
			}
			if v.Kind != yaml.SequenceNode {
				p.errf(v, field, "expected a list of {fingerprint, justification}, got %s", input.KindName(v))
				return
			}
			for i, e := range v.Content {
				e = input.Deref(e)
				ef := fmt.Sprintf("%s[%d]", field, i)
				var fp FalsePositive
				p.fields(e, ef, map[string]func(k, v *yaml.Node){
					"fingerprint":   func(k, v *yaml.Node) { fp.Fingerprint = p.text(v, ef+".fingerprint") },
					"justification": func(k, v *yaml.Node) { fp.Justification = p.text(v, ef+".justification") },
				})
				if e.Kind != yaml.MappingNode {
					continue
				}
				if fp.Fingerprint == "" {
					p.errf(e, ef+".fingerprint", "required: the finding's fingerprint (results.json findings[].fingerprint)")
				}
				if fp.Justification == "" {
					p.errf(e, ef+".justification", "required: why the finding is not real")
				}
				c.FalsePositives = append(c.FalsePositives, fp)
			}
		},
		"evidence":              func(k, v *yaml.Node) { c.Evidence = p.paths(v, path+".evidence") },
		"evidence_with_secrets": func(k, v *yaml.Node) { c.EvidenceWithSecrets = p.paths(v, path+".evidence_with_secrets") },
	})
	return c
}

// reviewResponse reads a control's review_response: {kind, text, date, owner}.
func (p *parser) reviewResponse(n *yaml.Node, path string) *ReviewResponse {
	if n.Tag == "!!null" {
		return nil
	}
	r := &ReviewResponse{}
	badKind := false
	p.fields(n, path, map[string]func(k, v *yaml.Node){
		"kind": func(k, v *yaml.Node) {
			r.Kind = p.text(v, path+".kind")
			switch r.Kind {
			case RespFixed, RespWillFix, RespDisputed, RespAnswered:
			default:
				p.errf(v, path+".kind", "%q is not one of fixed, will-fix, disputed, answered", r.Kind)
				badKind = true
			}
		},
		"text":  func(k, v *yaml.Node) { r.Text = p.text(v, path+".text") },
		"owner": func(k, v *yaml.Node) { r.Owner = p.text(v, path+".owner") },
		"date": func(k, v *yaml.Node) {
			r.Date = p.text(v, path+".date")
			if r.Date != "" && !IsDate(r.Date) {
				p.errf(v, path+".date", "must be a date YYYY-MM-DD, got %q", r.Date)
			}
		},
	})
	if n.Kind != yaml.MappingNode || badKind {
		return nil
	}
	switch {
	case r.Kind == "":
		p.errf(n, path+".kind", "required: fixed, will-fix, disputed or answered")
	case r.Kind == RespWillFix && r.Date == "":
		p.errf(n, path+".date", "will-fix needs the date it will be fixed by")
	case r.Kind != RespWillFix && r.Text == "":
		p.errf(n, path+".text", "%s needs text (what changed, why, or the answer)", r.Kind)
	}
	return r
}

// answer converts a YAML value to the Go value the model uses: bool,
// float64, string (text, select, date) or []string. Null is "unanswered".
func (p *parser) answer(n *yaml.Node, field string) (any, bool) {
	switch n.Kind {
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return nil, true
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err != nil {
				p.errf(n, field, "invalid boolean %q", n.Value)
				return nil, false
			}
			return b, true
		case "!!int", "!!float":
			var f float64
			if err := n.Decode(&f); err != nil {
				p.errf(n, field, "invalid number %q", n.Value)
				return nil, false
			}
			return f, true
		default: // !!str, and !!timestamp kept as written (dates are YYYY-MM-DD strings)
			return n.Value, true
		}
	case yaml.SequenceNode:
		out := []string{}
		for i, e := range n.Content {
			e = input.Deref(e)
			ef := fmt.Sprintf("%s[%d]", field, i)
			if e.Kind != yaml.ScalarNode || e.Tag == "!!null" {
				p.errf(e, ef, "expected an option value, got %s", input.KindName(e))
				return nil, false
			}
			p.f.pos[ef] = pos{e.Line, e.Column}
			out = append(out, e.Value)
		}
		return out, true
	}
	p.errf(n, field, "expected a value or a list of option values, got %s", input.KindName(n))
	return nil, false
}

// paths reads a list of file paths (null = none), remembering where each
// one is so a refused file can be pointed at.
func (p *parser) paths(v *yaml.Node, field string) []string {
	if v.Tag == "!!null" {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		p.errf(v, field, "expected a list of file paths, got %s", input.KindName(v))
		return nil
	}
	var out []string
	for i, e := range v.Content {
		e = input.Deref(e)
		ef := fmt.Sprintf("%s[%d]", field, i)
		if s, ok := p.str(e, ef); ok {
			if s == "" {
				p.errf(e, ef, "empty path")
				continue
			}
			p.f.pos[ef] = pos{e.Line, e.Column}
			out = append(out, s)
		}
	}
	return out
}

// str reads a scalar string field.
func (p *parser) str(n *yaml.Node, field string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.errf(n, field, "expected a string, got %s", input.KindName(n))
		return "", false
	}
	return n.Value, true
}

// text reads an optional free-text field (null = empty).
func (p *parser) text(n *yaml.Node, field string) string {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return ""
	}
	s, _ := p.str(n, field)
	return strings.TrimSpace(s)
}

// IsDate reports whether s is a valid calendar date YYYY-MM-DD.
func IsDate(s string) bool {
	if len(s) != 10 {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// IsNotExist reports whether Load failed because the file does not exist.
func IsNotExist(err error) bool { return errors.Is(err, os.ErrNotExist) }
