package assessment

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func ids(cs []*Control) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func TestFindingsOrder(t *testing.T) {
	r := &Results{Controls: []Control{
		{ID: "pass-crit", Severity: "critical", Status: ControlPass},
		{ID: "partial-crit", Severity: "critical", Status: ControlPartial},
		{ID: "nt-high", Severity: "high", Status: ControlNotTested},
		{ID: "fail-low", Severity: "low", Status: ControlFail},
		{ID: "err-high", Severity: "high", Status: ControlError},
		{ID: "fail-high", Severity: "high", Status: ControlFail},
		{ID: "na-crit", Severity: "critical", Status: ControlNotApplicable},
		{ID: "exc-crit", Severity: "critical", Status: ControlExcepted},
		{ID: "fail-high-2", Severity: "high", Status: ControlFail},
		{ID: "partial-low", Severity: "low", Status: ControlPartial},
		{ID: "fail-crit", Severity: "critical", Status: ControlFail},
		{ID: "fail-unknown", Severity: "", Status: ControlFail},
	}}
	// partial last, then severity, then fail > error > not_tested, ties in checklist order
	assert.Equal(t, []string{"fail-crit", "fail-high", "fail-high-2", "err-high", "nt-high", "fail-low", "fail-unknown",
		"partial-crit", "partial-low"}, ids(r.Findings()))
	assert.Equal(t, "fail-crit", r.Findings()[0].ID)

	// the findings point into the results, not at copies
	r.Findings()[0].Note = "seen"
	assert.Equal(t, "seen", r.Controls[10].Note)
}

func TestRemediationPlanOrder(t *testing.T) {
	r := &Results{Controls: []Control{
		{ID: "nt-crit", Severity: "critical", Status: ControlNotTested},
		{ID: "med-undated", Severity: "medium", Status: ControlFail},
		{ID: "crit-late", Severity: "critical", Status: ControlPartial, Due: "2027-03-01"},
		{ID: "crit-undated", Severity: "critical", Status: ControlError},
		{ID: "crit-early", Severity: "critical", Status: ControlFail, Due: "2027-01-01"},
		{ID: "med-dated", Severity: "medium", Status: ControlFail, Due: "2027-06-01"},
		{ID: "pass", Severity: "critical", Status: ControlPass},
	}}
	assert.Equal(t, []string{"crit-early", "crit-late", "crit-undated", "med-dated", "med-undated"}, ids(r.RemediationPlan()))
}

func TestStatusClasses(t *testing.T) {
	for _, s := range ControlStatuses {
		attention := s == ControlFail || s == ControlPartial || s == ControlError || s == ControlNotTested
		assert.Equal(t, attention, s.NeedsAttention(), s)
		assert.Equal(t, attention && s != ControlNotTested, s.Failed(), s)
	}
}

func TestWorstReason(t *testing.T) {
	c := &Control{Evidence: []Reason{
		{Source: "a", Status: "pass"}, {Source: "b", Status: "warn"}, {Source: "c", Status: "error"}, {Source: "d", Status: "fail"}, {Source: "e", Status: "fail"},
	}}
	e, ok := c.WorstReason()
	assert.True(t, ok)
	assert.Equal(t, "d", e.Source)

	c.Evidence = c.Evidence[:2]
	e, _ = c.WorstReason()
	assert.Equal(t, "b", e.Source)

	_, ok = (&Control{Evidence: []Reason{{Status: "pass"}, {Kind: "note"}}}).WorstReason()
	assert.False(t, ok)
}
