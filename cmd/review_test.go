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
	"golang.org/x/crypto/ssh"

	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/report"
	"github.com/selfassess/selfassess/review"
	"github.com/selfassess/selfassess/submission"
)

// firstRound is a team's first package (not ready: ACME-REVIEW fails,
// an open finding) and a reviewer's key with its allowed_signers file.
type firstRound struct {
	dir, cl, ans, pkg string
	ios               *IOStreams
	out, errOut       *bytes.Buffer
	check             *submission.Result
	res               *assessment.Results
	reviewer          *submission.Signer
	keys              string
}

func newFirstRound(t *testing.T, runArgs ...string) *firstRound {
	f := &firstRound{dir: t.TempDir(), out: &bytes.Buffer{}, errOut: &bytes.Buffer{}}
	f.cl, f.ans, f.pkg = filepath.Join(f.dir, "acme.yaml"), filepath.Join(f.dir, "answers.yaml"), filepath.Join(f.dir, "pkg")
	require.NoError(t, os.WriteFile(f.cl, []byte(ownerChecklist), 0o644))
	require.NoError(t, os.WriteFile(f.ans, []byte("schema: selfassess/answers/v1\nchecklist: acme\ncontrols:\n  ACME-OWNER:\n    answers: {owner: platform}\n  ACME-REVIEW:\n    answers: {reviewed: false}\n"), 0o644))
	f.ios = TestIO(strings.NewReader(""), f.out, f.errOut, map[string]string{"CI": "true"})
	args := append([]string{"run", "--ci", "--checklist", f.cl, "--answers", f.ans, "--out", f.pkg}, runArgs...)
	require.Equal(t, ExitGate, MainWith(args, f.ios), f.errOut.String())
	var err error
	f.check, err = submission.Verify(f.pkg, submission.TrustedKeys{Keep: []string{"results.json"}})
	require.NoError(t, err)
	f.res, err = report.ParseResults("results.json", f.check.Files["results.json"])
	require.NoError(t, err)
	f.reviewer, err = submission.EphemeralSigner()
	require.NoError(t, err)
	f.keys = filepath.Join(f.dir, "reviewers")
	require.NoError(t, os.WriteFile(f.keys, submission.AllowedSignersLineFor(f.reviewer.PublicKey(), review.Principal, review.Namespace), 0o644))
	return f
}

// build is the reviewer's review of the package from decisions.
func (f *firstRound) build(t *testing.T, decisions string) *review.Review {
	d, err := review.ParseDecisions("d.yaml", []byte(decisions))
	require.NoError(t, err)
	r, err := review.Build(d, review.Input{Results: f.res, SumsSHA256: f.check.SumsSHA256, Signer: f.check.KeyFP, ReviewerKey: ssh.FingerprintSHA256(f.reviewer.PublicKey()), Now: time.Now(), Tool: assessment.Tool{Name: "selfassess"}})
	require.NoError(t, err)
	return r
}

// An approval signed by a trusted reviewer key but made while findings
// are open (not by `review`, which refuses it) is refused by verify.
func TestVerifyRefusesApprovalWithOpenFindings(t *testing.T) {
	dir := t.TempDir()
	require.Equal(t, ExitOK, MainWith([]string{"keygen", "--out", filepath.Join(dir, "team")}, TestIO(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, nil)))
	f := newFirstRound(t, "--sign-key", filepath.Join(dir, "team"))
	require.NotEmpty(t, f.res.OpenFindings(), "the failing control is an open finding")

	// with conditions, open findings are allowed
	r := f.build(t, "schema: selfassess/decisions/v1\ndefault: accepted\noverall: {decision: approved-with-conditions, conditions: [{text: fix it, due: 2099-01-01}]}\n")
	r.Decision = review.Overall{Decision: review.Approved, ValidUntil: "2099-01-01"} // forged: a plain approval
	forged := filepath.Join(f.dir, "forged.zip")
	_, err := review.Write(filepath.Join(f.dir, "forged"), forged, r, f.reviewer, time.Now())
	require.NoError(t, err)

	f.out.Reset()
	f.errOut.Reset()
	code := MainWith([]string{"verify", f.pkg + ".zip", "--signer", filepath.Join(dir, "team.pub"), "--review", forged, "--reviewer-keys", f.keys}, f.ios)
	assert.Equal(t, ExitGate, code)
	assert.Equal(t, "selfassess: error: review "+forged+": the review says approved while 1 finding(s) open: control:ACME-REVIEW\n", f.errOut.String())
}

// A run responding to an approval that lapses soon warns before anything
// else (the text and thresholds are review's).
func TestRunWarnsOfApprovalExpiry(t *testing.T) {
	f := newFirstRound(t)
	until := time.Now().UTC().AddDate(0, 0, 40).Format(time.DateOnly)
	r := f.build(t, "schema: selfassess/decisions/v1\ndefault: accepted\noverall: {decision: approved-with-conditions, valid_until: "+until+", conditions: [{text: fix it, due: "+until+"}]}\n")
	rev := filepath.Join(f.dir, "review.zip")
	_, err := review.Write(filepath.Join(f.dir, "review"), rev, r, f.reviewer, time.Now())
	require.NoError(t, err)

	f.errOut.Reset()
	MainWith([]string{"run", "--ci", "--checklist", f.cl, "--answers", f.ans, "--out", f.pkg, "--review", rev, "--reviewer-keys", f.keys}, f.ios)
	assert.Contains(t, f.errOut.String(), "selfassess: warning: the approval expires on "+until+" (in 40 days, within 60); run 'selfassess run' and send the new package for review before then\n")
}

// Two reviews into the same --out would interleave their files: the
// second is refused while the first holds the folder, as two runs are.
func TestReviewTakesTheOutputLock(t *testing.T) {
	dir := t.TempDir()
	quiet := TestIO(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, nil)
	require.Equal(t, ExitOK, MainWith([]string{"keygen", "--out", filepath.Join(dir, "team")}, quiet))
	require.Equal(t, ExitOK, MainWith([]string{"keygen", "--out", filepath.Join(dir, "reviewer")}, quiet))
	f := newFirstRound(t, "--sign-key", filepath.Join(dir, "team"))
	decisions := filepath.Join(dir, "d.yaml")
	require.NoError(t, os.WriteFile(decisions, []byte("schema: selfassess/decisions/v1\ndefault: accepted\noverall: {decision: changes-requested}\n"), 0o644))
	out := filepath.Join(dir, "review")
	args := []string{"review", f.pkg + ".zip", "--signer", filepath.Join(dir, "team.pub"), "--decisions", decisions,
		"--sign-key", filepath.Join(dir, "reviewer"), "--out", out}

	held, err := submission.LockOutput(out, submission.ZipPathFor(out))
	require.NoError(t, err)
	f.errOut.Reset()
	assert.Equal(t, ExitUsage, MainWith(args, f.ios))
	assert.Contains(t, f.errOut.String(), "selfassess: error: --out ")
	assert.NoFileExists(t, filepath.Join(out, "review.json"))
	held.Release()

	f.errOut.Reset()
	require.Equal(t, ExitOK, MainWith(args, f.ios), f.errOut.String())
	assert.FileExists(t, filepath.Join(out, "review.json"))
}
