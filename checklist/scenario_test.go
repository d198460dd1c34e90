package checklist_test

// Scenario tests: for each defect the checklist audit found
// (../shared/checklist-audit.md, D1-D15 and the "next in line" items), an
// honest team's answers (and, where a probe decides, real probe observations)
// that must fail and ones that must pass. Each goes through the real answers
// loader (answers.LoadFor, which validates against the checklist) and
// assessment.Evaluate.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/probes/all"
	"github.com/selfassess/selfassess/probes/sourceprobe"
)

// scenario is one control of one built-in, answered one way.
type scenario struct {
	name      string
	checklist string
	control   string
	// answers is the control's entry in the answers file (indented under
	// controls.<control>:), e.g. "answers: {q: true}".
	answers string
	// results are probe observations (nil: no probe ran).
	results []probes.Result
	// exception, when set, is an approved exception for the control.
	exception bool
	// want is the control's status; invalid, when set, is instead a part of
	// the loader's error (the answers are refused).
	want    assessment.ControlStatus
	invalid string
}

// evaluate writes the answers file, loads it with the real loader and
// evaluates the checklist as of asOf.
func evaluate(t *testing.T, s scenario) (*assessment.Control, error) {
	t.Helper()
	cl := load(t, s.checklist)
	var body strings.Builder
	fmt.Fprintf(&body, "schema: %s\nchecklist: %s\ncontrols:\n  %s:\n", answers.SchemaID, s.checklist, s.control)
	for _, line := range strings.Split(strings.TrimSpace(s.answers), "\n") {
		body.WriteString("    " + line + "\n")
	}
	path := filepath.Join(t.TempDir(), "answers.yaml")
	if err := os.WriteFile(path, []byte(body.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := answers.LoadFor(path, cl)
	if err != nil {
		return nil, err
	}
	var exs []assessment.Exception
	if s.exception {
		exs = append(exs, assessment.Exception{Control: s.control, Justification: "egress control lands in Q2",
			ApprovedBy: "CISO", Expires: "2027-06-30"})
	}
	res := assessment.Evaluate(cl, f, s.results, exs, assessment.Options{Now: asOf})
	for i := range res.Controls {
		if res.Controls[i].ID == s.control {
			return &res.Controls[i], nil
		}
	}
	t.Fatalf("%s: no control %s in the results", s.checklist, s.control)
	return nil, nil
}

func runScenarios(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			c, err := evaluate(t, s)
			if s.invalid != "" {
				if err == nil || !strings.Contains(err.Error(), s.invalid) {
					t.Fatalf("loading the answers: error %v, want one containing %q", err, s.invalid)
				}
				return
			}
			if err != nil {
				t.Fatalf("loading the answers: %v", err)
			}
			if c.Status != s.want {
				t.Fatalf("%s: status %s, want %s; evidence:\n%s", s.control, c.Status, s.want, evidenceLines(c))
			}
		})
	}
}

func evidenceLines(c *assessment.Control) string {
	var b strings.Builder
	for _, e := range c.Evidence {
		fmt.Fprintf(&b, "  [%s] %s %s: %s\n", e.Status, e.Kind, e.Source, e.Message)
	}
	return b.String()
}

// D1: every environment's keys get a period and a last-regenerated date with
// Fincept's maximum age; "no keys at all" is not a way around it.
func TestScenarioKeyRotation(t *testing.T) {
	var scenarios []scenario
	for _, c := range []struct{ cl, ctl string }{{"fincept", "FX-ACCOUNT-KEY-ROTATION"}, {"baseline", "BL-CRED-ROTATION"}} {
		add := func(name, ans string, want assessment.ControlStatus) {
			scenarios = append(scenarios, scenario{name: c.cl + "/" + name, checklist: c.cl, control: c.ctl, answers: ans, want: want})
		}
		add("no environment ticked fails", `
answers:
  keys-held: none
  enterprise-plan: false
  compromised-immediately: true`, assessment.ControlFail)
		add("both environments within their periods pass", `
answers:
  keys-held: production-and-development
  development-days: 180
  development-last-rotated: "2026-06-01"
  production-days: 90
  production-last-rotated: "2026-10-01"
  enterprise-plan: false
  compromised-immediately: true`, assessment.ControlPass)
		add("a development key older than 180 days fails", `
answers:
  keys-held: production-and-development
  development-days: 180
  development-last-rotated: "2026-01-01"
  production-days: 90
  production-last-rotated: "2026-10-01"
  enterprise-plan: false
  compromised-immediately: true`, assessment.ControlFail)
		add("development keys without a date are untested", `
answers:
  keys-held: development
  development-days: 90
  enterprise-plan: false
  compromised-immediately: true`, assessment.ControlNotTested)
		add("an enterprise plan tightens production to 60 days", `
answers:
  keys-held: production
  production-days: 90
  production-last-rotated: "2026-09-01"
  enterprise-plan: true
  enterprise-days: 60
  enterprise-last-rotated: "2026-09-01"
  compromised-immediately: true`, assessment.ControlFail)
		add("an enterprise key rotated within 60 days passes", `
answers:
  keys-held: production
  production-days: 60
  production-last-rotated: "2026-10-15"
  enterprise-plan: true
  enterprise-days: 45
  enterprise-last-rotated: "2026-10-15"
  compromised-immediately: true`, assessment.ControlPass)
		scenarios = append(scenarios, scenario{name: c.cl + "/the old empty multiselect is refused", checklist: c.cl, control: c.ctl,
			answers: "answers:\n  " + map[string]string{"fincept": "account-types", "baseline": "environments"}[c.cl] + ": []\n  compromised-immediately: true",
			invalid: "unknown question"})
	}
	runScenarios(t, scenarios)
}

// D2: Turris's 60-minute lifetime and 5-minute buffer are pass criteria, not
// help text; FinCode's "typically 1 hour" means the expiry is read, not assumed.
func TestScenarioTokenRefresh(t *testing.T) {
	runScenarios(t, []scenario{
		{name: "turris/a 1-minute buffer fails", checklist: "turris", control: "TU-TOKEN-REFRESH", want: assessment.ControlFail, answers: `
answers: {before-expiry: true, expiry-source: expires-in, buffer-minutes: 1}`},
		{name: "turris/an assumed 120-minute lifetime fails", checklist: "turris", control: "TU-TOKEN-REFRESH", want: assessment.ControlFail, answers: `
answers: {before-expiry: true, expiry-source: assumed-ttl, assumed-ttl-minutes: 120, buffer-minutes: 5}`},
		{name: "turris/the document's 60 minus 5 passes", checklist: "turris", control: "TU-TOKEN-REFRESH", want: assessment.ControlPass, answers: `
answers: {before-expiry: true, expiry-source: assumed-ttl, assumed-ttl-minutes: 60, buffer-minutes: 5}`},
		{name: "turris/expires_in with a 5-minute buffer passes", checklist: "turris", control: "TU-TOKEN-REFRESH", want: assessment.ControlPass, answers: `
answers: {before-expiry: true, expiry-source: expires-in, buffer-minutes: 5}`},
		{name: "baseline/a 1-minute buffer fails", checklist: "baseline", control: "BL-TOKEN-REFRESH", want: assessment.ControlFail, answers: `
answers: {before-expiry: true, expiry-source: token-expiry, buffer-minutes: 1, failed-refresh: true}`},
		{name: "baseline/an assumed lifetime fails", checklist: "baseline", control: "BL-TOKEN-REFRESH", want: assessment.ControlFail, answers: `
answers: {before-expiry: true, expiry-source: assumed, buffer-minutes: 5, failed-refresh: true}`},
		{name: "baseline/token expiry and 5 minutes pass", checklist: "baseline", control: "BL-TOKEN-REFRESH", want: assessment.ControlPass, answers: `
answers: {before-expiry: true, expiry-source: token-expiry, buffer-minutes: 5, failed-refresh: true}`},
		{name: "fincode/an assumed 1-hour lifetime fails", checklist: "fincode", control: "FC-TOKEN-REFRESH", want: assessment.ControlFail, answers: `
answers: {check-expiry: true, expiry-source: assumed, buffer-minutes: 5}`},
		{name: "fincode/refresh when expired, read from the token, passes", checklist: "fincode", control: "FC-TOKEN-REFRESH", want: assessment.ControlPass, answers: `
answers: {check-expiry: true, expiry-source: token-expiry, buffer-minutes: 0}`},
	})
}

// D3: client-side rate limiting is the client's own throttling, asked; no
// --target is needed, and the team's own inbound limits do not judge it.
func TestScenarioClientRateLimiting(t *testing.T) {
	inbound := []probes.Result{{ID: "http.rate-limit", Target: "https://app.test/", Status: probes.Fail, Summary: "no 429 after 50 requests"}}
	var scenarios []scenario
	for _, c := range []struct{ cl, ctl, pass, fail string }{
		{"finhub", "FH-API-RATE-LIMITING", "{client-throttle: true, backoff-429: true}", "{client-throttle: true, backoff-429: false}"},
		{"turris", "TU-NET-RATE-LIMIT", "{client-throttle: true, backoff-429: true}", "{client-throttle: false, backoff-429: true}"},
		{"fincept", "FX-APP-RATE-LIMITING", "{client-throttle: true, reads-headers: true}", "{client-throttle: true, reads-headers: false}"},
		{"baseline", "BL-APP-RATE-LIMITING", "{client-throttle: true, backoff-429: true, reads-headers: true}", "{client-throttle: true, backoff-429: false, reads-headers: true}"},
	} {
		scenarios = append(scenarios,
			scenario{name: c.cl + "/answered without --target passes", checklist: c.cl, control: c.ctl, answers: "answers: " + c.pass, want: assessment.ControlPass},
			scenario{name: c.cl + "/own endpoints without 429 do not fail it", checklist: c.cl, control: c.ctl, answers: "answers: " + c.pass,
				results: inbound, want: assessment.ControlPass},
			scenario{name: c.cl + "/no throttling or back-off fails", checklist: c.cl, control: c.ctl, answers: "answers: " + c.fail, want: assessment.ControlFail},
		)
	}
	runScenarios(t, scenarios)
}

// writeTree makes a source tree (not a git repository) from name → content.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// scanTree runs the real source probes over dir, once per parameter set
// the built-in checklists ask for (as `run` does for one checklist).
func scanTree(t *testing.T, dir string) []probes.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return probes.Run(ctx, []probes.Family{sourceprobe.NewFamily()}, []probes.Target{{Kind: probes.KindSource, Value: dir}},
		probes.Config{Only: []string{"source.secrets", "source.gitignore"}, ParamSets: builtinParamSets(t)})
}

// builtinParamSets merges the probe parameter sets of every built-in
// checklist, so that one probe run serves the scenarios of all of them.
func builtinParamSets(t *testing.T) map[string][]probes.Params {
	t.Helper()
	out := map[string][]probes.Params{}
	seen := map[string]bool{}
	for _, id := range checklist.BuiltinIDs() {
		for pid, sets := range load(t, id).ProbeParamSets() {
			for _, set := range sets {
				if k := pid + "\x00" + probes.ParamsKey(pid, set); !seen[k] {
					seen[k] = true
					out[pid] = append(out[pid], set)
				}
			}
		}
	}
	return out
}

func probeStatus(rs []probes.Result, id string) probes.Status {
	for _, r := range rs {
		if r.ID == id {
			return r.Status
		}
	}
	return ""
}

const finceptGitignore = ".env\n.env.local\nconfig.json\nsecrets.*\n*.key\n"

// The document's Good example: the key comes from the environment.
const envKeyClient = "import os\n\nAPI_KEY = os.getenv(\"FINCEPT_API_KEY\")\n"

// D4: a tree that holds no secret and reads its key from the environment
// passes the hardcoding controls whatever its .gitignore lacks of a list no
// provider wrote; a committed key still fails.
func TestScenarioHardcodingNotJudgedByGitignore(t *testing.T) {
	clean := scanTree(t, writeTree(t, map[string]string{".gitignore": finceptGitignore, "client.py": envKeyClient}))
	if probeStatus(clean, "source.secrets") != probes.Pass {
		t.Fatalf("premise: source.secrets should pass the clean tree: %+v", clean)
	}
	leaky := scanTree(t, writeTree(t, map[string]string{".gitignore": finceptGitignore,
		"client.py": "API_KEY = \"fk_user_Hy8kL2mN9pQ1rS3tU5vW7xY9zA\"\n"}))
	if probeStatus(leaky, "source.secrets") != probes.Fail {
		t.Fatalf("premise: source.secrets should fail the committed key: %+v", leaky)
	}
	var scenarios []scenario
	for _, c := range []struct{ cl, ctl, ans string }{
		{"finhub", "FH-ISSUE-HARDCODED-CREDENTIALS", "{runtime-source: environment}"},
		{"turris", "TU-CRED-SECURE-STORAGE", "{runtime-source: environment}"},
		{"baseline", "BL-CRED-NO-HARDCODING", "{runtime-source: environment}"},
		{"fincode", "FC-CRED-NO-HARDCODING", "{runtime-source: ignored-config-file}"},
		{"fincept", "FX-KEY-NO-HARDCODING", "{runtime-source: ignored-config-file}"},
	} {
		scenarios = append(scenarios,
			scenario{name: c.cl + "/env key, no secret passes", checklist: c.cl, control: c.ctl, answers: "answers: " + c.ans, results: clean, want: assessment.ControlPass},
			scenario{name: c.cl + "/committed key fails", checklist: c.cl, control: c.ctl, answers: "answers: " + c.ans, results: leaky, want: assessment.ControlFail},
		)
	}
	scenarios = append(scenarios,
		scenario{name: "fincode/config files not ignored fails", checklist: "fincode", control: "FC-CRED-VERSION-CONTROL",
			answers: "answers: {history-checked: true, config-ignored: false}", want: assessment.ControlFail},
		scenario{name: "fincode/a committed config file is not a runtime source", checklist: "fincode", control: "FC-CRED-NO-HARDCODING",
			answers: "answers: {runtime-source: config-file}", results: clean, want: assessment.ControlFail},
	)
	runScenarios(t, scenarios)
}

// D4, Fincept: exactly the five entries of the document pass FX-KEY-GITIGNORE
// and config.json is checked: source.gitignore takes its required patterns
// from the control's parameters.
func TestScenarioFinceptGitignore(t *testing.T) {
	cl := load(t, "fincept")
	ctl, _ := cl.Control("FX-KEY-GITIGNORE")
	if raw := string(cl.Raw); !strings.Contains(raw, "id: source.gitignore") {
		t.Skipf("TODO(params): FX-KEY-GITIGNORE links source.gitignore without parameters (%v); "+
			"it needs {id: source.gitignore, with: {required: [.env, .env.local, config.json, secrets.*, *.key]}}", ctl.Probes)
	}
	exact := scanTree(t, writeTree(t, map[string]string{".gitignore": finceptGitignore, "client.py": envKeyClient}))
	noConfig := scanTree(t, writeTree(t, map[string]string{".gitignore": ".env\n.env.local\nsecrets.*\n*.key\n", "client.py": envKeyClient}))
	runScenarios(t, []scenario{
		{name: "the five entries pass", checklist: "fincept", control: "FX-KEY-GITIGNORE", answers: "answers: {all-repos: true}", results: exact, want: assessment.ControlPass},
		{name: "without config.json fails", checklist: "fincept", control: "FX-KEY-GITIGNORE", answers: "answers: {all-repos: true}", results: noConfig, want: assessment.ControlFail},
	})
}

// D5: Turris forbids localStorage for sensitive applications only.
func TestScenarioTurrisTokenStorage(t *testing.T) {
	cl := load(t, "turris")
	if ctl, _ := cl.Control("TU-TOKEN-STORAGE"); ctl.Severity != checklist.High {
		t.Errorf("TU-TOKEN-STORAGE is %s; a conditional best practice is high", ctl.Severity)
	}
	runScenarios(t, []scenario{
		{name: "sensitive app with localStorage fails", checklist: "turris", control: "TU-TOKEN-STORAGE", want: assessment.ControlFail,
			answers: "answers: {sensitive: true, local-storage: true}"},
		{name: "sensitive app keeping tokens in memory passes", checklist: "turris", control: "TU-TOKEN-STORAGE", want: assessment.ControlPass,
			answers: "answers: {sensitive: true, local-storage: false}"},
		{name: "an application that is not sensitive passes", checklist: "turris", control: "TU-TOKEN-STORAGE", want: assessment.ControlPass,
			answers: "answers: {sensitive: false}"},
		{name: "sessionStorage seen by a probe does not fail it", checklist: "turris", control: "TU-TOKEN-STORAGE", want: assessment.ControlPass,
			answers: "answers: {sensitive: true, local-storage: false}",
			results: []probes.Result{{ID: "js.token-storage", Target: "https://app.test/", Status: probes.Fail, Summary: "sessionStorage.setItem(\"token\")"}}},
	})
}

// D6: FinCode's RBAC asks for the integration's own, narrowest role.
func TestScenarioFinCodeLeastPrivilegeRole(t *testing.T) {
	runScenarios(t, []scenario{
		{name: "a tenant admin fails", checklist: "fincode", control: "FC-ACCESS-LEAST-PRIVILEGE-ROLE", want: assessment.ControlFail,
			answers: "answers: {own-identity: true, role: tenant-admin, reviewed: true}"},
		{name: "a person's account fails", checklist: "fincode", control: "FC-ACCESS-LEAST-PRIVILEGE-ROLE", want: assessment.ControlFail,
			answers: "answers: {own-identity: false, role: narrowest, reviewed: true}"},
		{name: "its own identity with the narrowest role passes", checklist: "fincode", control: "FC-ACCESS-LEAST-PRIVILEGE-ROLE", want: assessment.ControlPass,
			answers: "answers: {own-identity: true, role: narrowest, reviewed: true}"},
	})
}

// D7: the last rotation is judged by the team's own stated policy period.
func TestScenarioTurrisRotationFollowsOwnPolicy(t *testing.T) {
	runScenarios(t, []scenario{
		{name: "a 2019 date fails a 90-day policy", checklist: "turris", control: "TU-CRED-ROTATION", want: assessment.ControlFail,
			answers: `answers: {policy-days: 90, last-rotated: "2019-01-01"}`},
		{name: "325 days fails a 90-day policy", checklist: "turris", control: "TU-CRED-ROTATION", want: assessment.ControlFail,
			answers: `answers: {policy-days: 90, last-rotated: "2026-01-01"}`},
		{name: "325 days passes a 365-day policy", checklist: "turris", control: "TU-CRED-ROTATION", want: assessment.ControlPass,
			answers: `answers: {policy-days: 365, last-rotated: "2026-01-01"}`},
		{name: "within a 90-day policy passes", checklist: "turris", control: "TU-CRED-ROTATION", want: assessment.ControlPass,
			answers: `answers: {policy-days: 90, last-rotated: "2026-10-01"}`},
		{name: "a date in the future fails", checklist: "turris", control: "TU-CRED-ROTATION", want: assessment.ControlFail,
			answers: `answers: {policy-days: 90, last-rotated: "2027-01-01"}`},
	})
}

// D8: FinCode's "if possible": justified, encrypted persistence passes.
func TestScenarioFinCodeTokenInMemoryIfPossible(t *testing.T) {
	runScenarios(t, []scenario{
		{name: "an unjustified database fails", checklist: "fincode", control: "FC-TOKEN-IN-MEMORY", want: assessment.ControlFail,
			answers: "answers: {location: database}"},
		{name: "justified, encrypted persistence passes", checklist: "fincode", control: "FC-TOKEN-IN-MEMORY", want: assessment.ControlPass,
			answers: "answers: {location: persisted-justified, justification: \"serverless functions share no memory; AES-256-GCM row encryption, FC-TOKEN-ENCRYPTION\"}"},
		{name: "persistence without a justification is untested", checklist: "fincode", control: "FC-TOKEN-IN-MEMORY", want: assessment.ControlNotTested,
			answers: "answers: {location: persisted-justified}"},
		{name: "memory passes", checklist: "fincode", control: "FC-TOKEN-IN-MEMORY", want: assessment.ControlPass,
			answers: "answers: {location: process-memory}"},
	})
}

// D9, D13, D15: the baseline's merged questions keep what each provider
// asks, so a team that passes the baseline passes the provider.
func TestBaselineMergesKeepProviderContent(t *testing.T) {
	cl := load(t, "baseline")
	must := map[string][]string{
		"BL-CRED-NO-CLIENT-EXPOSURE": {"clientId", "client secrets", "API keys"},
		"BL-CRED-PER-ENVIRONMENT":    {"own credentials", "Fincept", "own account"},
		"BL-VULN-REPORTING": {"immediately", "hello@fincode.co.uk", "Fincept", "description", "steps to reproduce", "impact", "contact",
			"public disclosure", "production", "exploit code"},
		"BL-APP-ERROR-HANDLING":      {"handled explicitly"},
		"BL-DATA-ENCRYPTION-AT-REST": {"algorithm"},
	}
	for id, phrases := range must {
		ctl, _ := cl.Control(id)
		if ctl == nil {
			t.Errorf("%s missing", id)
			continue
		}
		var prompts []string
		for _, q := range ctl.Questions {
			if q.Pass != nil || q.Type == checklist.Text {
				prompts = append(prompts, q.Prompt)
			}
		}
		text := strings.ToLower(strings.Join(prompts, "\n"))
		for _, p := range phrases {
			if !strings.Contains(text, strings.ToLower(p)) {
				t.Errorf("%s: no question asks about %q:\n%s", id, p, text)
			}
		}
	}
	runScenarios(t, []scenario{
		{name: "clientId in the SPA fails", checklist: "baseline", control: "BL-CRED-NO-CLIENT-EXPOSURE", want: assessment.ControlFail,
			answers: "answers: {server-side-only: false}"},
		{name: "a shared Fincept account fails", checklist: "baseline", control: "BL-CRED-PER-ENVIRONMENT", want: assessment.ControlFail,
			answers: "answers: {separate: false}"},
		{name: "a procedure without the Do-NOTs fails", checklist: "baseline", control: "BL-VULN-REPORTING", want: assessment.ControlFail,
			answers: "answers: {procedure: true, rules: false}"},
		{name: "the full procedure passes", checklist: "baseline", control: "BL-VULN-REPORTING", want: assessment.ControlPass,
			answers: "answers: {procedure: true, rules: true}"},
	})
}

// tlsSite starts an HTTPS server and returns its URL and a probe config that
// trusts it.
func tlsSite(t *testing.T, h http.HandlerFunc) (string, probes.Config) {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return srv.URL + "/", probes.Config{Timeout: 5 * time.Second, RootCAs: pool}
}

// probeSite runs the named real probes against url.
func probeSite(t *testing.T, url string, cfg probes.Config, ids ...string) []probes.Result {
	t.Helper()
	cfg.Only = ids
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rs := probes.Run(ctx, all.Families(), []probes.Target{{Kind: probes.KindURL, Value: url}}, cfg)
	for _, r := range rs {
		if !slices.Contains(ids, r.ID) {
			t.Fatalf("unexpected result %s", r.ID)
		}
	}
	return rs
}

// D10: session management is judged by the session cookie and the session
// questions, not by CSP, nosniff or frame options.
func TestScenarioSessionManagement(t *testing.T) {
	cookie := func(flags string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Set-Cookie", "session=7f3c9a1e5b2d4f60a8c1e3b5d7f9a2c4; Path=/"+flags)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<!doctype html><title>app</title><p>hello</p>")
		}
	}
	good, cfg := tlsSite(t, cookie("; Secure; HttpOnly; SameSite=Lax"))
	goodRs := probeSite(t, good, cfg, "http.cookies", "http.headers")
	if probeStatus(goodRs, "http.cookies") != probes.Pass || probeStatus(goodRs, "http.headers") != probes.Fail {
		t.Fatalf("premise: a correct cookie and no CSP/XCTO/XFO: %+v", goodRs)
	}
	bad, cfg := tlsSite(t, cookie("; Secure"))
	badRs := probeSite(t, bad, cfg, "http.cookies")
	if probeStatus(badRs, "http.cookies") != probes.Fail {
		t.Fatalf("premise: a session cookie without HttpOnly fails http.cookies: %+v", badRs)
	}
	const yes = "answers: {new-id-at-login: true, expiry: true, logout-invalidates: true}"
	var scenarios []scenario
	for _, c := range []struct{ cl, ctl string }{{"finhub", "FH-AUTH-SESSION-MANAGEMENT"}, {"baseline", "BL-SESSION-MANAGEMENT"}} {
		scenarios = append(scenarios,
			scenario{name: c.cl + "/correct cookie, no CSP passes", checklist: c.cl, control: c.ctl, answers: yes, results: goodRs, want: assessment.ControlPass},
			scenario{name: c.cl + "/cookie without HttpOnly fails", checklist: c.cl, control: c.ctl, answers: yes, results: badRs, want: assessment.ControlFail},
			scenario{name: c.cl + "/no server-side logout fails", checklist: c.cl, control: c.ctl, results: goodRs, want: assessment.ControlFail,
				answers: "answers: {new-id-at-login: true, expiry: true, logout-invalidates: false}"},
		)
	}
	runScenarios(t, scenarios)
}

// D11: Fincept's firewall rule is unconditional: no N/A; an exception is the
// way to accept the risk.
func TestScenarioEgressHasNoNotApplicable(t *testing.T) {
	runScenarios(t, []scenario{
		{name: "fincept/N/A is refused", checklist: "fincept", control: "FX-NET-FIREWALL", invalid: "cannot be not applicable",
			answers: "not_applicable: our platform offers no egress control"},
		{name: "baseline/N/A is refused", checklist: "baseline", control: "BL-NET-EGRESS", invalid: "cannot be not applicable",
			answers: "not_applicable: our platform offers no egress control"},
		{name: "fincept/no egress control fails", checklist: "fincept", control: "FX-NET-FIREWALL", want: assessment.ControlFail,
			answers: "answers: {egress-restricted: false}"},
		{name: "fincept/an approved exception accepts the risk", checklist: "fincept", control: "FX-NET-FIREWALL", want: assessment.ControlExcepted,
			answers: "answers: {egress-restricted: false}", exception: true},
	})
}

// D12: VPN, restricted API access and (enterprise only) IP whitelisting are
// three questions.
func TestScenarioFinceptPrivateNetwork(t *testing.T) {
	runScenarios(t, []scenario{
		{name: "enterprise without IP whitelisting fails", checklist: "fincept", control: "FX-NET-PRIVATE-NETWORK", want: assessment.ControlFail,
			answers: "answers: {vpn: true, api-access-restricted: true, enterprise: true, ip-whitelisting: false}"},
		{name: "no enterprise account: whitelisting is not asked", checklist: "fincept", control: "FX-NET-PRIVATE-NETWORK", want: assessment.ControlPass,
			answers: "answers: {vpn: true, api-access-restricted: true, enterprise: false}"},
		{name: "unrestricted API access fails", checklist: "fincept", control: "FX-NET-PRIVATE-NETWORK", want: assessment.ControlFail,
			answers: "answers: {vpn: true, api-access-restricted: false, enterprise: false}"},
		{name: "no sensitive operations: N/A", checklist: "fincept", control: "FX-NET-PRIVATE-NETWORK", want: assessment.ControlNotApplicable,
			answers: "not_applicable: read-only market data, no sensitive operations"},
		{name: "baseline/VPN without restricted API access fails", checklist: "baseline", control: "BL-NET-PRIVATE-ACCESS", want: assessment.ControlFail,
			answers: "answers: {vpn: true, api-access-restricted: false}"},
	})
}

// D14: a version banner on a normal page is not error handling.
func TestScenarioErrorHandlingIgnoresBanners(t *testing.T) {
	url, cfg := tlsSite(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "nginx/1.18.0")
		if r.URL.Path != "/" {
			http.Error(w, "Not found", http.StatusNotFound)
			return
		}
		fmt.Fprint(w, "<!doctype html><title>app</title>")
	})
	rs := probeSite(t, url, cfg, "http.error-leak", "http.banners")
	if probeStatus(rs, "http.banners") != probes.Fail || probeStatus(rs, "http.error-leak") != probes.Pass {
		t.Fatalf("premise: a banner and generic errors: %+v", rs)
	}
	leaky, cfg2 := tlsSite(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, "Traceback (most recent call last):\n  File \"/srv/app/views.py\", line 42, in handler\n    raise KeyError(key)\nKeyError: 'x'\n")
			return
		}
		fmt.Fprint(w, "<!doctype html><title>app</title>")
	})
	leakRs := probeSite(t, leaky, cfg2, "http.error-leak")
	if probeStatus(leakRs, "http.error-leak") != probes.Fail {
		t.Fatalf("premise: a stack trace on an error page fails http.error-leak: %+v", leakRs)
	}
	var scenarios []scenario
	for _, c := range []struct{ cl, ctl, ans string }{
		{"finhub", "FH-API-ERROR-HANDLING", "{generic-messages: true}"},
		{"turris", "TU-REQ-ERROR-HANDLING", "{handled: true, generic-messages: true}"},
		{"fincept", "FX-APP-ERROR-HANDLING", "{generic: true}"},
		{"baseline", "BL-APP-ERROR-HANDLING", "{handled: true, generic-messages: true}"},
	} {
		scenarios = append(scenarios,
			scenario{name: c.cl + "/a banner on a normal page passes", checklist: c.cl, control: c.ctl, answers: "answers: " + c.ans, results: rs, want: assessment.ControlPass},
			scenario{name: c.cl + "/a stack trace on an error page fails", checklist: c.cl, control: c.ctl, answers: "answers: " + c.ans, results: leakRs, want: assessment.ControlFail},
		)
	}
	scenarios = append(scenarios, scenario{name: "turris/handled but raw messages fails", checklist: "turris", control: "TU-REQ-ERROR-HANDLING",
		answers: "answers: {handled: true, generic-messages: false}", results: rs, want: assessment.ControlFail})
	runScenarios(t, scenarios)
}

// Also from the audit: FinHub remediation is a commitment that can fail;
// Turris's "consider logging all API requests" is not mandatory.
func TestScenarioAlsoFromTheAudit(t *testing.T) {
	runScenarios(t, []scenario{
		{name: "finhub/a name without a commitment fails", checklist: "finhub", control: "FH-PROCESS-REMEDIATION", want: assessment.ControlFail,
			answers: "answers: {addressed-before-approval: false, owner: Head of Platform}"},
		{name: "finhub/the commitment passes", checklist: "finhub", control: "FH-PROCESS-REMEDIATION", want: assessment.ControlPass,
			answers: "answers: {addressed-before-approval: true, owner: Head of Platform}"},
		{name: "turris/usage logged and monitored, not every request, passes", checklist: "turris", control: "TU-ACCESS-MONITOR-USAGE", want: assessment.ControlPass,
			answers: "answers: {logged: true, monitored: true, every-request: false}"},
		{name: "turris/usage not logged fails", checklist: "turris", control: "TU-ACCESS-MONITOR-USAGE", want: assessment.ControlFail,
			answers: "answers: {logged: false, monitored: true}"},
		{name: "fincept/a procedure without the Include list fails", checklist: "fincept", control: "FX-REPORT-VULNERABILITIES", want: assessment.ControlFail,
			answers: "answers: {procedure: true, includes: false}"},
	})
}

// The *-ready answers stay ready: every question passes and, with every
// linked probe passing (a compliant target), the verdict is ready.
func TestReadyAnswersAreReadyAgainstCompliantTargets(t *testing.T) {
	for _, id := range checklist.BuiltinIDs() {
		cl := load(t, id)
		f, err := answers.LoadFor(filepath.Join("..", "testdata", "answers", id+"-ready.yaml"), cl)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		seen := map[string]bool{}
		var rs []probes.Result
		for _, sc := range cl.Controls() {
			for _, p := range sc.Control.Probes {
				// one passing result per probe and parameter set, as the runner gives
				set := sc.Control.ProbeParams(p)
				if k := p + "\x00" + probes.ParamsKey(p, set); !seen[k] {
					seen[k] = true
					rs = append(rs, probes.Result{ID: p, Target: "compliant", Status: probes.Pass, Params: probes.Resolve(p, set)})
				}
			}
		}
		res := assessment.Evaluate(cl, f, rs, nil, assessment.Options{Now: asOf})
		if res.Summary.Verdict != assessment.Ready || res.Summary.Pass != res.Summary.Total {
			t.Errorf("%s: verdict %s, %d of %d pass: %v", id, res.Summary.Verdict, res.Summary.Pass, res.Summary.Total, res.Gate.Reasons)
			for _, c := range res.Controls {
				if c.Status != assessment.ControlPass {
					t.Logf("%s %s:\n%s", c.ID, c.Status, evidenceLines(&c))
				}
			}
		}
	}
}

// compliantSite serves what every linked http.*, tls.* and js.* probe asks
// for, and a webhook endpoint (/hooks) that rejects unsigned events.
func compliantSite(t *testing.T) (string, probes.Config) {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		switch r.URL.Path {
		case "/":
			h.Set("Set-Cookie", "session=7f3c9a1e5b2d4f60a8c1e3b5d7f9a2c4; Path=/; Secure; HttpOnly; SameSite=Lax")
			h.Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<!doctype html><title>app</title><script src="/app.js"></script>`)
		case "/app.js":
			h.Set("Content-Type", "text/javascript")
			fmt.Fprint(w, `fetch("/api/me", {credentials: "same-origin"}).then(r => r.json());`)
		case "/hooks":
			http.Error(w, "invalid signature", http.StatusUnauthorized)
		default:
			http.Error(w, "Not found", http.StatusNotFound)
		}
	}))
	srv.TLS = &tls.Config{MinVersion: tls.VersionTLS12, CipherSuites: []uint16{
		tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return srv.URL + "/", probes.Config{Timeout: 5 * time.Second, RootCAs: pool}
}

// The *-ready answers give READY against compliant targets probed for real:
// an HTTPS site and webhook that meet every linked probe and a clean source
// tree. http.redirect asks port 80 of the loopback host, so the test serves
// the site's own permanent redirect there when it can bind the port; another
// process on it (a distribution's nginx, say) would be judged instead of
// the compliant site.
func TestReadyAnswersAreReadyAgainstRealCompliantTargets(t *testing.T) {
	if testing.Short() {
		t.Skip("probes real servers")
	}
	site, cfg := compliantSite(t)
	servePlainRedirect(t, site)
	src := writeTree(t, map[string]string{
		".gitignore": ".env\n.env.local\n.env.*.local\nconfig.json\nsecrets.*\n*.key\nid_rsa\nid_ed25519\ncredentials.json\n*.pem\n*.p12\n*.jks\n*.pfx\n.netrc\n.pypirc\n",
		"client.py": "import os\nimport requests\n\nAPI_KEY = os.getenv(\"FINCEPT_API_KEY\")\n\n\ndef quote(symbol):\n" +
			"    r = requests.get(\"https://finceptbackend.share.zrok.io/quote\", params={\"symbol\": symbol},\n" +
			"                     headers={\"X-API-Key\": API_KEY}, timeout=10)\n    return r.json()\n",
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg.ParamSets = builtinParamSets(t)
	rs := probes.Run(ctx, all.Families(), []probes.Target{
		{Kind: probes.KindURL, Value: site},
		{Kind: probes.KindWebhook, Value: site + "hooks"},
		{Kind: probes.KindSource, Value: src},
	}, cfg)
	for _, r := range rs {
		t.Logf("%s %s %s: %s", r.ID, r.Target, r.Status, r.Summary)
	}
	for _, id := range checklist.BuiltinIDs() {
		cl := load(t, id)
		f, err := answers.LoadFor(filepath.Join("..", "testdata", "answers", id+"-ready.yaml"), cl)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		res := assessment.Evaluate(cl, f, rs, nil, assessment.Options{Now: asOf})
		if res.Summary.Verdict != assessment.Ready || res.Summary.Pass != res.Summary.Total {
			t.Errorf("%s: verdict %s, %d of %d pass: %v", id, res.Summary.Verdict, res.Summary.Pass, res.Summary.Total, res.Gate.Reasons)
			for _, c := range res.Controls {
				if c.Status != assessment.ControlPass {
					t.Logf("%s %s:\n%s", c.ID, c.Status, evidenceLines(&c))
				}
			}
		}
	}
}

// js.sri judges the integrity of the scripts a page loads (PCI DSS 4.0
// 6.4.3 for payment pages). None of the four documents asks for that: their
// frontend controls are about secrets shipped in frontend code. A page that
// loads a CDN script without integrity, and ships no secret, therefore still
// passes them; linking js.sri there would fail an honest team (the D10
// pattern). A checklist whose provider does require script integrity links
// js.sri from its own control.
func TestScenarioScriptIntegrityIsNotJudgedByFrontendSecretControls(t *testing.T) {
	site, cfg := tlsSite(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/app.js":
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, `fetch("/api/me", {credentials: "same-origin"});`)
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<!doctype html><title>pay</title><script src="https://cdn.example.net/widget.js"></script><script src="/app.js"></script>`)
		}
	})
	rs := probeSite(t, site, cfg, "js.sri", "js.secrets")
	if probeStatus(rs, "js.sri") != probes.Fail || probeStatus(rs, "js.secrets") != probes.Pass {
		t.Fatalf("premise: a CDN script without integrity fails js.sri, and no secret passes js.secrets: %+v", rs)
	}
	src := writeTree(t, map[string]string{"client.py": envKeyClient})
	rs = append(rs, scanTree(t, src)...)
	for _, c := range []struct{ cl, ctl, answers string }{
		{"finhub", "FH-AUTH-CREDENTIAL-PROTECTION", "answers: {server-side-only: true}"},
		{"turris", "TU-CRED-NO-FRONTEND-SECRETS", "answers: {backend-only: true}"},
		{"fincept", "FX-KEY-NO-CLIENT-EXPOSURE", "answers: {server-only: true}"},
		{"baseline", "BL-CRED-NO-CLIENT-EXPOSURE", "answers: {server-side-only: true}"},
	} {
		runScenarios(t, []scenario{{name: c.cl + "/CDN script without integrity, no secret passes", checklist: c.cl, control: c.ctl,
			answers: c.answers, results: rs, want: assessment.ControlPass}})
	}
}

// servePlainRedirect answers plain HTTP on port 80 of the loopback host with
// a permanent redirect to site, as a compliant deployment does. Without
// port 80 (taken, or no privilege to bind it) nothing listening there is
// what http.redirect then judges; a foreign listener makes the test skip.
func servePlainRedirect(t *testing.T, site string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:80")
	if err != nil {
		if c, derr := net.DialTimeout("tcp", "127.0.0.1:80", time.Second); derr == nil {
			c.Close()
			t.Skipf("port 80 of 127.0.0.1 is served by another process, which http.redirect would judge instead of the compliant site")
		}
		return
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.TrimSuffix(site, "/")+r.URL.RequestURI(), http.StatusMovedPermanently)
	}), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
}
