package review

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/checklist"
)

// MarshalDecisions writes decisions as a decisions file (the interactive
// review saves its progress this way; it reads back with ParseDraft, or
// with ParseDecisions once the overall decision is made).
func MarshalDecisions(d *Decisions) ([]byte, error) {
	doc := &yaml.Node{Kind: yaml.MappingNode}
	add := func(k string, v *yaml.Node) { doc.Content = append(doc.Content, scalar(k), v) }
	add("schema", scalar(DecisionsSchemaID))
	if d.Reviewer != "" {
		add("reviewer", text(d.Reviewer))
	}
	if d.Default != "" {
		add("default", scalar(d.Default))
	}
	if len(d.Controls) > 0 {
		m := &yaml.Node{Kind: yaml.MappingNode}
		for _, id := range slices.Sorted(maps.Keys(d.Controls)) {
			c := d.Controls[id]
			cn := flow()
			pair(cn, "decision", c.Decision)
			pair(cn, "finding", c.Finding)
			pair(cn, "severity", c.Severity)
			pair(cn, "due", c.Due)
			pair(cn, "question", c.Question)
			pair(cn, "note", c.Note)
			m.Content = append(m.Content, scalar(id), cn)
		}
		add("controls", m)
	}
	if len(d.FalsePositives) > 0 {
		m := &yaml.Node{Kind: yaml.MappingNode}
		for _, fp := range slices.Sorted(maps.Keys(d.FalsePositives)) {
			f := d.FalsePositives[fp]
			fn := flow()
			pair(fn, "decision", f.Decision)
			pair(fn, "reason", f.Reason)
			m.Content = append(m.Content, text(fp), fn)
		}
		add("false_positives", m)
	}
	if d.Overall.Decision != "" {
		on := &yaml.Node{Kind: yaml.MappingNode}
		pair(on, "decision", d.Overall.Decision)
		pair(on, "valid_until", d.Overall.ValidUntil)
		if len(d.Overall.Conditions) > 0 {
			seq := &yaml.Node{Kind: yaml.SequenceNode}
			for _, c := range d.Overall.Conditions {
				cn := flow()
				pair(cn, "text", c.Text)
				pair(cn, "due", c.Due)
				seq.Content = append(seq.Content, cn)
			}
			on.Content = append(on.Content, scalar("conditions"), seq)
		}
		pair(on, "note", d.Overall.Note)
		add("overall", on)
	}
	out, err := yaml.Marshal(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{doc}})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func scalar(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s} }

// text is a string node the encoder quotes when it would read back as
// another type.
func text(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func flow() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle} }

func pair(n *yaml.Node, k, v string) {
	if v != "" {
		n.Content = append(n.Content, scalar(k), text(v))
	}
}

// ParseDraft reads a decisions file that may still lack the overall
// decision (a review interrupted before its end).
func ParseDraft(name string, data []byte) (*Decisions, error) {
	d, err := ParseDecisions(name, data)
	if err == nil {
		return d, nil
	}
	var errs *checklist.Errors
	if !errors.As(err, &errs) {
		return nil, err
	}
	var rest []checklist.FieldError
	for _, e := range errs.List {
		if e.Path != "overall" || !strings.HasPrefix(e.Msg, "missing") {
			rest = append(rest, e)
		}
	}
	if len(rest) > 0 {
		return nil, &checklist.Errors{List: rest}
	}
	// Only the overall decision is missing: parse again with a placeholder.
	d, err = ParseDecisions(name, append(append([]byte(nil), data...), []byte("\noverall: {decision: changes-requested}\n")...))
	if err != nil {
		return nil, err
	}
	d.Overall = Overall{}
	return d, nil
}

// ControlView is what a reviewer is shown of one control.
type ControlView struct {
	ID, Title, Severity, Status string
	// Needs: not pass (fail, partial, not tested, excepted, not applicable…).
	Needs bool
	// Details are lines: the requirement, the team's answers, notes,
	// evidence files (name, SHA-256, how to open), probe findings,
	// exception or N/A justification, false-positive claims.
	Details []string
}

// ClaimView is one false-positive claim for the reviewer to decide.
type ClaimView struct {
	Fingerprint, Control, Justification, Message, Location string
}

// Views lists the controls of the reviewed results (needing attention
// first, then the rest, each in checklist order) and the claims. pkg names
// the package (for the commands that open evidence files); sums maps
// package file names to their SHA-256 from SHA256SUMS; cl, when the
// package holds its checklist, gives the answers' option labels.
func Views(res *assessment.Results, cl *checklist.Checklist, pkg string, sums map[string]string) ([]ControlView, []ClaimView) {
	claimsByControl := map[string][]assessment.TrackedFinding{}
	var claims []ClaimView
	for _, f := range res.Tracked {
		if f.Status == assessment.FindingSuppressed {
			claimsByControl[f.Control] = append(claimsByControl[f.Control], f)
			claims = append(claims, ClaimView{Fingerprint: f.Fingerprint, Control: f.Control, Justification: f.Justification, Message: f.Message, Location: f.Location})
		}
	}
	var needs, rest []ControlView
	for _, c := range res.Controls {
		v := ControlView{ID: c.ID, Title: c.Title, Severity: c.Severity, Status: string(c.Status), Needs: c.Status != assessment.ControlPass}
		if c.Requirement != "" {
			v.Details = append(v.Details, "Requirement: "+oneLine(c.Requirement))
		}
		for _, a := range c.Answers {
			mark := ""
			if a.Pass != nil && !*a.Pass {
				mark = " (fails)"
			}
			v.Details = append(v.Details, fmt.Sprintf("Answer: %s %s%s", oneLine(a.Prompt), answerText(cl, c.ID, a), mark))
		}
		for _, e := range c.Evidence {
			switch {
			case e.Kind == "probe" && e.Status != "pass" && e.Status != "info":
				where := ""
				if e.Location != "" {
					where = " (" + e.Location + ")"
				}
				v.Details = append(v.Details, fmt.Sprintf("Probe %s [%s]: %s%s", e.Source, e.Status, oneLine(e.Message), where))
			case e.Kind == "file" && e.File != "":
				h := sums[e.File]
				if h == "" {
					h = "not in SHA256SUMS"
				}
				v.Details = append(v.Details, fmt.Sprintf("Evidence file: %s sha256 %s — open: %s", e.File, h, openCommand(pkg, e.File)))
			case e.Kind == "note":
				v.Details = append(v.Details, "Note: "+oneLine(e.Message))
			}
		}
		if c.Exception != nil {
			v.Details = append(v.Details, fmt.Sprintf("Exception until %s by %s: %s", c.Exception.Expires, c.Exception.ApprovedBy, oneLine(c.Exception.Justification)))
		}
		for _, f := range claimsByControl[c.ID] {
			v.Details = append(v.Details, fmt.Sprintf("False-positive claim %s: %s", f.Fingerprint, oneLine(f.Justification)))
		}
		if v.Needs {
			needs = append(needs, v)
		} else {
			rest = append(rest, v)
		}
	}
	sort.SliceStable(claims, func(i, j int) bool { return claims[i].Fingerprint < claims[j].Fingerprint })
	return append(needs, rest...), claims
}

// openCommand says how to read a packaged file.
func openCommand(pkg, name string) string {
	if strings.HasSuffix(pkg, ".zip") {
		return fmt.Sprintf("unzip -p %s '*/%s' | less", pkg, name)
	}
	return "less " + strings.TrimSuffix(pkg, "/") + "/" + name
}

// answerText shows an answer with its options' labels when the checklist
// names them ("vault (HashiCorp Vault)").
func answerText(cl *checklist.Checklist, control string, a assessment.Answer) string {
	label := func(v string) string { return v }
	if cl != nil {
		if ctl, _ := cl.Control(control); ctl != nil {
			for _, q := range ctl.Questions {
				if q.ID != a.Question {
					continue
				}
				opts := map[string]string{}
				for _, o := range q.Options {
					if o.Label != "" && o.Label != o.Value {
						opts[o.Value] = o.Value + " (" + o.Label + ")"
					}
				}
				label = func(v string) string {
					if l, ok := opts[v]; ok {
						return l
					}
					return v
				}
			}
		}
	}
	switch v := a.Value.(type) {
	case string:
		return label(v)
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, label(fmt.Sprint(x)))
		}
		return strings.Join(out, ", ")
	case []string:
		var out []string
		for _, x := range v {
			out = append(out, label(x))
		}
		return strings.Join(out, ", ")
	case bool:
		if v {
			return "yes"
		}
		return "no"
	}
	return fmt.Sprint(a.Value)
}
