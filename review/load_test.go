package review

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/input"
	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/submission"
)

const approval = `schema: selfassess/decisions/v1
default: accepted
false_positives:
  "source.secrets:backend/config.py:gitleaks:generic-api-key": {decision: accepted}
overall: {decision: approved, valid_until: 2027-01-20}
`

// reviewed is a signed submission package and a signed review of it.
type reviewed struct {
	pkgDir, results, review, keys string
	sums                          string
}

func reviewedPackage(t *testing.T, decisions string) reviewed {
	team, rev := signer(t), signer(t)
	dir, resultsPath := submissionPackage(t, team, 71)
	check, err := submission.Verify(dir, submission.TrustedKeys{})
	require.NoError(t, err)
	d, err := ParseDecisions("d.yaml", []byte(decisions))
	require.NoError(t, err)
	in := buildInput()
	in.SumsSHA256, in.ReviewerKey = check.SumsSHA256, ssh.FingerprintSHA256(rev.PublicKey())
	r, err := Build(d, in)
	require.NoError(t, err)
	out := filepath.Join(t.TempDir(), "review")
	_, err = Write(out, submission.ZipPathFor(out), r, rev, now)
	require.NoError(t, err)
	keys := filepath.Join(t.TempDir(), "reviewers")
	require.NoError(t, os.WriteFile(keys, submission.AllowedSignersLineFor(rev.PublicKey(), Principal, Namespace), 0o644))
	return reviewed{pkgDir: dir, results: resultsPath, review: submission.ZipPathFor(out), keys: keys, sums: check.SumsSHA256}
}

func problem(t *testing.T, err error) *input.Problem {
	t.Helper()
	var p *input.Problem
	require.True(t, errors.As(err, &p), "want an input problem (exit 2), got %T %v", err, err)
	return p
}

func TestLoadRoundWithoutReview(t *testing.T) {
	r, notes, err := LoadRound(RoundInput{OutDir: t.TempDir(), Now: now})
	require.NoError(t, err)
	assert.Nil(t, r.Previous)
	assert.Empty(t, r.PreviousPath, "no review: the out folder's results are not a previous round")
	assert.Empty(t, notes)

	pkg := reviewedPackage(t, issueExample)
	r, _, err = LoadRound(RoundInput{Previous: pkg.results, Now: now})
	require.NoError(t, err)
	assert.Equal(t, 71, r.Previous.Summary.Score)
	assert.Equal(t, pkg.results, r.PreviousPath)

	missing := filepath.Join(t.TempDir(), "results.json")
	_, _, err = LoadRound(RoundInput{Previous: missing, Now: now})
	assert.EqualError(t, err, "--previous: "+missing+": no such file or directory")
	problem(t, err)
}

// The review is checked against the reviewer keys and bound to the
// previous package (by default the one in the out folder); in CI every
// finding and question needs a response.
func TestLoadRoundWithReview(t *testing.T) {
	pkg := reviewedPackage(t, issueExample)
	a := answers.New("answers.yaml", "finhub")
	in := RoundInput{OutDir: pkg.pkgDir, Review: pkg.review, ReviewerKeys: pkg.keys, Answers: a, Now: now}
	r, notes, err := LoadRound(in)
	require.NoError(t, err)
	assert.Equal(t, pkg.results, r.PreviousPath)
	assert.Equal(t, OverallChanges, r.Review.Review.Decision.Decision)
	assert.Empty(t, notes)

	in.RequireResponses = true
	_, notes, err = LoadRound(in)
	assert.EqualError(t, err, "2 reviewer finding(s) or question(s) have no response in answers.yaml")
	assert.Contains(t, problem(t, err).Hint, "review_response")
	assert.Equal(t, []string{
		"unresponded: FH-AUTH-TOKEN-STORAGE reviewer finding, due 2027-01-31: Tokens still reach localStorage in app.js",
		"unresponded: FH-DATA-ENCRYPTION reviewer question: Which KMS holds the keys?"}, notes.Unresponded)

	// A response that breaks the rules is an error even outside CI.
	in.RequireResponses = false
	a.Controls["FH-DATA-ENCRYPTION"] = &answers.Control{ReviewResponse: &answers.ReviewResponse{Kind: "fixed", Text: "KMS"}}
	_, _, err = LoadRound(in)
	assert.EqualError(t, err, "answers.yaml: controls.FH-DATA-ENCRYPTION.review_response: a question is answered (answered: TEXT), not fixed")
	problem(t, err)
}

func TestLoadRoundWarnsOfExpiry(t *testing.T) {
	pkg := reviewedPackage(t, approval)
	_, notes, err := LoadRound(RoundInput{Previous: pkg.results, Review: pkg.review, ReviewerKeys: pkg.keys, Answers: answers.New("a.yaml", "finhub"), RequireResponses: true, Now: now})
	require.NoError(t, err)
	assert.Equal(t, []string{"the approval expires on 2027-01-20 (in 47 days, within 60); run 'selfassess run' and send the new package for review before then"}, notes.Warnings)
}

func TestLoadRoundRefusals(t *testing.T) {
	pkg := reviewedPackage(t, issueExample)
	a := answers.New("answers.yaml", "finhub")
	base := RoundInput{Previous: pkg.results, Review: pkg.review, ReviewerKeys: pkg.keys, Answers: a, Now: now}
	_, otherResults := submissionPackage(t, signer(t), 72)
	badKeys := filepath.Join(t.TempDir(), "keys")
	require.NoError(t, os.WriteFile(badKeys, []byte("not a key line\n"), 0o644))
	missing := filepath.Join(t.TempDir(), "none")

	for name, c := range map[string]struct {
		edit func(*RoundInput)
		want string
		hint string
	}{
		"no keys":        {func(in *RoundInput) { in.ReviewerKeys = "" }, "--review needs the reviewer keys to check the review against", "--reviewer-keys FILE"},
		"keys missing":   {func(in *RoundInput) { in.ReviewerKeys = missing }, "--reviewer-keys: " + missing + ": no such file or directory", ""},
		"keys malformed": {func(in *RoundInput) { in.ReviewerKeys = badKeys }, "--reviewer-keys " + badKeys + ":1: ", `selfassess-review namespaces="selfassess-review" KEYTYPE KEY`},
		"review missing": {func(in *RoundInput) { in.Review = missing }, "--review: " + missing + ": no such file or directory", ""},
		"no previous":    {func(in *RoundInput) { in.Previous, in.OutDir = "", t.TempDir() }, "--review: cannot tell which submission the review is of", "--previous"},
		"other package":  {func(in *RoundInput) { in.Previous = otherResults }, "--review " + pkg.review + ": the review is of another package", "(the previous package is " + filepath.Dir(otherResults) + ")"},
	} {
		in := base
		c.edit(&in)
		_, _, err := LoadRound(in)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), c.want, name)
		p := problem(t, err)
		if c.hint != "" {
			assert.Contains(t, p.Hint+err.Error(), c.hint, name)
		}
	}
}

// verify's decision: only an approval still valid is approved.
func TestCheckApproval(t *testing.T) {
	ok := reviewedPackage(t, approval)
	keys, err := LoadReviewerKeys(ok.keys)
	require.NoError(t, err)
	a, err := CheckApproval(ok.review, keys, ok.sums, now)
	require.NoError(t, err)
	assert.True(t, a.Approved)
	assert.Equal(t, []string{"review:  " + ok.review + ", signed by " + a.Check.KeyFP + " (checked against keys.txt)",
		"decision: " + a.Review.Status(), "result:  APPROVED until 2027-01-20"}, a.Lines("keys.txt"))

	a, err = CheckApproval(ok.review, keys, ok.sums, time.Date(2027, 1, 21, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	assert.False(t, a.Approved, "lapsed")
	assert.NotEmpty(t, a.Why)
	assert.Equal(t, "result:  NOT APPROVED — "+a.Why, a.Lines("k")[2])

	changes := reviewedPackage(t, issueExample)
	keys, err = LoadReviewerKeys(changes.keys)
	require.NoError(t, err)
	a, err = CheckApproval(changes.review, keys, changes.sums, now)
	require.NoError(t, err)
	assert.False(t, a.Approved)

	_, err = CheckApproval(changes.review, keys, ok.sums, now)
	var ve *VerifyError
	assert.ErrorAs(t, err, &ve, "a review of another package fails verification")
	_, err = CheckApproval(ok.review, keys, ok.sums, now)
	assert.ErrorAs(t, err, &ve, "signed by a key not listed")

	missing := filepath.Join(t.TempDir(), "none.zip")
	_, err = CheckApproval(missing, keys, ok.sums, now)
	assert.EqualError(t, err, "--review: "+missing+": no such file or directory")
	problem(t, err)
}

// The warning's text (the thresholds are ExpiresSoon's).
func TestExpiryWarning(t *testing.T) {
	at := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	r := &Review{Decision: Overall{Decision: Approved, ValidUntil: "2027-06-01"}}
	assert.Empty(t, r.ExpiryWarning(at))
	r.Decision.ValidUntil = "2027-01-20"
	assert.Equal(t, "the approval expires on 2027-01-20 (in 47 days, within 60); run 'selfassess run' and send the new package for review before then", r.ExpiryWarning(at))
}

// A claimed false positive is suppressed in a first round; the review
// rejected this one, so in its round the finding fails the control.
func TestRoundEvaluate(t *testing.T) {
	cl := &checklist.Checklist{ID: "finhub", Sections: []checklist.Section{{ID: "s", Controls: []checklist.Control{
		{ID: "FH-SECRETS", Title: "Secrets", Severity: checklist.High, Probes: []string{"source.secrets"}}}}}}
	a := answers.New("answers.yaml", "finhub")
	a.Controls["FH-SECRETS"] = &answers.Control{FalsePositives: []answers.FalsePositive{
		{Fingerprint: "source.secrets:backend/config.py:gitleaks:generic-api-key", Justification: "a fixture"}}}
	results := []probes.Result{{ID: "source.secrets", Target: "source", Status: probes.Fail, Findings: []probes.Finding{
		{Status: probes.Fail, Location: "backend/config.py:3", Rule: "gitleaks:generic-api-key", Message: "a key"}}}}
	opts := assessment.Options{Now: now}

	var first *Round
	res := first.Evaluate(cl, a, results, nil, opts)
	require.Len(t, res.Controls, 1)
	assert.Equal(t, assessment.ControlPass, res.Controls[0].Status)
	require.Len(t, res.Tracked, 1)
	assert.Equal(t, assessment.FindingSuppressed, res.Tracked[0].Status)

	res = (&Round{Review: openedReview(t)}).Evaluate(cl, a, results, nil, opts)
	assert.Equal(t, assessment.ControlFail, res.Controls[0].Status)
}
