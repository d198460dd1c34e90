package assessment

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/probes"
)

func secretsResult(line int) probes.Result {
	return probes.Result{ID: "source.secrets", Target: "./src", Status: probes.Fail, Summary: "1 secret",
		Findings: []probes.Finding{{Status: probes.Fail, Rule: "gitleaks:generic-api-key", Message: "API key",
			Location: "backend/config.py:" + strconv.Itoa(line), File: "backend/config.py", Line: line}}}
}

func secretsChecklist() *checklist.Checklist {
	cl := oneControl(checklist.Critical, nil, []string{"source.secrets"}, false)
	cl.RemediationDays = &checklist.RemediationDays{Critical: 14, High: 30}
	return cl
}

func TestFingerprintIgnoresLineAndQuery(t *testing.T) {
	a := ProbeFingerprint("source.secrets", "./src", secretsResult(10).Findings[0])
	b := ProbeFingerprint("source.secrets", "./src", secretsResult(42).Findings[0])
	assert.Equal(t, "source.secrets:backend/config.py:gitleaks:generic-api-key", a)
	assert.Equal(t, a, b, "a line shift must not make the finding new")
	u := ProbeFingerprint("http.hsts", "https://a.test", probes.Finding{Rule: "hsts-missing", Location: "https://a.test/login?next=1#x"})
	assert.Equal(t, "http.hsts:https://a.test/login:hsts-missing", u)
	assert.NotEqual(t, u, ProbeFingerprint("http.hsts", "https://a.test", probes.Finding{Rule: "hsts-missing", Location: "https://a.test/"}))
}

func TestTrackFirstSeenDueAndOverdue(t *testing.T) {
	cl := secretsChecklist()
	first := Evaluate(cl, ans(nil), []probes.Result{secretsResult(10)}, nil, Options{Now: now})
	Track(first, cl, nil, Lifecycle{Remediation: cl.RemediationDays, Now: now})
	require.Len(t, first.Tracked, 1)
	f := first.Tracked[0]
	assert.Equal(t, "2026-11-22", f.FirstSeen)
	assert.Equal(t, "2026-12-06", f.Due, "critical: 14 days from first seen")
	assert.Equal(t, "checklist", f.DueFrom)
	assert.Equal(t, FindingOpen, f.Status)

	// 20 days later, the line moved: same finding, first seen carried, now overdue, gate fails on it.
	later := now.AddDate(0, 0, 20)
	second := Evaluate(cl, ans(nil), []probes.Result{secretsResult(42)}, nil, Options{Now: later, FailOn: checklist.Critical})
	Track(second, cl, nil, Lifecycle{Previous: first, Remediation: cl.RemediationDays, Now: later})
	require.Len(t, second.Tracked, 1)
	assert.Equal(t, "2026-11-22", second.Tracked[0].FirstSeen)
	assert.Equal(t, FindingOverdue, second.Tracked[0].Status)
	assert.Contains(t, second.Gate.Reasons, "finding source.secrets:backend/config.py:gitleaks:generic-api-key (C) is overdue since 2026-12-06")

	// The team's earlier date wins.
	third := Evaluate(cl, ans(&answers.Control{Due: "2026-11-30"}), []probes.Result{secretsResult(42)}, nil, Options{Now: now})
	Track(third, cl, nil, Lifecycle{Remediation: cl.RemediationDays, Now: now})
	assert.Equal(t, "2026-11-30", third.Tracked[0].Due)
	assert.Equal(t, "team", third.Tracked[0].DueFrom)

	// Fixed: the finding is gone from the probe and listed as resolved.
	clean := probes.Result{ID: "source.secrets", Target: "./src", Status: probes.Pass}
	fourth := Evaluate(cl, ans(nil), []probes.Result{clean}, nil, Options{Now: later})
	Track(fourth, cl, nil, Lifecycle{Previous: second, Remediation: cl.RemediationDays, Now: later})
	require.Len(t, fourth.Tracked, 1)
	assert.Equal(t, FindingResolved, fourth.Tracked[0].Status)
	assert.Empty(t, fourth.OpenFindings())
}

func TestFalsePositiveSuppressedUnlessRejected(t *testing.T) {
	cl := secretsChecklist()
	fp := "source.secrets:backend/config.py:gitleaks:generic-api-key"
	claims := []FalsePositive{{Fingerprint: fp, Justification: "test fixture, not a live key"}}

	rs, sup := Suppress([]probes.Result{secretsResult(10)}, claims, nil)
	res := Evaluate(cl, ans(nil), rs, nil, Options{Now: now})
	Track(res, cl, sup, Lifecycle{Now: now, Claims: claims})
	assert.Equal(t, ControlPass, res.Controls[0].Status, "a suppressed finding no longer fails the control")
	require.Len(t, res.Tracked, 1)
	assert.Equal(t, FindingSuppressed, res.Tracked[0].Status)
	assert.Equal(t, "test fixture, not a live key", res.Tracked[0].Justification)
	assert.Equal(t, "C", res.Tracked[0].Control)
	assert.Equal(t, "backend/config.py:10", res.Tracked[0].Location, "the suppressed finding keeps where it was")

	rejected := map[string]string{fp: "this is a live key format"}
	rs, sup = Suppress([]probes.Result{secretsResult(10)}, claims, rejected)
	res = Evaluate(cl, ans(nil), rs, nil, Options{Now: now})
	Track(res, cl, sup, Lifecycle{Now: now, Claims: claims, Rejected: rejected})
	assert.Equal(t, ControlFail, res.Controls[0].Status, "a rejected claim counts again")
	require.Len(t, res.Tracked, 1)
	assert.Equal(t, FindingOpen, res.Tracked[0].Status)
	assert.Equal(t, "this is a live key format", res.Tracked[0].Rejected)
}

func TestReviewFindingClosesOnlyWhenFixed(t *testing.T) {
	confirm := []checklist.Question{{ID: "q", Prompt: "Done?", Type: checklist.Confirm, Pass: &checklist.PassCriteria{Equals: ptr(true)}}}
	cl := oneControl(checklist.High, confirm, nil, false)
	item := ReviewItem{Control: "C", Text: "tokens reach localStorage", Severity: "high", Due: "2027-01-31"}
	prev := Evaluate(cl, ans(&answers.Control{Answers: map[string]any{"q": true}}), nil, nil, Options{Now: now})

	// Claimed fixed, nothing changed: still open, and the control cannot pass.
	same := Evaluate(cl, ans(&answers.Control{Answers: map[string]any{"q": true}}), nil, nil, Options{Now: now})
	Track(same, cl, nil, Lifecycle{Previous: prev, Review: []ReviewItem{item}, Responses: map[string]Response{"C": {Kind: Fixed, Text: "done"}}, Now: now})
	require.Len(t, same.Tracked, 1)
	assert.Equal(t, FindingOpen, same.Tracked[0].Status)
	assert.Equal(t, ControlFail, same.Controls[0].Status, "an open reviewer finding keeps the control from passing")
	assert.Equal(t, NotReady, same.Summary.Verdict)
	assert.Equal(t, "fixed", same.Tracked[0].Response.Kind, "the team's claim is shown")

	// Evidence changed and the control passes: resolved.
	changed := Evaluate(cl, ans(&answers.Control{Answers: map[string]any{"q": true}, Evidence: []string{"docs/storage.md"}}), nil, nil, Options{Now: now})
	Track(changed, cl, nil, Lifecycle{Previous: prev, Review: []ReviewItem{item}, Responses: map[string]Response{"C": {Kind: Fixed, Text: "moved to cookies"}}, Now: now})
	assert.Equal(t, FindingResolved, changed.Tracked[0].Status)
	assert.Equal(t, ControlPass, changed.Controls[0].Status)
	assert.Equal(t, Ready, changed.Summary.Verdict)

	// Past the reviewer's due date with no fix: overdue.
	late := now.AddDate(1, 0, 0)
	over := Evaluate(cl, ans(&answers.Control{Answers: map[string]any{"q": true}}), nil, nil, Options{Now: late})
	Track(over, cl, nil, Lifecycle{Previous: prev, Review: []ReviewItem{item}, Now: late})
	assert.Equal(t, FindingOverdue, over.Tracked[0].Status)
}

func TestValidateResponse(t *testing.T) {
	it := ReviewItem{Control: "C", Due: "2027-01-31"}
	assert.NoError(t, ValidateResponse(it, Response{Kind: WillFix, Date: "2027-01-15", Owner: "ana"}))
	assert.EqualError(t, ValidateResponse(it, Response{Kind: WillFix, Date: "2027-02-15"}), "will-fix date 2027-02-15 is after the reviewer's due date 2027-01-31")
	assert.ErrorContains(t, ValidateResponse(it, Response{Kind: Disputed}), "disputed: say why")
	assert.ErrorContains(t, ValidateResponse(it, Response{Kind: "maybe"}), "not one of")
	assert.ErrorContains(t, ValidateResponse(ReviewItem{Control: "C", Question: true}, Response{Kind: Fixed, Text: "x"}), "a question is answered")
}

func TestTrackTakesTheControlsOwnParameterRun(t *testing.T) {
	cl := &checklist.Checklist{ID: "t", Sections: []checklist.Section{{ID: "s", Title: "S", Controls: []checklist.Control{
		{ID: "A", Title: "a", Severity: checklist.High, Probes: []string{"http.hsts"}, With: map[string]probes.Params{"http.hsts": {"min_max_age_days": 365}}},
		{ID: "B", Title: "b", Severity: checklist.High, Probes: []string{"http.hsts"}},
	}}}}
	strict := probes.Result{ID: "http.hsts", Target: "https://a.test", Status: probes.Fail, Params: probes.Params{"min_max_age_days": 365},
		Findings: []probes.Finding{{Status: probes.Fail, Rule: "hsts-max-age", Message: "max-age 200 days, want 365", Location: "https://a.test/"}}}
	lax := probes.Result{ID: "http.hsts", Target: "https://a.test", Status: probes.Fail,
		Findings: []probes.Finding{{Status: probes.Fail, Rule: "hsts-preload", Message: "no preload", Location: "https://a.test/"}}}
	res := Evaluate(cl, nil, []probes.Result{strict, lax}, nil, Options{Now: now})
	Track(res, cl, nil, Lifecycle{Now: now})
	byControl := map[string][]string{}
	for _, f := range res.Tracked {
		byControl[f.Control] = append(byControl[f.Control], f.Fingerprint)
	}
	assert.Equal(t, map[string][]string{
		"A": {"http.hsts:https://a.test/:hsts-max-age"},
		"B": {"http.hsts:https://a.test/:hsts-preload"},
	}, byControl, "each control's findings come from the run with its own parameters")
}

func TestCandidates(t *testing.T) {
	cl := secretsChecklist()
	got := Candidates(cl, []probes.Result{secretsResult(10), {ID: "http.hsts", Target: "https://a.test", Status: probes.Fail,
		Findings: []probes.Finding{{Status: probes.Fail, Rule: "x"}}}})
	assert.Equal(t, []Candidate{{Fingerprint: "source.secrets:backend/config.py:gitleaks:generic-api-key", Control: "C", Message: "API key", Location: "backend/config.py:10"}}, got,
		"only the control's own probes, failing findings")
}
