package interview

import (
	"testing"
	"time"

	"github.com/selfassess/selfassess/checklist"
)

// The questionnaire judges a date against another answer of the control
// (max_age_days_from) as evaluation does, so a stale rotation date is offered
// an owner and due date.
func TestFailsResolvesAgeFromAnotherAnswer(t *testing.T) {
	ctl := &checklist.Control{ID: "C", Questions: []checklist.Question{
		{ID: "policy-days", Type: checklist.Number, Pass: &checklist.PassCriteria{Min: new(float64(1))}},
		{ID: "last-rotated", Type: checklist.Date, Pass: &checklist.PassCriteria{MaxAgeDaysFrom: "policy-days"}},
	}}
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		policy float64
		date   string
		want   bool
	}{
		{90, "2019-01-01", true},
		{90, "2026-10-01", false},
		{365, "2026-01-01", false},
		{90, "2026-01-01", true},
	} {
		vals := map[string]any{"policy-days": tt.policy, "last-rotated": tt.date}
		if got := fails(ctl, vals, now); got != tt.want {
			t.Errorf("policy %v, last rotated %s: fails = %v, want %v", tt.policy, tt.date, got, tt.want)
		}
	}
}
