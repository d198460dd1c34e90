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

// An approval signed by a trusted reviewer key but made while findings
// are open (not by `review`, which refuses it) is refused by verify.
func TestVerifyRefusesApprovalWithOpenFindings(t *testing.T) {
	dir := t.TempDir()
	cl := filepath.Join(dir, "acme.yaml")
	require.NoError(t, os.WriteFile(cl, []byte(ownerChecklist), 0o644))
	ans := filepath.Join(dir, "answers.yaml")
	require.NoError(t, os.WriteFile(ans, []byte("schema: selfassess/answers/v1\nchecklist: acme\ncontrols:\n  ACME-OWNER:\n    answers: {owner: platform}\n  ACME-REVIEW:\n    answers: {reviewed: false}\n"), 0o644))
	var out, errOut bytes.Buffer
	ios := TestIO(strings.NewReader(""), &out, &errOut, map[string]string{"CI": "true"})
	require.Equal(t, ExitOK, MainWith([]string{"keygen", "--out", filepath.Join(dir, "team")}, ios))
	pkg := filepath.Join(dir, "pkg")
	require.Equal(t, ExitGate, MainWith([]string{"run", "--ci", "--checklist", cl, "--answers", ans, "--sign-key", filepath.Join(dir, "team"), "--out", pkg}, ios), errOut.String())

	check, err := submission.Verify(pkg, submission.TrustedKeys{Keep: []string{"results.json"}})
	require.NoError(t, err)
	res, err := report.ParseResults("results.json", check.Files["results.json"])
	require.NoError(t, err)
	require.NotEmpty(t, res.OpenFindings(), "the failing control is an open finding")

	signer, err := submission.EphemeralSigner()
	require.NoError(t, err)
	d, err := review.ParseDecisions("d.yaml", []byte("schema: selfassess/decisions/v1\ndefault: accepted\noverall: {decision: approved-with-conditions, conditions: [{text: fix it, due: 2099-01-01}]}\n"))
	require.NoError(t, err)
	r, err := review.Build(d, review.Input{Results: res, SumsSHA256: check.SumsSHA256, Signer: check.KeyFP, ReviewerKey: ssh.FingerprintSHA256(signer.PublicKey()), Now: time.Now(), Tool: assessment.Tool{Name: "selfassess"}})
	require.NoError(t, err, "with conditions, open findings are allowed")
	r.Decision = review.Overall{Decision: review.Approved, ValidUntil: "2099-01-01"} // forged: a plain approval
	_, err = review.Write(filepath.Join(dir, "forged"), filepath.Join(dir, "forged.zip"), r, signer, time.Now())
	require.NoError(t, err)
	keys := filepath.Join(dir, "reviewers")
	require.NoError(t, os.WriteFile(keys, submission.AllowedSignersLineFor(signer.PublicKey(), review.Principal, review.Namespace), 0o644))

	out.Reset()
	errOut.Reset()
	code := MainWith([]string{"verify", pkg + ".zip", "--signer", filepath.Join(dir, "team.pub"), "--review", filepath.Join(dir, "forged.zip"), "--reviewer-keys", keys}, ios)
	assert.Equal(t, ExitGate, code)
	assert.Equal(t, "selfassess: error: review "+filepath.Join(dir, "forged.zip")+": the review says approved while 1 finding(s) open: control:ACME-REVIEW\n", errOut.String())
}

// A run responding to an approval that lapses soon warns before anything
// else (the text and thresholds are review's).
func TestRunWarnsOfApprovalExpiry(t *testing.T) {
	dir := t.TempDir()
	cl := filepath.Join(dir, "acme.yaml")
	require.NoError(t, os.WriteFile(cl, []byte(ownerChecklist), 0o644))
	ans := filepath.Join(dir, "answers.yaml")
	require.NoError(t, os.WriteFile(ans, []byte("schema: selfassess/answers/v1\nchecklist: acme\ncontrols:\n  ACME-OWNER:\n    answers: {owner: platform}\n  ACME-REVIEW:\n    answers: {reviewed: false}\n"), 0o644))
	var out, errOut bytes.Buffer
	ios := TestIO(strings.NewReader(""), &out, &errOut, map[string]string{"CI": "true"})
	pkg := filepath.Join(dir, "pkg")
	require.Equal(t, ExitGate, MainWith([]string{"run", "--ci", "--checklist", cl, "--answers", ans, "--out", pkg}, ios), errOut.String())
	check, err := submission.Verify(pkg, submission.TrustedKeys{Keep: []string{"results.json"}})
	require.NoError(t, err)
	res, err := report.ParseResults("results.json", check.Files["results.json"])
	require.NoError(t, err)

	signer, err := submission.EphemeralSigner()
	require.NoError(t, err)
	until := time.Now().UTC().AddDate(0, 0, 40).Format(time.DateOnly)
	d, err := review.ParseDecisions("d.yaml", []byte("schema: selfassess/decisions/v1\ndefault: accepted\noverall: {decision: approved-with-conditions, valid_until: "+until+", conditions: [{text: fix it, due: "+until+"}]}\n"))
	require.NoError(t, err)
	r, err := review.Build(d, review.Input{Results: res, SumsSHA256: check.SumsSHA256, Signer: check.KeyFP, ReviewerKey: ssh.FingerprintSHA256(signer.PublicKey()), Now: time.Now(), Tool: assessment.Tool{Name: "selfassess"}})
	require.NoError(t, err)
	_, err = review.Write(filepath.Join(dir, "review"), filepath.Join(dir, "review.zip"), r, signer, time.Now())
	require.NoError(t, err)
	keys := filepath.Join(dir, "reviewers")
	require.NoError(t, os.WriteFile(keys, submission.AllowedSignersLineFor(signer.PublicKey(), review.Principal, review.Namespace), 0o644))

	errOut.Reset()
	MainWith([]string{"run", "--ci", "--checklist", cl, "--answers", ans, "--out", pkg, "--review", filepath.Join(dir, "review.zip"), "--reviewer-keys", keys}, ios)
	assert.Contains(t, errOut.String(), "selfassess: warning: the approval expires on "+until+" (in 40 days, within 60); run 'selfassess run' and send the new package for review before then\n")
}
