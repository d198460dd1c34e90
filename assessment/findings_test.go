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
		{ID: "pass-crit", Severity: "critical", Status: Pass},
		{ID: "partial-crit", Severity: "critical", Status: Partial},
		{ID: "nt-high", Severity: "high", Status: NotTested},
		{ID: "fail-low", Severity: "low", Status: Fail},
		{ID: "err-high", Severity: "high", Status: Error},
		{ID: "fail-high", Severity: "high", Status: Fail},
		{ID: "na-crit", Severity: "critical", Status: NotApplicable},
		{ID: "exc-crit", Severity: "critical", Status: Excepted},
		{ID: "fail-high-2", Severity: "high", Status: Fail},
		{ID: "partial-low", Severity: "low", Status: Partial},
		{ID: "fail-crit", Severity: "critical", Status: Fail},
		{ID: "fail-unknown", Severity: "", Status: Fail},
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
		{ID: "nt-crit", Severity: "critical", Status: NotTested},
		{ID: "med-undated", Severity: "medium", Status: Fail},
		{ID: "crit-late", Severity: "critical", Status: Partial, Due: "2027-03-01"},
		{ID: "crit-undated", Severity: "critical", Status: Error},
		{ID: "crit-early", Severity: "critical", Status: Fail, Due: "2027-01-01"},
		{ID: "med-dated", Severity: "medium", Status: Fail, Due: "2027-06-01"},
		{ID: "pass", Severity: "critical", Status: Pass},
	}}
	assert.Equal(t, []string{"crit-early", "crit-late", "crit-undated", "med-dated", "med-undated"}, ids(r.RemediationPlan()))
}

func TestStatusClasses(t *testing.T) {
	for _, s := range Statuses {
		attention := s == Fail || s == Partial || s == Error || s == NotTested
		assert.Equal(t, attention, s.NeedsAttention(), s)
		assert.Equal(t, attention && s != NotTested, s.Failed(), s)
	}
}

func TestWorstEvidence(t *testing.T) {
	c := &Control{Evidence: []Evidence{
		{Source: "a", Status: "pass"}, {Source: "b", Status: "warn"}, {Source: "c", Status: "error"}, {Source: "d", Status: "fail"}, {Source: "e", Status: "fail"},
	}}
	e, ok := c.WorstEvidence()
	assert.True(t, ok)
	assert.Equal(t, "d", e.Source)

	c.Evidence = c.Evidence[:2]
	e, _ = c.WorstEvidence()
	assert.Equal(t, "b", e.Source)

	_, ok = (&Control{Evidence: []Evidence{{Status: "pass"}, {Kind: "note"}}}).WorstEvidence()
	assert.False(t, ok)
}
