package checklist

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Check judges an answer against the criteria; every criterion set must
// hold. It is the one rule the questionnaire (to offer an owner and due
// date) and the evaluation (to fail the control) share. why says what was
// expected when the answer fails.
//
// max_age_days counts whole calendar days between the answer's date and the
// date of now in now's own location (not elapsed hours, so the time of day
// does not matter): an answer exactly N days old passes, N+1 fails, and a
// date after today fails (a review cannot have happened tomorrow).
func (p *PassCriteria) Check(v any, now time.Time) (ok bool, why string) {
	if p == nil {
		return true, ""
	}
	if p.Equals != nil {
		if b, ok := v.(bool); !ok || b != *p.Equals {
			return false, "expected " + yesNo(*p.Equals)
		}
	}
	if len(p.AnyOf) > 0 {
		if s, ok := v.(string); !ok || !slices.Contains(p.AnyOf, s) {
			return false, "expected one of " + strings.Join(p.AnyOf, ", ")
		}
	}
	if len(p.AllOf) > 0 || len(p.NoneOf) > 0 {
		chosen := AsStrings(v)
		for _, want := range p.AllOf {
			if !slices.Contains(chosen, want) {
				return false, "missing " + want
			}
		}
		for _, bad := range p.NoneOf {
			if slices.Contains(chosen, bad) {
				return false, "must not include " + bad
			}
		}
	}
	if p.Min != nil || p.Max != nil {
		n, ok := AsNumber(v)
		if !ok {
			return false, "expected a number"
		}
		if p.Min != nil && n < *p.Min {
			return false, fmt.Sprintf("expected at least %g", *p.Min)
		}
		if p.Max != nil && n > *p.Max {
			return false, fmt.Sprintf("expected at most %g", *p.Max)
		}
	}
	if p.NotEmpty {
		if s, ok := v.(string); !ok || strings.TrimSpace(s) == "" {
			return false, "expected an answer"
		}
	}
	if p.MaxAgeDays > 0 {
		s, _ := v.(string)
		age, err := AgeDays(strings.TrimSpace(s), now)
		switch {
		case err != nil:
			return false, "expected a date YYYY-MM-DD"
		case age < 0:
			return false, "date is in the future"
		case age > p.MaxAgeDays:
			return false, fmt.Sprintf("%d days old, at most %d allowed", age, p.MaxAgeDays)
		}
	}
	return true, ""
}

// Resolve returns the criteria with references to other answers of the same
// control replaced by their values: max_age_days_from becomes max_age_days.
// A reference whose answer is missing or not a positive number adds nothing
// (the unanswered question leaves the control untested on its own).
func (p *PassCriteria) Resolve(given map[string]any) *PassCriteria {
	if p == nil || p.MaxAgeDaysFrom == "" {
		return p
	}
	r := *p
	days, _ := AsNumber(given[p.MaxAgeDaysFrom])
	if d := int(days); d >= 1 && (r.MaxAgeDays == 0 || d < r.MaxAgeDays) {
		r.MaxAgeDays = d
	}
	return &r
}

// AgeDays is how many calendar days the date (YYYY-MM-DD) lies before the
// date of now in now's location; negative for a date after today.
func AgeDays(date string, now time.Time) (int, error) {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return 0, err
	}
	y, m, day := now.Date()
	// Both at UTC midnight, so a DST change in now's zone cannot shorten a day.
	today := time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
	return int(today.Sub(d).Hours()) / 24, nil
}

// AsNumber returns a numeric answer as float64 (YAML gives int, the
// questionnaire float64); text is not a number.
func AsNumber(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	}
	return 0, false
}

// AsStrings flattens an answer into the strings a criterion or condition can
// match.
func AsStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case bool:
		return []string{strconv.FormatBool(v)}
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
