package answers

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/selfassess/selfassess/checklist"
)

// Validate checks f against the checklist: the checklist id, control and
// question ids, each answer's type for its question type, option values,
// dates, not_applicable only where the control allows it, and that evidence
// files exist (relative to the answers file). Every problem is reported, as
// Errors in file order. Validate also makes Save write in checklist order.
func Validate(f *File, cl *checklist.Checklist) error {
	var errs errList
	at := func(field, format string, a ...any) {
		p := f.pos[field]
		errs = append(errs, Error{File: f.Path, Line: p.line, Col: p.col, Path: field, Msg: fmt.Sprintf(format, a...)})
	}
	if f.Checklist != cl.ID {
		at("checklist", "the answers are for checklist %q, but the checklist in use is %q", f.Checklist, cl.ID)
	}
	for _, id := range slices.Sorted(maps.Keys(f.Controls)) {
		c := f.Controls[id]
		field := "controls." + id
		ctl, _ := cl.Control(id)
		if ctl == nil {
			at(field, "unknown control: checklist %s has no control %q", cl.ID, id)
			continue
		}
		if c == nil {
			continue
		}
		if c.NotApplicable != "" && !ctl.AllowNotApplicable {
			at(field+".not_applicable", "control %s cannot be not applicable; answer its questions", id)
		}
		for _, qid := range slices.Sorted(maps.Keys(c.Answers)) {
			qf := field + ".answers." + qid
			q := ctl.Question(qid)
			if q == nil {
				at(qf, "unknown question: control %s has questions %s", id, questionIDs(ctl))
				continue
			}
			if vs, ok := c.Answers[qid].([]string); ok && q.Type == checklist.MultiSelect {
				for i, v := range vs { // point at the wrong value itself
					if !hasOption(q, v) {
						at(fmt.Sprintf("%s[%d]", qf, i), "%q is not an option; choose from %s", v, optionValues(q))
					}
				}
				continue
			}
			if msg := checkValue(q, c.Answers[qid]); msg != "" {
				at(qf, "%s", msg)
			}
		}
		if c.Due != "" && !IsDate(c.Due) {
			at(field+".due", "must be a date YYYY-MM-DD, got %q", c.Due)
		}
		for i, e := range c.Evidence {
			ef := fmt.Sprintf("%s.evidence[%d]", field, i)
			p := EvidencePath(f, e)
			st, err := os.Stat(p)
			switch {
			case err != nil:
				at(ef, "evidence file %s not found", e)
			case !st.Mode().IsRegular():
				at(ef, "evidence %s is not a regular file", e)
			}
		}
		for i, e := range c.EvidenceWithSecrets {
			if !slices.Contains(c.Evidence, e) {
				at(fmt.Sprintf("%s.evidence_with_secrets[%d]", field, i), "%s is not listed under evidence; list each file there, and here only the ones packed although they hold a secret", e)
			}
		}
	}
	checklist.SortErrors(errs)
	f.layout = cl
	return errs.err()
}

// EvidencePath resolves an evidence path relative to the answers file's directory.
func EvidencePath(f *File, p string) string {
	if filepath.IsAbs(p) || f.Path == "" {
		return p
	}
	return filepath.Join(filepath.Dir(f.Path), p)
}

// checkValue returns "" when v is a valid answer to q, or what is wrong.
func checkValue(q *checklist.Question, v any) string {
	switch q.Type {
	case checklist.Confirm:
		if _, ok := v.(bool); !ok {
			return fmt.Sprintf("a yes/no question needs true or false, got %s", describe(v))
		}
	case checklist.Number:
		if _, ok := checklist.AsNumber(v); !ok {
			return fmt.Sprintf("a number question needs a number, got %s", describe(v))
		}
	case checklist.Text:
		if _, ok := v.(string); !ok {
			return fmt.Sprintf("a text question needs text (quote it), got %s", describe(v))
		}
	case checklist.Date:
		s, ok := v.(string)
		if !ok || !IsDate(s) {
			return fmt.Sprintf("a date question needs a date YYYY-MM-DD, got %s", describe(v))
		}
	case checklist.Select:
		s, ok := v.(string)
		if !ok {
			return fmt.Sprintf("a select question needs one of %s, got %s", optionValues(q), describe(v))
		}
		if !hasOption(q, s) {
			return fmt.Sprintf("%q is not an option; choose one of %s", s, optionValues(q))
		}
	case checklist.MultiSelect:
		vs, ok := v.([]string)
		if !ok {
			return fmt.Sprintf("a multiselect question needs a list of %s, got %s", optionValues(q), describe(v))
		}
		for _, s := range vs {
			if !hasOption(q, s) {
				return fmt.Sprintf("%q is not an option; choose from %s", s, optionValues(q))
			}
		}
	}
	return ""
}

func describe(v any) string {
	switch x := v.(type) {
	case bool:
		return fmt.Sprintf("a boolean (%t)", x)
	case string:
		return fmt.Sprintf("%q", x)
	case []string:
		return "a list"
	case nil:
		return "nothing"
	}
	if f, ok := checklist.AsNumber(v); ok {
		return fmt.Sprintf("a number (%g)", f)
	}
	return fmt.Sprintf("%T", v)
}

func hasOption(q *checklist.Question, v string) bool {
	for _, o := range q.Options {
		if o.Value == v {
			return true
		}
	}
	return false
}

func optionValues(q *checklist.Question) string {
	vs := make([]string, len(q.Options))
	for i, o := range q.Options {
		vs[i] = o.Value
	}
	return "[" + strings.Join(vs, ", ") + "]"
}

func questionIDs(ctl *checklist.Control) string {
	ids := make([]string, len(ctl.Questions))
	for i, q := range ctl.Questions {
		ids[i] = q.ID
	}
	return "[" + strings.Join(ids, ", ") + "]"
}

// Asked reports whether q is asked, given the control's answers so far: a
// question with a When condition is asked only when the other question is
// answered and its answer matches.
func Asked(q *checklist.Question, given map[string]any) bool {
	if q.When == nil {
		return true
	}
	v, ok := given[q.When.Question]
	if !ok || v == nil {
		return false
	}
	if q.When.Equals != nil {
		b, ok := v.(bool)
		return ok && b == *q.When.Equals
	}
	switch x := v.(type) {
	case string:
		return slices.Contains(q.When.AnyOf, x)
	case []string:
		for _, s := range x {
			if slices.Contains(q.When.AnyOf, s) {
				return true
			}
		}
	}
	return false
}

// IsBlank: no answer at all, or only whitespace (the questionnaire's "skip").
func IsBlank(v any) bool {
	if s, ok := v.(string); ok {
		return strings.TrimSpace(s) == ""
	}
	return v == nil
}

// MissingQuestions lists the required questions of ctl that apply but have
// no answer. A control marked not applicable misses nothing.
func MissingQuestions(ctl *checklist.Control, c *Control) []string {
	var given map[string]any
	if c != nil {
		if c.NotApplicable != "" && ctl.AllowNotApplicable {
			return nil
		}
		given = c.Answers
	}
	var out []string
	for i := range ctl.Questions {
		q := &ctl.Questions[i]
		if q.Optional || !Asked(q, given) {
			continue
		}
		if v, ok := given[q.ID]; !ok || IsBlank(v) {
			out = append(out, q.ID)
		}
	}
	return out
}

// MissingEvidence lists the ids of the control's required evidence when the
// answer names no evidence file at all (files are not matched to ids).
// A control marked not applicable misses nothing.
func MissingEvidence(ctl *checklist.Control, c *Control) []string {
	if c != nil && (len(c.Evidence) > 0 || (c.NotApplicable != "" && ctl.AllowNotApplicable)) {
		return nil
	}
	var out []string
	for _, e := range ctl.Evidence {
		if e.Required {
			out = append(out, e.ID)
		}
	}
	return out
}

// Unanswered lists, in checklist order, the controls with required questions
// still to answer or required evidence not given.
func Unanswered(cl *checklist.Checklist, f *File) []string {
	var out []string
	for _, sc := range cl.Controls() {
		var c *Control
		if f != nil {
			c = f.Controls[sc.Control.ID]
		}
		if len(MissingQuestions(sc.Control, c)) > 0 || len(MissingEvidence(sc.Control, c)) > 0 {
			out = append(out, sc.Control.ID)
		}
	}
	return out
}
