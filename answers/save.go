package answers

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/input"
)

// Save writes f to f.Path atomically: a temporary file in the same
// directory, fsynced, then renamed over the old one, so a crash leaves
// either the old file or the new one, never half of either. An existing
// file keeps its permissions; a new one is 0644.
func Save(f *File) error {
	if f.Path == "" {
		return fmt.Errorf("answers file has no path")
	}
	data, err := Marshal(f)
	if err != nil {
		return err
	}
	if err := input.WriteFileAtomic(f.Path, data, 0o644); err != nil {
		return fmt.Errorf("saving %s: %w", f.Path, err)
	}
	f.disk = sha256.Sum256(data)
	return nil
}

// Marshal renders f as YAML: schema, checklist, then controls (and their
// questions) in checklist order once Validate has seen the checklist,
// otherwise sorted by id. The output is stable: loading and marshalling
// again gives the same bytes.
func Marshal(f *File) ([]byte, error) {
	root := mapping()
	addStr(root, "schema", SchemaID)
	addStr(root, "checklist", f.Checklist)
	controls := mapping()
	for _, id := range f.controlOrder() {
		c := f.Controls[id]
		if c == nil {
			continue
		}
		controls.Content = append(controls.Content, scalar(id), f.controlNode(id, c))
	}
	if len(controls.Content) == 0 {
		controls.Style = yaml.FlowStyle
	}
	root.Content = append(root.Content, scalar("controls"), controls)
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}
	applyComments(doc, f.comments)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encoding answers: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encoding answers: %w", err)
	}
	return buf.Bytes(), nil
}

func (f *File) controlOrder() []string {
	var order []string
	seen := map[string]bool{}
	if f.layout != nil {
		for _, sc := range f.layout.Controls() {
			if _, ok := f.Controls[sc.Control.ID]; ok {
				order = append(order, sc.Control.ID)
				seen[sc.Control.ID] = true
			}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(f.Controls)) {
		if !seen[id] {
			order = append(order, id)
		}
	}
	return order
}

func (f *File) questionOrder(controlID string, given map[string]any) []string {
	var order []string
	seen := map[string]bool{}
	if f.layout != nil {
		if ctl, _ := f.layout.Control(controlID); ctl != nil {
			for _, q := range ctl.Questions {
				if _, ok := given[q.ID]; ok {
					order = append(order, q.ID)
					seen[q.ID] = true
				}
			}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(given)) {
		if !seen[id] {
			order = append(order, id)
		}
	}
	return order
}

func (f *File) controlNode(id string, c *Control) *yaml.Node {
	n := mapping()
	if len(c.Answers) > 0 {
		an := mapping()
		for _, qid := range f.questionOrder(id, c.Answers) {
			v := valueNode(c.Answers[qid])
			if v == nil {
				continue
			}
			an.Content = append(an.Content, scalar(qid), v)
		}
		if len(an.Content) > 0 {
			n.Content = append(n.Content, scalar("answers"), an)
		}
	}
	addStr(n, "not_applicable", c.NotApplicable)
	addStr(n, "note", c.Note)
	addStrs(n, "evidence", c.Evidence)
	addStrs(n, "evidence_with_secrets", c.EvidenceWithSecrets)
	addStr(n, "owner", c.Owner)
	addStr(n, "due", c.Due)
	addStr(n, "answered_by", c.AnsweredBy)
	if !c.AnsweredAt.IsZero() {
		n.Content = append(n.Content, scalar("answered_at"),
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!timestamp", Value: c.AnsweredAt.UTC().Format(time.RFC3339)})
	}
	if r := c.ReviewResponse; r != nil {
		rn := mapping()
		addStr(rn, "kind", r.Kind)
		addStr(rn, "text", r.Text)
		addStr(rn, "date", r.Date)
		addStr(rn, "owner", r.Owner)
		n.Content = append(n.Content, scalar("review_response"), rn)
	}
	if len(c.FalsePositives) > 0 {
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for _, fp := range c.FalsePositives {
			fn := mapping()
			addStr(fn, "fingerprint", fp.Fingerprint)
			addStr(fn, "justification", fp.Justification)
			seq.Content = append(seq.Content, fn)
		}
		n.Content = append(n.Content, scalar("false_positives"), seq)
	}
	if len(n.Content) == 0 {
		n.Style = yaml.FlowStyle
	}
	return n
}

// valueNode encodes an answer; nil (unanswered) is left out.
func valueNode(v any) *yaml.Node {
	switch x := v.(type) {
	case nil:
		return nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(x)}
	case string:
		return str(x)
	case []string:
		seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, s := range slices.Clone(x) {
			seq.Content = append(seq.Content, str(s))
		}
		return seq
	}
	if f, ok := checklist.AsNumber(v); ok {
		tag := "!!float"
		if f == float64(int64(f)) {
			tag = "!!int"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: strconv.FormatFloat(f, 'f', -1, 64)}
	}
	return str(fmt.Sprint(v))
}

func mapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode} }

func scalar(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s} }

// str is a string value node; the encoder quotes it when it would otherwise
// read back as another type ("yes", "2026-01-31", "3").
func str(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if bytes.ContainsRune([]byte(s), '\n') {
		n.Style = yaml.LiteralStyle
	}
	return n
}

func addStr(n *yaml.Node, key, val string) {
	if val != "" {
		n.Content = append(n.Content, scalar(key), str(val))
	}
}

func addStrs(n *yaml.Node, key string, vals []string) {
	if len(vals) == 0 {
		return
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	for _, v := range vals {
		seq.Content = append(seq.Content, str(v))
	}
	n.Content = append(n.Content, scalar(key), seq)
}
