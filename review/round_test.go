package review

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

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/report"
	"github.com/selfassess/selfassess/submission"
)

func TestParsePeriod(t *testing.T) {
	for in, want := range map[string]Period{"12m": {Months: 12}, "365d": {Days: 365}, "1y": {Years: 1}, " 2y ": {Years: 2}, "3650d": {Days: 3650}} {
		got, err := ParsePeriod(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "m", "0d", "3651d", "-1d", "12w", "1.5y", "y1", "12"} {
		_, err := ParsePeriod(in)
		assert.EqualError(t, err, `"`+strings.TrimSpace(in)+`" is not a period`, in)
	}
}

func TestDefaultDue(t *testing.T) {
	rem := &checklist.RemediationDays{Critical: 14, Low: 180}
	assert.Equal(t, "2026-12-18", DefaultDue(rem, "critical", now))
	assert.Equal(t, "2027-06-02", DefaultDue(rem, "low", now))
	assert.Equal(t, "2027-01-03", DefaultDue(rem, "high", now), "no period for the severity: DefaultDueDays")
	assert.Equal(t, "2027-01-03", DefaultDue(nil, "critical", now), "no checklist periods: DefaultDueDays")
	// Late in the day in another zone: the date is UTC's.
	assert.Equal(t, "2026-12-19", DefaultDue(rem, "critical", time.Date(2026, 12, 4, 23, 30, 0, 0, time.FixedZone("x", -3*3600))))
}

func TestExpiresSoon(t *testing.T) {
	at := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		decision, until string
		days, within    int
		ok              bool
	}{
		{Approved, "2027-06-01", 179, 0, false},
		{Approved, "2027-03-04", 90, 90, true},
		{Approved, "2027-03-05", 91, 0, false},
		{Approved, "2027-02-20", 78, 90, true},
		{Approved, "2027-01-20", 47, 60, true},
		{ApprovedWithConditions, "2027-01-03", 30, 30, true},
		{Approved, "2026-12-20", 16, 30, true},
		{Approved, "2026-12-04", 0, 30, true},        // the last day
		{Approved, "2026-12-03", 0, 0, false},        // expired: verify says so, not a warning
		{OverallChanges, "", 0, 0, false},            // not an approval
		{OverallRejected, "2026-12-20", 0, 0, false}, // not an approval
	} {
		r := &Review{Decision: Overall{Decision: c.decision, ValidUntil: c.until}}
		days, within, ok := r.ExpiresSoon(at)
		assert.Equal(t, c.ok, ok, "%s %s", c.decision, c.until)
		if ok || c.days > 0 {
			assert.Equal(t, c.days, days, "%s %s", c.decision, c.until)
			assert.Equal(t, c.within, within, "%s %s", c.decision, c.until)
		}
	}
}

// openedReview writes and opens a signed review of issueExample.
func openedReview(t *testing.T) *Opened {
	s := signer(t)
	o, err := Open(writeReview(t, s, issueExample), keysFor(t, s), now)
	require.NoError(t, err)
	return o
}

func TestRoundCheckResponses(t *testing.T) {
	r := &Round{Review: openedReview(t)}
	a := &answers.File{Path: "answers.yaml", Controls: map[string]*answers.Control{}}
	missing, err := r.CheckResponses(a)
	require.NoError(t, err)
	require.Len(t, missing, 2)
	assert.Equal(t, "FH-AUTH-TOKEN-STORAGE", missing[0].Control)
	assert.Equal(t, "2027-01-31", missing[0].Due)
	assert.Equal(t, "FH-DATA-ENCRYPTION", missing[1].Control)
	assert.True(t, missing[1].Question)

	a.Controls["FH-AUTH-TOKEN-STORAGE"] = &answers.Control{ReviewResponse: &answers.ReviewResponse{Kind: "will-fix", Date: "2027-02-01", Owner: "ana"}}
	_, err = r.CheckResponses(a)
	assert.EqualError(t, err, "answers.yaml: controls.FH-AUTH-TOKEN-STORAGE.review_response: will-fix date 2027-02-01 is after the reviewer's due date 2027-01-31")

	a.Controls["FH-AUTH-TOKEN-STORAGE"].ReviewResponse.Date = "2027-01-31"
	a.Controls["FH-DATA-ENCRYPTION"] = &answers.Control{ReviewResponse: &answers.ReviewResponse{Kind: "fixed", Text: "moved to KMS"}}
	_, err = r.CheckResponses(a)
	assert.EqualError(t, err, "answers.yaml: controls.FH-DATA-ENCRYPTION.review_response: a question is answered (answered: TEXT), not fixed")

	a.Controls["FH-DATA-ENCRYPTION"].ReviewResponse = &answers.ReviewResponse{Kind: "answered", Text: "AWS KMS"}
	missing, err = r.CheckResponses(a)
	require.NoError(t, err)
	assert.Empty(t, missing)
}

func TestRoundCarriesTheReview(t *testing.T) {
	r := &Round{Review: openedReview(t)}
	assert.Equal(t, map[string]string{"source.secrets:backend/config.py:gitleaks:generic-api-key": "This is a live key format"}, r.Rejected())
	var names []string
	for _, f := range r.Files() {
		names = append(names, f.Name)
		assert.NotEmpty(t, f.Data, f.Name)
	}
	assert.Equal(t, []string{"review/SHA256SUMS", "review/SHA256SUMS.sig", "review/VERIFY.md", "review/allowed_signers",
		"review/review.json", "review/review.md", "review/review.pdf"}, names)

	// A claim the review rejected is not suppressed; another one is.
	a := &answers.File{Controls: map[string]*answers.Control{"FH-SECRETS": {FalsePositives: []answers.FalsePositive{
		{Fingerprint: "source.secrets:backend/config.py:gitleaks:generic-api-key", Justification: "a fixture"},
		{Fingerprint: "source.secrets:test/keys.go:gitleaks:generic-api-key", Justification: "a test key"}}}}}
	results := []probes.Result{{ID: "source.secrets", Target: "source", Status: probes.Fail, Findings: []probes.Finding{
		{Status: probes.Fail, Location: "backend/config.py:3", Rule: "gitleaks:generic-api-key", Message: "a key"},
		{Status: probes.Fail, Location: "test/keys.go:9", Rule: "gitleaks:generic-api-key", Message: "a key"}}}}
	_, sup := r.Suppress(a, results)
	assert.Len(t, sup, 1)
	_, kept := sup["source.secrets:test/keys.go:gitleaks:generic-api-key"]
	assert.True(t, kept, "%v", sup)
}

func TestNilRoundIsAFirstRound(t *testing.T) {
	var r *Round
	assert.Nil(t, r.Rejected())
	assert.Nil(t, r.Files())
	missing, err := r.CheckResponses(&answers.File{})
	assert.NoError(t, err)
	assert.Empty(t, missing)
	assert.Equal(t, "", PreviousIn(t.TempDir()))
}

// submissionPackage writes a signed submission holding results.json and
// checklist.yaml, and returns its folder and results.json path.
func submissionPackage(t *testing.T, s ssh.Signer, score int) (dir, resultsPath string) {
	res := results()
	res.Tool, res.Summary.Score = buildInput().Tool, score
	js, err := report.JSON(res)
	require.NoError(t, err)
	dir = filepath.Join(t.TempDir(), "pkg")
	cl := "schema: selfassess/checklist/v1\nid: finhub\ntitle: F\nversion: \"2026.1\"\nprovider: {name: F}\nremediation_days: {high: 45}\n" +
		"sections:\n  - id: s\n    title: S\n    controls:\n      - {id: FH-SECRETS, title: Secrets, requirement: None in the code., severity: high, probes: [source.secrets]}\n"
	_, err = submission.Build(dir, []submission.File{{Name: "results.json", Data: js}, {Name: "checklist.yaml", Data: []byte(cl)}}, nil,
		submission.Options{Signer: s, Zip: submission.ZipPathFor(dir)})
	require.NoError(t, err)
	return dir, filepath.Join(dir, "results.json")
}

func TestOpenPackage(t *testing.T) {
	team := signer(t)
	dir, _ := submissionPackage(t, team, 71)
	trust := submission.TrustedKeys{Keys: []ssh.PublicKey{team.PublicKey()}}
	for _, p := range []string{dir, submission.ZipPathFor(dir)} {
		pkg, err := OpenPackage(p, trust)
		require.NoError(t, err, p)
		assert.Equal(t, "Acme", pkg.Results.Project.Organisation)
		require.NotNil(t, pkg.Checklist)
		assert.Equal(t, 45, pkg.Remediation().High)
		in := pkg.Input("SHA256:rev", Period{Days: 90}, now, buildInput().Tool)
		assert.Equal(t, pkg.Check.SumsSHA256, in.SumsSHA256)
		assert.Equal(t, pkg.Check.KeyFP, in.Signer)
		assert.Contains(t, string(pkg.Template()), "# package SHA256SUMS digest "+pkg.Check.SumsSHA256)
		controls, claims := pkg.Views()
		assert.Len(t, controls, 3)
		assert.Len(t, claims, 1)
	}

	// Signed by another key: it cannot be reviewed, and says why.
	_, err := OpenPackage(dir, submission.TrustedKeys{Keys: []ssh.PublicKey{signer(t).PublicKey()}, Source: "--signer x.pub"})
	var ve *VerifyError
	require.ErrorAs(t, err, &ve)
	assert.Regexp(t, `^.*/pkg does not verify, so it cannot be reviewed: the signature is valid, but by SHA256:\S+, not by the key you trust \(--signer x.pub\)$`, err.Error())

	// A package without results.json is an input error, not a verification failure.
	empty := filepath.Join(t.TempDir(), "empty")
	_, err = submission.Build(empty, []submission.File{{Name: "notes.txt", Data: []byte("x")}}, nil, submission.Options{Signer: team})
	require.NoError(t, err)
	_, err = OpenPackage(empty, trust)
	require.Error(t, err)
	assert.NotErrorAs(t, err, &ve)
	assert.EqualError(t, err, empty+" holds no results.json")
}

func TestMatchBindsTheReviewToThePreviousPackage(t *testing.T) {
	pkg := reviewedPackage(t, issueExample)
	dir, resultsPath := pkg.pkgDir, pkg.results
	keys, err := LoadReviewerKeys(pkg.keys)
	require.NoError(t, err)
	o, err := Open(pkg.review, keys, now)
	require.NoError(t, err)
	require.NoError(t, o.Match(resultsPath))

	// Another package: the review is not of it.
	_, otherResults := submissionPackage(t, signer(t), 72)
	err = o.Match(otherResults)
	var ve *VerifyError
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, err.Error(), "the review is of another package")

	// The previous results.json edited after packaging: no match, and not a review problem.
	require.NoError(t, os.WriteFile(resultsPath, []byte("{}"), 0o644))
	err = o.Match(resultsPath)
	assert.EqualError(t, err, resultsPath+" does not match the SHA256SUMS beside it")
	assert.NotErrorAs(t, err, &ve)

	// results.json outside a package folder.
	loose := filepath.Join(t.TempDir(), "results.json")
	require.NoError(t, os.WriteFile(loose, []byte("{}"), 0o644))
	assert.ErrorContains(t, o.Match(loose), loose+" is not in a package folder: ")

	assert.Equal(t, resultsPath, PreviousIn(dir))
}

func TestDraftPath(t *testing.T) {
	assert.Equal(t, "mine.yaml", DraftPath("mine.yaml", "review"))
	assert.Equal(t, "review-decisions.yaml", DraftPath("", "review/"))
	assert.Equal(t, filepath.Join("out", "acme-review-decisions.yaml"), DraftPath("", filepath.Join("out", "acme-review")))
}

func TestDraftSavesAndResumes(t *testing.T) {
	p := filepath.Join(t.TempDir(), "review-decisions.yaml")
	d, resumed, err := LoadDraft(p)
	require.NoError(t, err)
	assert.False(t, resumed)
	assert.Equal(t, DecisionsSchemaID, d.Schema)

	d.Controls = map[string]ControlDecision{"FH-SECRETS": {Decision: ChangesRequested, Finding: "rotate it", Severity: "high", Due: "2027-01-31"}}
	require.NoError(t, SaveDraft(p, d))
	got, resumed, err := LoadDraft(p)
	require.NoError(t, err)
	assert.True(t, resumed)
	assert.Equal(t, d.Controls, got.Controls)

	require.NoError(t, os.WriteFile(p, []byte("schema: selfassess/decisions/v1\ncontrols:\n  FH-SECRETS: {decision: maybe}\n"), 0o644))
	_, _, err = LoadDraft(p)
	require.Error(t, err)
	assert.Contains(t, err.Error(), p+":3:")
}

func TestWriteSummary(t *testing.T) {
	r := openedReview(t).Review
	var b bytes.Buffer
	WriteSummary(&b, r)
	assert.Equal(t, "decision: "+r.Status()+"\n"+
		"  changes requested  FH-AUTH-TOKEN-STORAGE (critical, due 2027-01-31): Tokens still reach localStorage in app.js\n"+
		"  question           FH-DATA-ENCRYPTION: Which KMS holds the keys?\n"+
		"  false positive rejected  source.secrets:backend/config.py:gitleaks:generic-api-key: This is a live key format\n", b.String())
}
