package cmd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/internal/oscaltest"
	"github.com/selfassess/selfassess/report"
	"github.com/selfassess/selfassess/review"
	"github.com/selfassess/selfassess/submission"
)

// The reviewer's questionnaire from the command: interrupted (the input
// ends), resumed from the draft, then the signed review.
func TestReviewInteractiveResumes(t *testing.T) {
	dir := t.TempDir()
	cl := filepath.Join(dir, "acme.yaml")
	require.NoError(t, os.WriteFile(cl, []byte(ownerChecklist), 0o644))
	ans := filepath.Join(dir, "answers.yaml")
	require.NoError(t, os.WriteFile(ans, []byte("schema: selfassess/answers/v1\nchecklist: acme\ncontrols:\n  ACME-OWNER:\n    answers: {owner: platform}\n  ACME-REVIEW:\n    answers: {reviewed: false}\n"), 0o644))
	run := func(ios *IOStreams, args ...string) int { return MainWith(args, ios) }
	var out, errOut bytes.Buffer
	quiet := TestIO(strings.NewReader(""), &out, &errOut, map[string]string{"CI": "true"})
	require.Equal(t, ExitOK, run(quiet, "keygen", "--out", filepath.Join(dir, "team")), errOut.String())
	require.Equal(t, ExitOK, run(quiet, "keygen", "--out", filepath.Join(dir, "reviewer")), errOut.String())
	pkg := filepath.Join(dir, "pkg")
	require.Equal(t, ExitGate, run(quiet, "run", "--ci", "--checklist", cl, "--answers", ans, "--sign-key", filepath.Join(dir, "team"), "--out", pkg), errOut.String())

	args := []string{"review", pkg + ".zip", "--signer", filepath.Join(dir, "team.pub"), "--sign-key", filepath.Join(dir, "reviewer"), "--out", filepath.Join(dir, "review")}
	// ACME-REVIEW (fails) first: changes requested; then the input ends.
	out.Reset()
	errOut.Reset()
	code := run(terminalIO("2\nreview it this year\n2\n2027-01-31\n", &out, &errOut), args...)
	assert.Equal(t, ExitUsage, code, "stderr: %s", errOut.String())
	assert.Contains(t, errOut.String(), "selfassess: error: review interrupted; the decisions so far are saved in "+filepath.Join(dir, "review")+"-decisions.yaml")
	assert.Contains(t, out.String(), "ACME-REVIEW · Yearly review · high · FAIL")

	// Resumed: ACME-REVIEW is not asked again; accept the rest, overall changes requested.
	out.Reset()
	errOut.Reset()
	code = run(terminalIO("y\n1\n", &out, &errOut), args...)
	require.Equal(t, ExitOK, code, "stderr: %s\nstdout: %s", errOut.String(), out.String())
	assert.Contains(t, errOut.String(), "resuming the review saved in")
	assert.NotContains(t, out.String(), "ACME-REVIEW · Yearly review")
	assert.Contains(t, out.String(), "changes requested  ACME-REVIEW (high, due 2027-01-31): review it this year")
	b, err := os.ReadFile(filepath.Join(dir, "review", "review.json"))
	require.NoError(t, err)
	r, err := review.ParseJSON(b)
	require.NoError(t, err)
	assert.Equal(t, review.OverallChanges, r.Decision.Decision)

	// The team's interactive run responds to the finding (will fix), and the
	// response lands in answers.yaml and results.json.
	pub, err := os.ReadFile(filepath.Join(dir, "reviewer.pub"))
	require.NoError(t, err)
	keys := filepath.Join(dir, "reviewers")
	require.NoError(t, os.WriteFile(keys, []byte(`selfassess-review namespaces="selfassess-review" `+string(pub)), 0o644))
	out.Reset()
	errOut.Reset()
	code = run(terminalIO("2\n2027-01-15\nana\n", &out, &errOut), "run", "--checklist", cl, "--answers", ans, "--out", pkg,
		"--review", filepath.Join(dir, "review.zip"), "--reviewer-keys", keys)
	assert.Equal(t, ExitGate, code, "stderr: %s", errOut.String())
	assert.Contains(t, out.String(), "Reviewer's finding on ACME-REVIEW · Yearly review · high · due 2027-01-31")
	assert.Contains(t, out.String(), "ACME-REVIEW open (will-fix, due 2027-01-15): review it this year")
	saved, err := os.ReadFile(ans)
	require.NoError(t, err)
	assert.Contains(t, string(saved), "review_response:\n      kind: will-fix\n      date: \"2027-01-15\"\n      owner: ana")
	assert.FileExists(t, filepath.Join(pkg, "review", "review.json"))

	// The package's plan of action carries the reviewer's finding with its
	// fingerprint and the team's date, and validates as OSCAL.
	poam, err := os.ReadFile(filepath.Join(pkg, report.OSCALPOAMFile))
	require.NoError(t, err)
	require.NoError(t, oscaltest.Validate(poam))
	assert.Contains(t, string(poam), `"value": "review:ACME-REVIEW"`)
	assert.Contains(t, string(poam), `"deadline": "2027-01-15T23:59:59Z"`)
}

// In a terminal, once the probes have run, the team may claim a failing
// finding as a false positive; the claim is saved and suppresses it.
func TestRunInteractiveFalsePositiveClaim(t *testing.T) {
	dir := t.TempDir()
	cl := filepath.Join(dir, "acme.yaml")
	require.NoError(t, os.WriteFile(cl, []byte(`schema: selfassess/checklist/v1
id: acme
title: ACME Pay
version: "1"
provider: {name: ACME Pay}
sections:
  - id: web
    title: Web
    controls:
      - id: ACME-TOKENS
        title: Tokens stay out of browser storage
        requirement: Keep tokens in HttpOnly cookies.
        severity: critical
        probes: [source.token-storage]
`), 0o644))
	src := filepath.Join(dir, "src", "web")
	require.NoError(t, os.MkdirAll(src, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "demo.js"), []byte("export function save(r) {\n  localStorage.setItem(\"jwt\", r.jwt);\n}\n"), 0o644))
	ans := filepath.Join(dir, "answers.yaml")
	var out, errOut bytes.Buffer
	code := MainWith([]string{"run", "--checklist", cl, "--answers", ans, "--source", filepath.Join(dir, "src"), "--out", filepath.Join(dir, "out")},
		terminalIO("1\n0\nthe demo page only, never deployed\n", &out, &errOut))
	assert.Equal(t, ExitOK, code, "stdout: %s\nstderr: %s", out.String(), errOut.String())
	assert.Contains(t, out.String(), "ACME-TOKENS: ")
	saved, err := os.ReadFile(ans)
	require.NoError(t, err)
	assert.Contains(t, string(saved), "fingerprint: source.token-storage:web/demo.js:token-in-web-storage")
	assert.Contains(t, string(saved), "justification: the demo page only, never deployed")
	res, err := os.ReadFile(filepath.Join(dir, "out", "results.json"))
	require.NoError(t, err)
	assert.Contains(t, string(res), `"status": "suppressed"`)
}

// The reviewer's form in accessible mode, at the command: with
// --accessible (any TERM) or TERM=dumb, review asks line by line on
// stdin/stdout (no full-screen program), saves the draft and writes the
// signed review: here every control accepted and an approval for --valid-for.
func TestReviewAccessibleFromTheCommand(t *testing.T) {
	dir := t.TempDir()
	cl := filepath.Join(dir, "acme.yaml")
	require.NoError(t, os.WriteFile(cl, []byte(ownerChecklist), 0o644))
	ans := filepath.Join(dir, "answers.yaml")
	require.NoError(t, os.WriteFile(ans, []byte("schema: selfassess/answers/v1\nchecklist: acme\ncontrols:\n  ACME-OWNER:\n    answers: {owner: platform}\n  ACME-REVIEW:\n    answers: {reviewed: true}\n"), 0o644))
	var out, errOut bytes.Buffer
	quiet := TestIO(strings.NewReader(""), &out, &errOut, map[string]string{"CI": "true"})
	require.Equal(t, ExitOK, MainWith([]string{"keygen", "--out", filepath.Join(dir, "team")}, quiet), errOut.String())
	require.Equal(t, ExitOK, MainWith([]string{"keygen", "--out", filepath.Join(dir, "reviewer")}, quiet), errOut.String())
	pkg := filepath.Join(dir, "pkg")
	require.Equal(t, ExitOK, MainWith([]string{"run", "--ci", "--checklist", cl, "--answers", ans, "--sign-key", filepath.Join(dir, "team"), "--out", pkg}, quiet), errOut.String())

	for name, c := range map[string]struct {
		term string
		flag []string
	}{
		"--accessible": {"xterm-256color", []string{"--accessible"}},
		"TERM=dumb":    {"dumb", nil},
	} {
		t.Run(name, func(t *testing.T) {
			outDir := filepath.Join(t.TempDir(), "review")
			var out, errOut bytes.Buffer
			// accept both remaining passing controls; overall: approved (the
			// second option); valid until: empty, so --valid-for
			ios := TestIO(strings.NewReader("y\n2\n\n"), &out, &errOut, map[string]string{"TERM": c.term})
			ios.stdinTTY, ios.stdoutTTY = true, true
			args := append([]string{"review", pkg + ".zip", "--signer", filepath.Join(dir, "team.pub"), "--sign-key", filepath.Join(dir, "reviewer"),
				"--out", outDir, "--valid-for", "6m"}, c.flag...)
			require.Equal(t, ExitOK, MainWith(args, ios), "stderr: %s\nstdout: %s", errOut.String(), out.String())

			assert.Contains(t, out.String(), "Accept all 2 remaining passing controls?")
			assert.Contains(t, out.String(), "Overall decision")
			assert.NotContains(t, out.String(), "\x1b[", "line prompts, not the full-screen form")
			until := time.Now().UTC().AddDate(0, 6, 0).Format(time.DateOnly)
			assert.Regexp(t, `(?m)^decision: approved by SHA256:\S+ on \d{4}-\d\d-\d\d, valid until `+until+`$`, out.String())

			b, err := os.ReadFile(filepath.Join(outDir, "review.json"))
			require.NoError(t, err)
			r, err := review.ParseJSON(b)
			require.NoError(t, err)
			assert.Equal(t, review.Approved, r.Decision.Decision)
			assert.Equal(t, until, r.Decision.ValidUntil)
			require.Len(t, r.Controls, 2)
			for _, ctl := range r.Controls {
				assert.Equal(t, review.Accepted, ctl.Decision, ctl.ID)
			}
			draft, err := os.ReadFile(outDir + "-decisions.yaml")
			require.NoError(t, err, "the draft is saved as the review goes")
			assert.Contains(t, string(draft), "default: accepted")
			assert.FileExists(t, submission.ZipPathFor(outDir))
		})
	}
}
