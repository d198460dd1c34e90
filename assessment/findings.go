package assessment

import (
	"sort"

	"github.com/selfassess/selfassess/checklist"
)

// NeedsAttention reports whether a control with this status is a finding:
// it failed, partly failed, errored or could not be tested.
func (s ControlStatus) NeedsAttention() bool {
	return s == ControlFail || s == ControlPartial || s == ControlError || s == ControlNotTested
}

// Failed reports whether the control was tested and found wanting (fail,
// partial, error): what a remediation plan and code scanning list.
func (s ControlStatus) Failed() bool {
	return s == ControlFail || s == ControlPartial || s == ControlError
}

// findingRank orders finding statuses within one severity.
var findingRank = map[ControlStatus]int{ControlFail: 4, ControlError: 3, ControlNotTested: 2, ControlPartial: 1}

// SeverityRank is the control's severity as checklist.Severity.Rank (4 critical … 1 low, 0 unknown).
func (c *Control) SeverityRank() int { return checklist.Severity(c.Severity).Rank() }

// Findings are the controls that need attention, worst first: partial ones
// (which never block the gate) last, then by severity, then fail > error >
// not_tested; ties keep checklist order. The terminal summary, the reports,
// JUnit and SARIF all list findings in this order.
func (r *Results) Findings() []*Control {
	var out []*Control
	for i := range r.Controls {
		if r.Controls[i].Status.NeedsAttention() {
			out = append(out, &r.Controls[i])
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if pa, pb := a.Status == ControlPartial, b.Status == ControlPartial; pa != pb {
			return pb
		}
		if sa, sb := a.SeverityRank(), b.SeverityRank(); sa != sb {
			return sa > sb
		}
		return findingRank[a.Status] > findingRank[b.Status]
	})
	return out
}

// RemediationPlan is the failed controls (fail, partial, error) by severity,
// then by due date, undated last.
func (r *Results) RemediationPlan() []*Control {
	var out []*Control
	for i := range r.Controls {
		if r.Controls[i].Status.Failed() {
			out = append(out, &r.Controls[i])
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if ra, rb := a.SeverityRank(), b.SeverityRank(); ra != rb {
			return ra > rb
		}
		if (a.Due == "") != (b.Due == "") {
			return a.Due != ""
		}
		return a.Due < b.Due
	})
	return out
}

// worstReasons lists evidence statuses from the one that best explains a
// finding down.
var worstReasons = []ReasonStatus{ReasonFail, ReasonError, ReasonNotTested, ReasonWarn, ReasonSkipped}

// WorstReason is the piece of evidence that best explains the control's
// status; ok is false when no evidence reports a problem.
func (c *Control) WorstReason() (e Reason, ok bool) {
	for _, want := range worstReasons {
		for _, e := range c.Evidence {
			if e.Status == want {
				return e, true
			}
		}
	}
	return Reason{}, false
}
