package interview

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/input"
)

// dateLayout is the answers file's date format.
const dateLayout = "2006-01-02"

var errRequired = errors.New("an answer is required")

// conditionHolds reports whether q's `when` condition is met by the answers
// given so far (a chain of conditions must hold all the way up).
func conditionHolds(ctl *checklist.Control, q *checklist.Question, vals map[string]any) bool {
	for depth := 0; q != nil && q.When != nil; depth++ {
		if depth > len(ctl.Questions) { // a cycle; the checklist validator rejects these
			return false
		}
		v, ok := vals[q.When.Question]
		if !ok || !matches(q.When, v) {
			return false
		}
		q = ctl.Question(q.When.Question)
	}
	return true
}

func matches(c *checklist.Condition, v any) bool {
	if c.Equals != nil {
		b, ok := v.(bool)
		return ok && b == *c.Equals
	}
	for _, s := range checklist.AsStrings(v) {
		if slices.Contains(c.AnyOf, s) {
			return true
		}
	}
	return false
}

// visibleQuestions lists the questions whose conditions hold for vals.
func visibleQuestions(ctl *checklist.Control, vals map[string]any) []*checklist.Question {
	var out []*checklist.Question
	for i := range ctl.Questions {
		if q := &ctl.Questions[i]; conditionHolds(ctl, q, vals) {
			out = append(out, q)
		}
	}
	return out
}

// askable reports whether a control has anything for a human to answer;
// probe-only controls are verified by the probes alone.
func askable(ctl *checklist.Control) bool {
	return len(ctl.Questions) > 0 || len(ctl.Evidence) > 0 || ctl.AllowNotApplicable
}

// isAnswered reports whether a saved answer is complete enough to skip the
// control when resuming: not applicable, or every visible required question
// answered and required evidence given.
func isAnswered(ctl *checklist.Control, a *answers.Control, now time.Time) bool {
	if a == nil {
		return false
	}
	if a.NotApplicable != "" {
		return true
	}
	for _, q := range visibleQuestions(ctl, a.Answers) {
		if v, ok := a.Answers[q.ID]; !q.Optional && (!ok || isEmpty(v)) {
			return false
		}
	}
	// Required evidence backs a passing answer; a failing one is complete
	// without it.
	for _, e := range ctl.Evidence {
		if e.Required && len(a.Evidence) == 0 && !fails(ctl, a.Answers, now) {
			return false
		}
	}
	return !a.AnsweredAt.IsZero() || len(a.Answers) > 0 || len(a.Evidence) > 0
}

func isEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(v) == ""
	}
	return false
}

// fails reports whether the given answers fail any pass criterion, so the
// questionnaire offers to record an owner and due date.
func fails(ctl *checklist.Control, vals map[string]any, now time.Time) bool {
	for _, q := range visibleQuestions(ctl, vals) {
		if q.Pass == nil {
			continue
		}
		v, ok := vals[q.ID]
		if !ok {
			continue // unanswered optional question
		}
		// max_age_days_from refers to another answer of this control
		if ok, _ := q.Pass.Resolve(vals).Check(v, now); !ok {
			return true
		}
	}
	return false
}

// formatDefault turns a saved answer into the text an input starts with.
func formatDefault(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case time.Time:
		return v.Format(dateLayout)
	}
	if f, ok := checklist.AsNumber(v); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// Validators. Each takes the fallback default into account: in accessible
// mode an empty line keeps the default, so an empty input is valid when a
// default exists.

func validateRequired(def *string) func(string) error {
	return func(s string) error {
		if strings.TrimSpace(s) == "" && strings.TrimSpace(*def) == "" {
			return errRequired
		}
		return nil
	}
}

func validateNumber(optional bool, def *string) func(string) error {
	return validateTyped(optional, def, func(s string) error {
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return fmt.Errorf("%q is not a number", s)
		}
		return nil
	})
}

func validateDate(optional bool, def *string) func(string) error {
	return validateTyped(optional, def, func(s string) error {
		if _, err := time.Parse(dateLayout, s); err != nil {
			return fmt.Errorf("%q is not a date: use YYYY-MM-DD, e.g. 2025-03-31", s)
		}
		return nil
	})
}

// dueExample is a date a month from now, the due-date field's hint.
func dueExample(now time.Time) string { return now.AddDate(0, 1, 0).Format(dateLayout) }

// validateDue accepts an empty due date or one from today on: a fix due
// in the past is overdue before it is planned.
func validateDue(def *string, now time.Time) func(string) error {
	return validateTyped(true, def, func(s string) error {
		d, err := time.Parse(dateLayout, s)
		if err != nil {
			return fmt.Errorf("%q is not a date: use YYYY-MM-DD, e.g. %s", s, dueExample(now))
		}
		if d.Format(dateLayout) < now.Format(dateLayout) {
			return fmt.Errorf("%s is in the past: give the date the fix will be done by, e.g. %s", s, dueExample(now))
		}
		return nil
	})
}

// validateTyped checks the input, or the default on an empty line: empty
// is fine only for an optional question; anything else must parse.
func validateTyped(optional bool, def *string, parse func(string) error) func(string) error {
	return func(s string) error {
		s = strings.TrimSpace(s)
		if s == "" {
			s = strings.TrimSpace(*def)
		}
		if s == "" {
			if optional {
				return nil
			}
			return errRequired
		}
		return parse(s)
	}
}

// splitPaths splits a comma-separated list of evidence paths.
func splitPaths(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, filepath.Clean(p))
		}
	}
	return out
}

// validateEvidence checks that every listed file exists, is a regular file
// and is readable; relative paths are resolved against baseDir (the answers
// file's directory).
func validateEvidence(baseDir string, required func() bool, def *string) func(string) error {
	return func(s string) error {
		if strings.TrimSpace(s) == "" {
			s = *def
		}
		paths := splitPaths(s)
		if len(paths) == 0 {
			if required() {
				return errors.New("this evidence is required for a passing answer: give the path to the file")
			}
			return nil
		}
		for _, p := range paths {
			if err := checkReadable(resolve(baseDir, p)); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
		}
		return nil
	}
}

func resolve(baseDir, p string) string {
	if filepath.IsAbs(p) || baseDir == "" {
		return p
	}
	return filepath.Join(baseDir, p)
}

// relativeTo stores an absolute path inside baseDir relative to it, as the
// answers file expects (so the file stays valid when the project moves).
func relativeTo(baseDir, p string) string {
	if !filepath.IsAbs(p) || baseDir == "" {
		return p
	}
	if rel, err := filepath.Rel(baseDir, p); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return rel
	}
	return p
}

func checkReadable(path string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return errors.New("no such file")
	case err != nil:
		return errors.New("cannot read it")
	case st.IsDir():
		return errors.New("is a directory, not a file")
	}
	f, err := input.Open(path) // a FIFO would block the questionnaire
	if err != nil {
		return errors.New("not a regular file, or cannot read it")
	}
	return f.Close()
}
