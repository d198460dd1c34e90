package assessment

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/probes"
)

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

// one control, configurable: questions, probes, N/A allowed
func oneControl(sev checklist.Severity, qs []checklist.Question, probeIDs []string, na bool) *checklist.Checklist {
	return &checklist.Checklist{ID: "t", Sections: []checklist.Section{{ID: "s", Title: "S", Controls: []checklist.Control{
		{ID: "C", Title: "c", Severity: sev, Questions: qs, Probes: probeIDs, AllowNotApplicable: na, Remediation: "fix it"},
	}}}}
}

func ans(c *answers.Control) *answers.File {
	f := answers.New("", "t")
	if c != nil {
		f.Controls["C"] = c
	}
	return f
}

func res(id string, st probes.Status) probes.Result {
	return probes.Result{ID: id, Target: "https://a.test", Status: st, Summary: id + " " + string(st)}
}

func TestControlStatus(t *testing.T) {
	confirm := []checklist.Question{{ID: "q", Prompt: "Done?", Type: checklist.Confirm, Pass: &checklist.PassCriteria{Equals: ptr(true)}}}
	conditional := []checklist.Question{
		{ID: "cookies", Type: checklist.Confirm},
		{ID: "flags", Type: checklist.MultiSelect, When: &checklist.Condition{Question: "cookies", Equals: ptr(true)},
			Pass: &checklist.PassCriteria{AllOf: []string{"secure", "httponly"}, NoneOf: []string{"none"}}},
		{ID: "why", Type: checklist.Text, Optional: true},
	}
	yes := &answers.Control{Answers: map[string]any{"q": true}}
	no := &answers.Control{Answers: map[string]any{"q": false}}
	tests := []struct {
		name   string
		qs     []checklist.Question
		probes []string
		na     bool
		a      *answers.Control
		rs     []probes.Result
		want   ControlStatus
	}{
		{"answer passes, no probes", confirm, nil, false, yes, nil, ControlPass},
		{"answer fails", confirm, nil, false, no, nil, ControlFail},
		{"unanswered", confirm, nil, false, nil, nil, ControlNotTested},
		{"answer yes, probe passes", confirm, []string{"http.hsts"}, false, yes, []probes.Result{res("http.hsts", probes.Pass)}, ControlPass},
		{"answer yes, probe fails on one target: fail", confirm, []string{"http.hsts"}, false, yes,
			[]probes.Result{res("http.hsts", probes.Pass), {ID: "http.hsts", Target: "https://b.test", Status: probes.Fail}}, ControlFail},
		{"probe fails though unanswered: fail", confirm, []string{"http.hsts"}, false, nil, []probes.Result{res("http.hsts", probes.Fail)}, ControlFail},
		{"probe error, nothing failed: error", confirm, []string{"http.hsts"}, false, yes, []probes.Result{res("http.hsts", probes.Error)}, ControlError},
		{"probe error and answer fails: fail", confirm, []string{"http.hsts"}, false, no, []probes.Result{res("http.hsts", probes.Error)}, ControlFail},
		{"probe warns: partial", confirm, []string{"tls.ciphers"}, false, yes, []probes.Result{res("tls.ciphers", probes.Warn)}, ControlPartial},
		{"answers pass, probe not run: not tested", confirm, []string{"http.hsts"}, false, yes, nil, ControlNotTested},
		{"answers pass, probe skipped: not tested", confirm, []string{"tls.versions"}, false, yes, []probes.Result{res("tls.versions", probes.Skipped)}, ControlNotTested},
		{"answers pass, one of two probes not run: partial", confirm, []string{"http.hsts", "source.secrets"}, false, yes,
			[]probes.Result{res("http.hsts", probes.Pass)}, ControlPartial},
		{"answer fails, probe not run: fail", confirm, []string{"http.hsts"}, false, no, nil, ControlFail},
		{"not applicable, probe not run: not applicable", confirm, []string{"http.cookies"}, true, &answers.Control{NotApplicable: "no cookies"}, nil, ControlNotApplicable},
		{"probe-only, skipped: not tested", nil, []string{"http.hsts"}, false, nil, []probes.Result{res("http.hsts", probes.Skipped)}, ControlNotTested},
		{"probe-only, missing: not tested", nil, []string{"http.hsts"}, false, nil, nil, ControlNotTested},
		{"probe-only, passes", nil, []string{"http.hsts"}, false, nil, []probes.Result{res("http.hsts", probes.Pass)}, ControlPass},
		{"probe-only, one of two not run: partial", nil, []string{"http.hsts", "source.secrets"}, false, nil, []probes.Result{res("http.hsts", probes.Pass)}, ControlPartial},
		{"info result counts as pass", nil, []string{"http.rate-limit"}, false, nil, []probes.Result{res("http.rate-limit", probes.Info)}, ControlPass},
		{"not applicable where allowed", confirm, nil, true, &answers.Control{NotApplicable: "no UI"}, nil, ControlNotApplicable},
		{"not applicable but a probe fails: fail", confirm, []string{"http.cookies"}, true, &answers.Control{NotApplicable: "no cookies"},
			[]probes.Result{res("http.cookies", probes.Fail)}, ControlFail},
		{"not applicable where not allowed is ignored", confirm, nil, false, &answers.Control{NotApplicable: "nope"}, nil, ControlNotTested},
		{"condition false: dependent question not needed", conditional, nil, false, &answers.Control{Answers: map[string]any{"cookies": false}}, nil, ControlPass},
		{"condition true, dependent unanswered", conditional, nil, false, &answers.Control{Answers: map[string]any{"cookies": true}}, nil, ControlNotTested},
		{"condition true, dependent passes", conditional, nil, false,
			&answers.Control{Answers: map[string]any{"cookies": true, "flags": []string{"httponly", "secure"}}}, nil, ControlPass},
		{"condition true, dependent misses a value", conditional, nil, false,
			&answers.Control{Answers: map[string]any{"cookies": true, "flags": []string{"secure"}}}, nil, ControlFail},
		{"answer to a question whose condition is false is ignored", conditional, nil, false,
			&answers.Control{Answers: map[string]any{"cookies": false, "flags": []string{}}}, nil, ControlPass},
		{"required evidence missing: not tested", confirm, nil, false, yes, nil, ControlNotTested},
		{"required evidence given", confirm, nil, false, &answers.Control{Answers: map[string]any{"q": true}, Evidence: []string{"arch.md"}}, nil, ControlPass},
		{"blank text is unanswered, not failed", []checklist.Question{{ID: "t", Type: checklist.Text, Pass: &checklist.PassCriteria{NotEmpty: true}}},
			nil, false, &answers.Control{Answers: map[string]any{"t": "  "}}, nil, ControlNotTested},
		{"one answer fails, another missing: fail", append(confirm, checklist.Question{ID: "q2", Type: checklist.Text}), nil, false, no, nil, ControlFail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl := oneControl(checklist.High, tt.qs, tt.probes, tt.na)
			if strings.Contains(tt.name, "required evidence") {
				cl.Sections[0].Controls[0].Evidence = []checklist.Evidence{{ID: "arch", Required: true}}
			}
			r := Evaluate(cl, ans(tt.a), tt.rs, nil, Options{Now: now})
			require.Len(t, r.Controls, 1)
			assert.Equal(t, tt.want, r.Controls[0].Status, "evidence: %+v", r.Controls[0].Evidence)
		})
	}
}

func TestFailingProbeEvidenceShowsAnswerToo(t *testing.T) {
	cl := oneControl(checklist.High, []checklist.Question{{ID: "q", Prompt: "HSTS on?", Type: checklist.Confirm,
		Pass: &checklist.PassCriteria{Equals: ptr(true)}}}, []string{"http.hsts"}, false)
	r := Evaluate(cl, ans(&answers.Control{Answers: map[string]any{"q": true}}), []probes.Result{{ID: "http.hsts",
		Target: "https://a.test", Status: probes.Fail, Summary: "no HSTS",
		Findings: []probes.Finding{{Status: probes.Fail, Rule: "hsts-missing", Message: "Strict-Transport-Security missing"}}}}, nil, Options{Now: now})
	c := r.Controls[0]
	assert.Equal(t, ControlFail, c.Status)
	assert.Equal(t, []Reason{
		{Kind: "answer", Source: "q", Status: "pass", Message: "HSTS on? yes"},
		{Kind: "probe", Source: "http.hsts@https://a.test", Status: "fail", Message: "no HSTS", Location: "https://a.test"},
		{Kind: "probe", Source: "http.hsts@https://a.test", Status: "fail", Message: "Strict-Transport-Security missing", Location: "https://a.test"},
	}, c.Evidence)
	assert.Equal(t, "fix it", c.Remediation)
}

func TestPassCriteria(t *testing.T) {
	tests := []struct {
		name string
		q    checklist.Question
		v    any
		want bool
	}{
		{"select any_of ok", checklist.Question{Type: checklist.Select, Pass: &checklist.PassCriteria{AnyOf: []string{"cookie", "memory"}}}, "cookie", true},
		{"select any_of bad", checklist.Question{Type: checklist.Select, Pass: &checklist.PassCriteria{AnyOf: []string{"cookie"}}}, "localstorage", false},
		{"number in range", checklist.Question{Type: checklist.Number, Pass: &checklist.PassCriteria{Min: ptr(1.0), Max: ptr(90.0)}}, 90.0, true},
		{"number above max", checklist.Question{Type: checklist.Number, Pass: &checklist.PassCriteria{Max: ptr(90.0)}}, 91, false},
		{"number below min", checklist.Question{Type: checklist.Number, Pass: &checklist.PassCriteria{Min: ptr(12.0)}}, 8.0, false},
		{"text not empty", checklist.Question{Type: checklist.Text, Pass: &checklist.PassCriteria{NotEmpty: true}}, "  ", false},
		{"date fresh", checklist.Question{Type: checklist.Date, Pass: &checklist.PassCriteria{MaxAgeDays: 365}}, "2026-01-01", true},
		{"date too old", checklist.Question{Type: checklist.Date, Pass: &checklist.PassCriteria{MaxAgeDays: 365}}, "2025-11-21", false},
		{"date exactly N days", checklist.Question{Type: checklist.Date, Pass: &checklist.PassCriteria{MaxAgeDays: 365}}, "2025-11-22", true},
		{"date in the future", checklist.Question{Type: checklist.Date, Pass: &checklist.PassCriteria{MaxAgeDays: 365}}, "2026-12-01", false},
		{"multiselect none_of", checklist.Question{Type: checklist.MultiSelect, Pass: &checklist.PassCriteria{NoneOf: []string{"md5"}}}, []string{"sha256", "md5"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := tt.q.Pass.Check(tt.v, now)
			assert.Equal(t, tt.want, got, why)
			if !got {
				assert.NotEmpty(t, why)
			}
		})
	}
}

// gateChecklist has one control per severity; each is answered by q.
func gateChecklist() *checklist.Checklist {
	q := []checklist.Question{{ID: "q", Type: checklist.Confirm, Pass: &checklist.PassCriteria{Equals: ptr(true)}}}
	cl := &checklist.Checklist{ID: "t", Sections: []checklist.Section{{ID: "a", Title: "A"}, {ID: "b", Title: "B"}}}
	cl.Sections[0].Controls = []checklist.Control{{ID: "CRIT", Severity: checklist.Critical, Questions: q}, {ID: "HIGH", Severity: checklist.High, Questions: q}}
	cl.Sections[1].Controls = []checklist.Control{{ID: "MED", Severity: checklist.Medium, Questions: q}, {ID: "LOW", Severity: checklist.Low, Questions: q, AllowNotApplicable: true}}
	return cl
}

func answered(vals map[string]any) *answers.File {
	f := answers.New("", "t")
	for id, v := range vals {
		if s, ok := v.(string); ok {
			f.Controls[id] = &answers.Control{NotApplicable: s}
		} else {
			f.Controls[id] = &answers.Control{Answers: map[string]any{"q": v}}
		}
	}
	return f
}

func TestScoreAndGate(t *testing.T) {
	tests := []struct {
		name       string
		vals       map[string]any
		exceptions []Exception
		opts       Options
		score      int
		verdict    string
		reasons    []string
	}{
		{"all pass", map[string]any{"CRIT": true, "HIGH": true, "MED": true, "LOW": true}, nil, Options{}, 100, Ready, nil},
		// weights 10+5+3+1 = 19; a failed low loses 1/19
		{"low fails: ready by default", map[string]any{"CRIT": true, "HIGH": true, "MED": true, "LOW": false}, nil, Options{}, 95, Ready, nil},
		{"low fails with --fail-on low", map[string]any{"CRIT": true, "HIGH": true, "MED": true, "LOW": false}, nil,
			Options{FailOn: checklist.Low}, 95, NotReady, []string{"LOW (low) failed"}},
		{"medium fails: ready at high", map[string]any{"CRIT": true, "HIGH": true, "MED": false, "LOW": true}, nil, Options{}, 84, Ready, nil},
		{"high fails", map[string]any{"CRIT": true, "HIGH": false, "MED": true, "LOW": true}, nil, Options{}, 74, NotReady, []string{"HIGH (high) failed"}},
		{"critical fails with --fail-on critical", map[string]any{"CRIT": false, "HIGH": false, "MED": true, "LOW": true}, nil,
			Options{FailOn: checklist.Critical}, 21, NotReady, []string{"CRIT (critical) failed"}},
		{"unanswered blocks", map[string]any{"CRIT": true, "HIGH": true}, nil, Options{}, 79, NotReady, []string{"2 control(s) not tested (unanswered): MED, LOW"}},
		{"unanswered allowed", map[string]any{"CRIT": true, "HIGH": true}, nil, Options{AllowUnanswered: true}, 79, Ready, nil},
		// N/A low is left out: 15/18
		{"n/a excluded from score", map[string]any{"CRIT": true, "HIGH": true, "MED": false, "LOW": "no UI"}, nil, Options{}, 83, Ready, nil},
		{"excepted high counts half and passes the gate", map[string]any{"CRIT": true, "HIGH": false, "MED": true, "LOW": true},
			[]Exception{{Control: "HIGH", Justification: "compensating WAF", ApprovedBy: "CISO", Expires: "2026-11-22"}}, Options{}, 87, Ready, nil},
		{"expired exception is ignored", map[string]any{"CRIT": true, "HIGH": false, "MED": true, "LOW": true},
			[]Exception{{Control: "HIGH", Justification: "old", ApprovedBy: "CISO", Expires: "2026-11-21"}}, Options{}, 74, NotReady, []string{"HIGH (high) failed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Now = now
			r := Evaluate(gateChecklist(), answered(tt.vals), nil, tt.exceptions, tt.opts)
			assert.Equal(t, tt.score, r.Summary.Score)
			assert.Equal(t, tt.verdict, r.Summary.Verdict)
			assert.Equal(t, tt.reasons, r.Gate.Reasons)
			assert.Equal(t, 4, r.Summary.Total)
		})
	}
}

// A control whose probes did not run is not_tested and blocks the gate even
// with AllowUnanswered (which is about the questionnaire): a run that probed
// nothing is never ready. Some of its probes run → partial, which does not block.
func TestGateProbesNotRun(t *testing.T) {
	cl := gateChecklist()
	cl.Sections[1].Controls[1].Probes = []string{"http.hsts", "source.secrets"} // LOW: answered and probed
	all := map[string]any{"CRIT": true, "HIGH": true, "MED": true, "LOW": true}
	tests := []struct {
		name    string
		rs      []probes.Result
		opts    Options
		status  ControlStatus
		verdict string
		reasons []string
	}{
		{"no probe ran", nil, Options{}, ControlNotTested, NotReady,
			[]string{"1 control(s) not tested (their probes did not run; give --target, --source or --webhook-url): LOW"}},
		{"no probe ran, unanswered allowed: still blocks", nil, Options{AllowUnanswered: true}, ControlNotTested, NotReady,
			[]string{"1 control(s) not tested (their probes did not run; give --target, --source or --webhook-url): LOW"}},
		{"one of two ran: partial, ready", []probes.Result{res("http.hsts", probes.Pass)}, Options{}, ControlPartial, Ready, nil},
		{"unanswered and no probe ran, unanswered allowed: still blocks", nil, Options{AllowUnanswered: true}, ControlNotTested, NotReady,
			[]string{"1 control(s) not tested (their probes did not run; give --target, --source or --webhook-url): LOW"}},
		{"both ran", []probes.Result{res("http.hsts", probes.Pass), res("source.secrets", probes.Pass)}, Options{}, ControlPass, Ready, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Now = now
			vals := all
			if strings.HasPrefix(tt.name, "unanswered") { // LOW left unanswered too
				vals = map[string]any{"CRIT": true, "HIGH": true, "MED": true}
			}
			r := Evaluate(cl, answered(vals), tt.rs, nil, tt.opts)
			assert.Equal(t, tt.status, r.Controls[3].Status)
			assert.Equal(t, tt.verdict, r.Summary.Verdict)
			assert.Equal(t, tt.reasons, r.Gate.Reasons)
		})
	}
}

func TestProbeNotRunSaysWhatToGive(t *testing.T) {
	cl := oneControl(checklist.High, nil, []string{"tls.versions", "source.secrets", "webhook.signature"}, false)
	r := Evaluate(cl, ans(nil), []probes.Result{{ID: "tls.versions", Target: "http://a.test", Status: probes.Skipped, Summary: "not an https URL"}}, nil, Options{Now: now})
	var msgs []string
	for _, e := range r.Controls[0].Evidence {
		msgs = append(msgs, e.Message)
	}
	assert.Equal(t, []string{
		"probe not run: not an https URL",
		"probe not run: no source tree was given (--source DIR), or --only left it out",
		"probe not run: no webhook endpoint was given (--webhook-url URL), or --only left it out",
	}, msgs)
}

func TestExceptionsAndSections(t *testing.T) {
	exc := []Exception{
		{Control: "HIGH", Justification: "WAF", ApprovedBy: "CISO", Expires: "2027-01-01"},
		{Control: "MED", Justification: "old", ApprovedBy: "CISO", Expires: "2026-01-01"},
		{Control: "CRIT", Justification: "unused: it passes", ApprovedBy: "CISO", Expires: "2027-01-01"},
	}
	r := Evaluate(gateChecklist(), answered(map[string]any{"CRIT": true, "HIGH": false, "MED": false}), nil, exc, Options{Now: now, AllowUnanswered: true})
	assert.Equal(t, ControlPass, r.Controls[0].Status)
	assert.Nil(t, r.Controls[0].Exception)
	assert.Equal(t, ControlExcepted, r.Controls[1].Status)
	assert.Equal(t, &exc[0], r.Controls[1].Exception)
	assert.Equal(t, ControlFail, r.Controls[2].Status)
	assert.Equal(t, []Exception{exc[1]}, r.ExpiredExceptions)
	assert.Equal(t, Summary{Total: 4, Pass: 1, Fail: 1, NotTested: 1, Excepted: 1, Score: 66, Verdict: Ready}, r.Summary)
	require.Len(t, r.Sections, 2)
	assert.Equal(t, 1, r.Sections[0].Counts[ControlPass])
	assert.Equal(t, 1, r.Sections[0].Counts[ControlExcepted])
	assert.Equal(t, 1, r.Sections[1].Counts[ControlFail])
	assert.Equal(t, 1, r.Sections[1].Counts[ControlNotTested])
	assert.Equal(t, 0, r.Sections[1].Counts[ControlPass])
}

func TestParseExceptions(t *testing.T) {
	cl := gateChecklist()
	got, err := ParseExceptions("exceptions.yaml", []byte(`- control: HIGH
  justification: compensating WAF rule
  approved_by: Jane Roe (CISO)
  expires: 2027-03-31
`), cl)
	require.NoError(t, err)
	assert.Equal(t, []Exception{{Control: "HIGH", Justification: "compensating WAF rule", ApprovedBy: "Jane Roe (CISO)", Expires: "2027-03-31"}}, got)

	_, err = ParseExceptions("exceptions.yaml", []byte(`- control: NOPE
  justification: x
  approved_by: y
  expires: 2027-02-30
- control: HIGH
  justification: ""
  colour: red
- control: HIGH
  justification: again
  approved_by: z
  expires: 2027-01-01
`), cl)
	require.Error(t, err)
	assert.Equal(t, strings.Join([]string{
		`exceptions.yaml:1:12: [0].control: unknown control: checklist t has no control "NOPE"`,
		`exceptions.yaml:4:12: [0].expires: must be a date YYYY-MM-DD, got "2027-02-30"`,
		`exceptions.yaml:5:3: [1].approved_by: missing`,
		`exceptions.yaml:5:3: [1].expires: missing`,
		`exceptions.yaml:6:18: [1].justification: must not be empty`,
		`exceptions.yaml:7:3: [1].colour: unknown field (known: approved_by, control, expires, justification)`,
		`exceptions.yaml:8:12: [2].control: a second exception for HIGH (the first is [1])`,
	}, "\n"), strings.Join(err.(*answers.Errors).Lines(), "\n"))

	_, err = ParseExceptions("x.yaml", []byte("control: HIGH\n"), cl)
	assert.EqualError(t, err, "x.yaml:1:1: expected a list of exceptions (- control: …, justification: …, approved_by: …, expires: YYYY-MM-DD)")
}

func TestExceptionAppliesToFailAndPartialOnly(t *testing.T) {
	q := []checklist.Question{{ID: "q", Type: checklist.Confirm, Pass: &checklist.PassCriteria{Equals: ptr(true)}}}
	exc := []Exception{{Control: "C", Justification: "j", ApprovedBy: "a", Expires: "2030-01-01"}}
	tests := []struct {
		name string
		a    *answers.Control
		rs   []probes.Result
		want ControlStatus
	}{
		{"fail becomes excepted", &answers.Control{Answers: map[string]any{"q": false}}, []probes.Result{res("http.hsts", probes.Pass)}, ControlExcepted},
		{"partial becomes excepted", &answers.Control{Answers: map[string]any{"q": true}}, []probes.Result{res("http.hsts", probes.Warn)}, ControlExcepted},
		{"error stays error: nothing was judged", &answers.Control{Answers: map[string]any{"q": true}}, []probes.Result{res("http.hsts", probes.Error)}, ControlError},
		{"not tested stays not tested", nil, []probes.Result{res("http.hsts", probes.Pass)}, ControlNotTested},
		{"pass stays pass", &answers.Control{Answers: map[string]any{"q": true}}, []probes.Result{res("http.hsts", probes.Pass)}, ControlPass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Evaluate(oneControl(checklist.Critical, q, []string{"http.hsts"}, false), ans(tt.a), tt.rs, exc, Options{Now: now})
			assert.Equal(t, tt.want, r.Controls[0].Status)
			assert.Equal(t, tt.want == ControlExcepted, r.Controls[0].Exception != nil)
		})
	}
}

// A plain http:// target leaves the TLS probes nothing to check: the
// control is not tested (and says why in the gate), not partial.
func TestPlainHTTPTargetLeavesTLSControlNotTested(t *testing.T) {
	yes := true
	cl := &checklist.Checklist{ID: "t", Sections: []checklist.Section{{ID: "s", Controls: []checklist.Control{
		{ID: "TLS", Severity: checklist.Critical, Probes: []string{"tls.versions", "http.hsts"},
			Questions: []checklist.Question{{ID: "q", Type: checklist.Confirm, Pass: &checklist.PassCriteria{Equals: &yes}}}},
	}}}}
	ans := answers.New("", "t")
	ans.Controls["TLS"] = &answers.Control{Answers: map[string]any{"q": true}}
	rs := []probes.Result{
		{ID: "tls.versions", Target: "http://app.example/", Status: probes.Skipped, Summary: "plain http:// target: no TLS to probe"},
		{ID: "http.hsts", Target: "http://app.example/", Status: probes.Pass, Summary: "ok"},
	}
	r := Evaluate(cl, ans, rs, nil, Options{})
	require.Equal(t, ControlNotTested, r.Controls[0].Status)
	assert.Equal(t, NotReady, r.Summary.Verdict)
	assert.Equal(t, []string{"1 control(s) not tested (their TLS probes were skipped: the target is plain http://; give its https:// URL): TLS"}, r.Gate.Reasons)
}
