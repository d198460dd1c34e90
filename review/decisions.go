// Package review is the reviewer's side of the round trip: the decisions
// file (schema selfassess/decisions/v1, strict, positioned errors), the
// review built from it (review.json, schema selfassess/review/v1, bound to
// the submission's SHA256SUMS digest), its letter, and the signed review
// package (namespace selfassess-review) with its verification. No terminal
// I/O and no cobra here.
package review

import (
	"fmt"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/input"
)

// DecisionsSchemaID is a decisions file's `schema` value.
const DecisionsSchemaID = "selfassess/decisions/v1"

// Control decisions.
const (
	Accepted         = "accepted"
	ChangesRequested = "changes-requested"
	Question         = "question"
)

// False-positive decisions (Accepted, or Rejected).
const Rejected = "rejected"

// Overall decisions.
const (
	Approved               = "approved"
	ApprovedWithConditions = "approved-with-conditions"
	OverallRejected        = "rejected"
	OverallChanges         = "changes-requested"
)

var (
	controlDecisions = []string{Accepted, ChangesRequested, Question}
	fpDecisions      = []string{Accepted, Rejected}
	overallDecisions = []string{Approved, ApprovedWithConditions, OverallChanges, OverallRejected}
)

// maxDecisionsFile bounds what LoadDecisions reads.
const maxDecisionsFile = 8 << 20

// Decisions is a reviewer's decisions file.
type Decisions struct {
	Schema string `yaml:"schema"`
	// Reviewer names the reviewer (name or e-mail) for the letter.
	Reviewer string `yaml:"reviewer,omitempty"`
	// Default applies to every control not listed; "" means every control
	// must be listed.
	Default        string                        `yaml:"default,omitempty"`
	Controls       map[string]ControlDecision    `yaml:"controls,omitempty"`
	FalsePositives map[string]FalsePositiveReply `yaml:"false_positives,omitempty"`
	Overall        Overall                       `yaml:"overall"`

	// Name is the file the decisions came from (for errors).
	Name string `yaml:"-"`
	// pos locates fields ("controls.ID", "false_positives.FP", "overall.decision").
	pos map[string]checklist.FieldError
}

// ControlDecision is the reviewer's decision on one control.
type ControlDecision struct {
	Decision string `yaml:"decision"`
	Finding  string `yaml:"finding,omitempty"`
	Severity string `yaml:"severity,omitempty"`
	Due      string `yaml:"due,omitempty"`
	Question string `yaml:"question,omitempty"`
	Note     string `yaml:"note,omitempty"`
}

// FalsePositiveReply decides one false-positive claim.
type FalsePositiveReply struct {
	Decision string `yaml:"decision"`
	Reason   string `yaml:"reason,omitempty"`
}

// Overall is the review's decision.
type Overall struct {
	Decision   string      `yaml:"decision" json:"decision"`
	ValidUntil string      `yaml:"valid_until,omitempty" json:"valid_until,omitempty"`
	Conditions []Condition `yaml:"conditions,omitempty" json:"conditions,omitempty"`
	Note       string      `yaml:"note,omitempty" json:"note,omitempty"`
}

// Condition of an approval, with its due date.
type Condition struct {
	Text string `yaml:"text" json:"text"`
	Due  string `yaml:"due" json:"due"`
}

// LoadDecisions reads and checks a decisions file.
func LoadDecisions(path string) (*Decisions, error) {
	data, err := input.ReadFile(path, maxDecisionsFile)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("%s: no such file", path)
		}
		return nil, err
	}
	return ParseDecisions(path, data)
}

// ParseDecisions decodes a decisions file strictly: unknown fields,
// duplicate keys, wrong types and values are errors at FILE:LINE:COL,
// all reported together (*checklist.Errors).
func ParseDecisions(name string, data []byte) (*Decisions, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &checklist.Errors{List: []checklist.FieldError{input.YAMLError(name, data, err)}}
	}
	p := &dparser{name: name, d: &Decisions{Name: name, pos: map[string]checklist.FieldError{}}}
	if len(doc.Content) == 0 {
		p.errf(&yaml.Node{Line: 1, Column: 1}, "", "file is empty; expected schema: %s", DecisionsSchemaID)
		return nil, p.err()
	}
	p.file(doc.Content[0])
	if err := p.err(); err != nil {
		return nil, err
	}
	return p.d, nil
}

type dparser struct {
	name string
	d    *Decisions
	errs []checklist.FieldError
}

func (p *dparser) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	checklist.SortErrors(p.errs)
	return &checklist.Errors{List: p.errs}
}

func (p *dparser) errf(n *yaml.Node, field, format string, a ...any) {
	p.errs = append(p.errs, checklist.FieldError{File: p.name, Line: n.Line, Col: n.Column, Path: field, Msg: fmt.Sprintf(format, a...)})
}

func (p *dparser) at(n *yaml.Node, field string) {
	p.d.pos[field] = checklist.FieldError{File: p.name, Line: n.Line, Col: n.Column, Path: field}
}

// fields walks a mapping of known keys (input.Fields).
func (p *dparser) fields(n *yaml.Node, path string, known map[string]func(k, v *yaml.Node)) bool {
	return input.Fields(n, path, p.errf, known)
}

// str reads a scalar as text; null is "".
func (p *dparser) str(n *yaml.Node, field string) string {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return ""
	}
	if n.Kind != yaml.ScalarNode || n.Tag == "!!bool" || n.Tag == "!!int" || n.Tag == "!!float" {
		p.errf(n, field, "expected text, got %s", input.KindName(n))
		return ""
	}
	return strings.TrimSpace(n.Value)
}

func (p *dparser) oneOf(n *yaml.Node, field string, allowed []string) string {
	s := p.str(n, field)
	if s == "" {
		p.errf(n, field, "required: one of %s", strings.Join(allowed, ", "))
		return ""
	}
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	p.errf(n, field, "%q is not one of %s", s, strings.Join(allowed, ", "))
	return ""
}

func (p *dparser) date(n *yaml.Node, field string) string {
	s := p.str(n, field)
	if s != "" && !answers.IsDate(s) {
		p.errf(n, field, "must be a date YYYY-MM-DD, got %q", s)
		return ""
	}
	return s
}

func (p *dparser) file(root *yaml.Node) {
	root = input.Deref(root)
	var schemaSeen, overallSeen bool
	ok := p.fields(root, "", map[string]func(k, v *yaml.Node){
		"schema": func(k, v *yaml.Node) {
			schemaSeen = true
			if s := p.str(v, "schema"); s != DecisionsSchemaID {
				p.errf(v, "schema", "must be %q, got %q", DecisionsSchemaID, s)
			}
			p.d.Schema = DecisionsSchemaID
		},
		"reviewer": func(k, v *yaml.Node) { p.d.Reviewer = p.str(v, "reviewer") },
		"default": func(k, v *yaml.Node) {
			p.at(v, "default")
			p.d.Default = p.oneOf(v, "default", []string{Accepted})
		},
		"controls": func(k, v *yaml.Node) {
			p.d.Controls = map[string]ControlDecision{}
			p.entries(v, "controls", func(id string, kn, vn *yaml.Node) {
				p.d.Controls[id] = p.control(vn, "controls."+id)
			})
		},
		"false_positives": func(k, v *yaml.Node) {
			p.d.FalsePositives = map[string]FalsePositiveReply{}
			p.entries(v, "false_positives", func(fp string, kn, vn *yaml.Node) {
				p.d.FalsePositives[fp] = p.falsePositive(vn, "false_positives."+fp)
			})
		},
		"overall": func(k, v *yaml.Node) {
			overallSeen = true
			p.at(v, "overall")
			p.overall(v)
		},
	})
	if !ok {
		return
	}
	if !schemaSeen {
		p.errf(root, "schema", "missing; the first line should be schema: %s", DecisionsSchemaID)
	}
	if !overallSeen {
		p.errf(root, "overall", "missing; e.g. overall: {decision: changes-requested}")
	}
}

// entries walks a mapping of id → value, reporting duplicates; null is
// an empty mapping.
func (p *dparser) entries(n *yaml.Node, path string, each func(key string, k, v *yaml.Node)) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	input.Entries(n, path, p.errf, func(field string, k, v *yaml.Node) {
		p.at(k, field)
		each(k.Value, k, v)
	})
}

func (p *dparser) control(n *yaml.Node, path string) ControlDecision {
	var c ControlDecision
	var decision *yaml.Node
	if !p.fields(n, path, map[string]func(k, v *yaml.Node){
		"decision": func(k, v *yaml.Node) { decision = v; c.Decision = p.oneOf(v, path+".decision", controlDecisions) },
		"finding":  func(k, v *yaml.Node) { c.Finding = p.str(v, path+".finding") },
		"severity": func(k, v *yaml.Node) {
			c.Severity = p.oneOf(v, path+".severity", []string{"critical", "high", "medium", "low"})
		},
		"due":      func(k, v *yaml.Node) { c.Due = p.date(v, path+".due") },
		"question": func(k, v *yaml.Node) { c.Question = p.str(v, path+".question") },
		"note":     func(k, v *yaml.Node) { c.Note = p.str(v, path+".note") },
	}) {
		return c
	}
	switch {
	case decision == nil:
		p.errf(n, path+".decision", "missing: one of %s", strings.Join(controlDecisions, ", "))
	case c.Decision == ChangesRequested && c.Finding == "":
		p.errf(n, path+".finding", "changes-requested needs the finding: what must change")
	case c.Decision == Question && c.Question == "":
		p.errf(n, path+".question", "question needs the question for the team")
	case c.Decision == Accepted && (c.Finding != "" || c.Question != "" || c.Due != ""):
		p.errf(n, path, "an accepted control has no finding, question or due date")
	}
	return c
}

func (p *dparser) falsePositive(n *yaml.Node, path string) FalsePositiveReply {
	var f FalsePositiveReply
	seen := false
	if !p.fields(n, path, map[string]func(k, v *yaml.Node){
		"decision": func(k, v *yaml.Node) { seen = true; f.Decision = p.oneOf(v, path+".decision", fpDecisions) },
		"reason":   func(k, v *yaml.Node) { f.Reason = p.str(v, path+".reason") },
	}) {
		return f
	}
	if !seen {
		p.errf(n, path+".decision", "missing: accepted or rejected")
	} else if f.Decision == Rejected && f.Reason == "" {
		p.errf(n, path+".reason", "a rejected claim needs the reason")
	}
	return f
}

func (p *dparser) overall(n *yaml.Node) {
	o := &p.d.Overall
	var decision *yaml.Node
	if !p.fields(n, "overall", map[string]func(k, v *yaml.Node){
		"decision": func(k, v *yaml.Node) {
			decision = v
			p.at(v, "overall.decision")
			o.Decision = p.oneOf(v, "overall.decision", overallDecisions)
		},
		"valid_until": func(k, v *yaml.Node) { p.at(v, "overall.valid_until"); o.ValidUntil = p.date(v, "overall.valid_until") },
		"note":        func(k, v *yaml.Node) { o.Note = p.str(v, "overall.note") },
		"conditions": func(k, v *yaml.Node) {
			if v.Kind != yaml.SequenceNode {
				p.errf(v, "overall.conditions", "expected a list of {text, due}, got %s", input.KindName(v))
				return
			}
			for i, c := range v.Content {
				field := fmt.Sprintf("overall.conditions[%d]", i)
				var cond Condition
				var textSeen, dueSeen bool
				if !p.fields(c, field, map[string]func(k, v *yaml.Node){
					"text": func(k, v *yaml.Node) { textSeen = true; cond.Text = p.str(v, field+".text") },
					"due":  func(k, v *yaml.Node) { dueSeen = true; cond.Due = p.date(v, field+".due") },
				}) {
					continue
				}
				if !textSeen || cond.Text == "" {
					p.errf(input.Deref(c), field+".text", "required: what the team must do")
				}
				if !dueSeen {
					p.errf(input.Deref(c), field+".due", "required: by when (YYYY-MM-DD)")
				}
				o.Conditions = append(o.Conditions, cond)
			}
		},
	}) {
		return
	}
	if decision == nil {
		p.errf(input.Deref(n), "overall.decision", "missing: one of %s", strings.Join(overallDecisions, ", "))
		return
	}
	switch {
	case o.Decision == ApprovedWithConditions && len(o.Conditions) == 0:
		p.errf(decision, "overall.conditions", "approved-with-conditions needs conditions: [{text, due}]")
	case o.Decision != ApprovedWithConditions && len(o.Conditions) > 0:
		p.errf(decision, "overall.conditions", "only approved-with-conditions has conditions")
	case o.Decision != Approved && o.Decision != ApprovedWithConditions && o.ValidUntil != "":
		p.errf(decision, "overall.valid_until", "only an approval has valid_until")
	}
}

// where positions an error about a field of the file; the file itself when
// the field was not in it.
func (d *Decisions) where(field, format string, a ...any) checklist.FieldError {
	e, ok := d.pos[field]
	if !ok {
		e = checklist.FieldError{File: d.Name, Path: field}
	}
	e.Msg = fmt.Sprintf(format, a...)
	return e
}

// today is now's date in UTC.
func today(now time.Time) string { return now.UTC().Format(time.DateOnly) }
