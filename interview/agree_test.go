package interview

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/checklist"
)

// The questionnaire offers an owner and due date exactly when evaluation
// fails the control: both must judge an answer the same way.
func TestQuestionnaireAgreesWithEvaluation(t *testing.T) {
	afternoon := time.Date(2026, 3, 10, 15, 30, 0, 0, time.UTC)
	berlin := time.FixedZone("CET", 3600)
	tests := []struct {
		name string
		date string
		now  time.Time
		fail bool
	}{
		{"future date", "2999-01-01", afternoon, true},
		{"tomorrow", "2026-03-11", afternoon, true},
		{"today", "2026-03-10", afternoon, false},
		{"exactly 30 days old, afternoon", "2026-02-08", afternoon, false},
		{"31 days old", "2026-02-07", afternoon, true},
		// 00:30 in Berlin is still the previous day in UTC: the local date counts.
		{"30 days in the local date of now", "2026-02-09", time.Date(2026, 3, 11, 0, 30, 0, 0, berlin), false},
		{"31 days in the local date of now", "2026-02-08", time.Date(2026, 3, 11, 0, 30, 0, 0, berlin), true},
		{"policy: 10 days old, afternoon", "2026-02-28", afternoon, false},
		{"policy: 11 days old", "2026-02-27", afternoon, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctl := checklist.Control{ID: "C", Severity: checklist.High, Questions: []checklist.Question{
				{ID: "reviewed", Type: checklist.Date, Pass: &checklist.PassCriteria{MaxAgeDays: 30}}}}
			vals := map[string]any{"reviewed": tt.date}
			if strings.HasPrefix(tt.name, "policy") { // the team's own period: max_age_days_from
				ctl.Questions = []checklist.Question{{ID: "policy", Type: checklist.Number},
					{ID: "reviewed", Type: checklist.Date, Pass: &checklist.PassCriteria{MaxAgeDaysFrom: "policy"}}}
				vals["policy"] = 10
			}
			cl := &checklist.Checklist{ID: "t", Sections: []checklist.Section{{ID: "s", Controls: []checklist.Control{ctl}}}}
			f := answers.New("", "t")
			f.Controls["C"] = &answers.Control{Answers: vals}
			r := assessment.Evaluate(cl, f, nil, nil, assessment.Options{Now: tt.now})
			assert.Equal(t, tt.fail, r.Controls[0].Status == assessment.ControlFail, "evaluation: %+v", r.Controls[0].Evidence)
			assert.Equal(t, tt.fail, fails(&ctl, vals, tt.now), "questionnaire")
		})
	}
}
