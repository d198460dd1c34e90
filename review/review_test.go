package review

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
	"golang.org/x/crypto/ssh"

	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/testenv"
	"github.com/selfassess/selfassess/report"
	"github.com/selfassess/selfassess/submission"
)

var now = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

const digest = "4f3c2b1a00000000000000000000000000000000000000000000000000000000"

// issueExample is the shape the issue promises reviewers' scripts.
const issueExample = `schema: selfassess/decisions/v1
default: accepted                    # every control not listed below
controls:
  FH-AUTH-TOKEN-STORAGE: {decision: changes-requested, finding: "Tokens still reach localStorage in app.js", severity: critical, due: 2027-01-31}
  FH-DATA-ENCRYPTION: {decision: question, question: "Which KMS holds the keys?"}
false_positives:
  "source.secrets:backend/config.py:gitleaks:generic-api-key": {decision: rejected, reason: "This is a live key format"}
overall: {decision: changes-requested}
`

func results() *assessment.Results {
	return &assessment.Results{Schema: assessment.SchemaID,
		Project:   assessment.Project{Organisation: "Acme", Integration: "Payouts"},
		Checklist: assessment.ChecklistRef{ID: "finhub", Version: "2026.1", SHA256: strings.Repeat("a", 64)},
		Summary:   assessment.Summary{Verdict: assessment.NotReady, Score: 71},
		Controls: []assessment.Control{
			{ID: "FH-AUTH-TOKEN-STORAGE", Title: "Tokens", Severity: "critical", Status: assessment.ControlPass},
			{ID: "FH-DATA-ENCRYPTION", Title: "Encryption", Severity: "high", Status: assessment.ControlPass},
			{ID: "FH-SECRETS", Title: "Secrets", Severity: "high", Status: assessment.ControlPass, ProbeRefs: []string{"source.secrets"}},
		},
		Tracked: []assessment.TrackedFinding{{Fingerprint: "source.secrets:backend/config.py:gitleaks:generic-api-key", Control: "FH-SECRETS",
			Source: "probe", Severity: "high", Status: assessment.FindingSuppressed, FirstSeen: "2026-12-01", Justification: "a test fixture"}},
	}
}

func buildInput() Input {
	return Input{Results: results(), SumsSHA256: digest, Signer: "SHA256:team", ReviewerKey: "SHA256:rev", Now: now,
		Remediation: &checklist.RemediationDays{High: 30}, Tool: assessment.Tool{Name: "selfassess", Version: "test"}}
}

func lines(t *testing.T, err error) []string {
	t.Helper()
	var errs *checklist.Errors
	require.True(t, errors.As(err, &errs), "want *checklist.Errors, got %v", err)
	return errs.Lines()
}

// yamlAsJSON converts a YAML document to JSON for schema validation.
func yamlAsJSON(t *testing.T, b []byte) []byte {
	t.Helper()
	var v any
	require.NoError(t, yaml.Unmarshal(b, &v))
	out, err := json.Marshal(normalise(v))
	require.NoError(t, err)
	return out
}

func normalise(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalise(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalise(e)
		}
	case time.Time:
		return x.Format(time.DateOnly)
	}
	return v
}

func TestIssueShapeParsesAndMatchesSchema(t *testing.T) {
	d, err := ParseDecisions("d.yaml", []byte(issueExample))
	require.NoError(t, err)
	assert.Equal(t, Accepted, d.Default)
	assert.Equal(t, ControlDecision{Decision: ChangesRequested, Finding: "Tokens still reach localStorage in app.js", Severity: "critical", Due: "2027-01-31"},
		d.Controls["FH-AUTH-TOKEN-STORAGE"])
	assert.Equal(t, "Which KMS holds the keys?", d.Controls["FH-DATA-ENCRYPTION"].Question)
	assert.Equal(t, Rejected, d.FalsePositives["source.secrets:backend/config.py:gitleaks:generic-api-key"].Decision)
	assert.Equal(t, OverallChanges, d.Overall.Decision)
	require.NoError(t, report.ValidateDecisionsJSON(yamlAsJSON(t, []byte(issueExample))))

	approved := "schema: selfassess/decisions/v1\ndefault: accepted\noverall: {decision: approved, valid_until: 2027-12-01}\n"
	d, err = ParseDecisions("a.yaml", []byte(approved))
	require.NoError(t, err)
	assert.Equal(t, "2027-12-01", d.Overall.ValidUntil)
	require.NoError(t, report.ValidateDecisionsJSON(yamlAsJSON(t, []byte(approved))))
	require.Error(t, report.ValidateDecisionsJSON([]byte(`{"schema":"selfassess/decisions/v1","overall":{"decision":"maybe"}}`)))
}

func TestDecisionsErrorsArePositioned(t *testing.T) {
	bad := `schema: selfassess/decisions/v1
default: acepted
colour: blue
controls:
  A: {decision: changes-requested}
  B: {decision: question}
  C: {decision: nope}
  C: {decision: accepted}
  D: {decision: accepted, due: 2027-13-01}
false_positives:
  "x": {decision: rejected}
overall: {decision: approved-with-conditions}
`
	_, err := ParseDecisions("d.yaml", []byte(bad))
	assert.Equal(t, []string{
		`d.yaml:2:10: default: "acepted" is not one of accepted`,
		`d.yaml:3:1: colour: unknown field (known: controls, default, false_positives, overall, reviewer, schema)`,
		`d.yaml:5:6: controls.A.finding: changes-requested needs the finding: what must change`,
		`d.yaml:6:6: controls.B.question: question needs the question for the team`,
		`d.yaml:7:17: controls.C.decision: "nope" is not one of accepted, changes-requested, question`,
		`d.yaml:8:3: controls.C: duplicate key`,
		`d.yaml:9:32: controls.D.due: must be a date YYYY-MM-DD, got "2027-13-01"`,
		`d.yaml:11:8: false_positives.x.reason: a rejected claim needs the reason`,
		`d.yaml:12:21: overall.conditions: approved-with-conditions needs conditions: [{text, due}]`,
	}, lines(t, err))

	_, err = ParseDecisions("s.yaml", []byte("schema: selfassess/decisions/v1\noverall: {decision: [x]\n"))
	assert.Regexp(t, `^s\.yaml:\d+:\d+: `, err.Error())
	_, err = ParseDecisions("e.yaml", nil)
	assert.EqualError(t, err, "e.yaml:1:1: file is empty; expected schema: selfassess/decisions/v1")
	_, err = ParseDecisions("m.yaml", []byte("schema: selfassess/decisions/v1\n"))
	assert.EqualError(t, err, "m.yaml:1:1: overall: missing; e.g. overall: {decision: changes-requested}")
}

func TestBuildDecidesEveryControl(t *testing.T) {
	d, err := ParseDecisions("d.yaml", []byte(issueExample))
	require.NoError(t, err)
	r, err := Build(d, buildInput())
	require.NoError(t, err)
	require.Len(t, r.Controls, 3)
	assert.Equal(t, &Finding{Fingerprint: "review:FH-AUTH-TOKEN-STORAGE", Text: "Tokens still reach localStorage in app.js", Severity: "critical", Due: "2027-01-31"}, r.Controls[0].Finding)
	assert.Equal(t, Question, r.Controls[1].Decision)
	assert.Equal(t, Accepted, r.Controls[2].Decision, "default")
	assert.Equal(t, []FalsePositiveReview{{Fingerprint: "source.secrets:backend/config.py:gitleaks:generic-api-key", Control: "FH-SECRETS",
		Justification: "a test fixture", Decision: Rejected, Reason: "This is a live key format"}}, r.FalsePositives)
	assert.Equal(t, []assessment.ReviewItem{
		{Control: "FH-AUTH-TOKEN-STORAGE", Text: "Tokens still reach localStorage in app.js", Severity: "critical", Due: "2027-01-31"},
		{Control: "FH-DATA-ENCRYPTION", Text: "Which KMS holds the keys?", Severity: "high", Question: true},
	}, r.Items())
	js, err := JSON(r)
	require.NoError(t, err)
	require.NoError(t, ValidateJSON(js), "review.json matches its schema")

	// Without a due date: the checklist's remediation period for the severity.
	d, err = ParseDecisions("d.yaml", []byte("schema: selfassess/decisions/v1\ndefault: accepted\ncontrols:\n  FH-SECRETS: {decision: changes-requested, finding: rotate}\noverall: {decision: changes-requested}\n"))
	require.NoError(t, err)
	r, err = Build(d, buildInput())
	require.NoError(t, err)
	assert.Equal(t, "2027-01-03", r.Controls[2].Finding.Due, "high: 30 days")
}

func TestBuildRefusals(t *testing.T) {
	build := func(doc string) error {
		d, err := ParseDecisions("d.yaml", []byte(doc))
		require.NoError(t, err)
		_, err = Build(d, buildInput())
		return err
	}
	err := build(strings.Replace(issueExample, "overall: {decision: changes-requested}", "overall: {decision: approved}", 1))
	assert.EqualError(t, err, `d.yaml:8:21: overall.decision: approved is refused: changes requested on FH-AUTH-TOKEN-STORAGE; questions open on FH-DATA-ENCRYPTION; false-positive claims not accepted: source.secrets:backend/config.py:gitleaks:generic-api-key`)

	err = build("schema: selfassess/decisions/v1\ncontrols:\n  FH-NOPE: {decision: accepted}\noverall: {decision: rejected}\n")
	assert.Equal(t, []string{
		"d.yaml:3:3: controls.FH-NOPE: no control FH-NOPE in the reviewed package's checklist",
		"d.yaml: controls: 3 control(s) have no decision (FH-AUTH-TOKEN-STORAGE, FH-DATA-ENCRYPTION, FH-SECRETS); list them or set default: accepted",
	}, lines(t, err))

	err = build("schema: selfassess/decisions/v1\ndefault: accepted\nfalse_positives:\n  \"nope\": {decision: accepted}\noverall: {decision: rejected}\n")
	assert.EqualError(t, err, `d.yaml:4:3: false_positives.nope: the package claims no false positive "nope"`)

	// Approval: claims accepted, nothing open → valid 12 months by default.
	d, err := ParseDecisions("d.yaml", []byte("schema: selfassess/decisions/v1\ndefault: accepted\nfalse_positives:\n  \"source.secrets:backend/config.py:gitleaks:generic-api-key\": {decision: accepted}\noverall: {decision: approved}\n"))
	require.NoError(t, err)
	r, err := Build(d, buildInput())
	require.NoError(t, err)
	assert.Equal(t, "2027-12-04", r.Decision.ValidUntil)
	assert.Equal(t, "approved by SHA256:rev on 2026-12-04, valid until 2027-12-04", r.Status())
	ok, _ := r.ApprovedAt(now.AddDate(1, 0, 1))
	assert.False(t, ok, "expired")

	// An open finding of the team's own blocks a plain approval.
	in := buildInput()
	in.Results.Tracked = append(in.Results.Tracked, assessment.TrackedFinding{Fingerprint: "control:FH-SECRETS", Control: "FH-SECRETS", Source: "control", Status: assessment.FindingOpen})
	_, err = Build(d, in)
	assert.ErrorContains(t, err, "approved is refused: 1 finding(s) open: control:FH-SECRETS")
}

func TestTemplateParsesAndListsEverything(t *testing.T) {
	res := results()
	res.Controls[1].Status = assessment.ControlFail
	tpl := Template(res, digest)
	s := string(tpl)
	assert.Less(t, strings.Index(s, "FH-DATA-ENCRYPTION"), strings.Index(s, "FH-AUTH-TOKEN-STORAGE"), "controls needing attention first")
	assert.Contains(t, s, "FH-DATA-ENCRYPTION: {decision: accepted}   # fail, high: Encryption")
	assert.Contains(t, s, `"source.secrets:backend/config.py:gitleaks:generic-api-key": {decision: accepted}`)
	d, err := ParseDecisions("t.yaml", tpl)
	require.NoError(t, err)
	_, err = Build(d, buildInput())
	require.NoError(t, err)
	require.NoError(t, report.ValidateDecisionsJSON(yamlAsJSON(t, tpl)))
}

// --- the signed package ---

func signer(t *testing.T) *submission.Signer {
	s, err := submission.EphemeralSigner()
	require.NoError(t, err)
	return s
}

func keysFor(t *testing.T, s ssh.Signer) []submission.AllowedSigner {
	keys, err := submission.ParseAllowedSigners("reviewers", submission.AllowedSignersLineFor(s.PublicKey(), Principal, Namespace))
	require.NoError(t, err)
	return keys
}

func writeReview(t *testing.T, s ssh.Signer, decisions string) (dir string) {
	t.Helper()
	d, err := ParseDecisions("d.yaml", []byte(decisions))
	require.NoError(t, err)
	in := buildInput()
	in.ReviewerKey = ssh.FingerprintSHA256(s.PublicKey())
	r, err := Build(d, in)
	require.NoError(t, err)
	dir = filepath.Join(t.TempDir(), "review")
	_, err = Write(dir, submission.ZipPathFor(dir), r, s, now)
	require.NoError(t, err)
	return dir
}

func TestReviewPackageRoundTrip(t *testing.T) {
	s := signer(t)
	dir := writeReview(t, s, issueExample)
	for _, p := range []string{dir, submission.ZipPathFor(dir)} {
		o, err := Open(p, keysFor(t, s), now)
		require.NoError(t, err, p)
		assert.Equal(t, OverallChanges, o.Review.Decision.Decision)
		require.NoError(t, o.Review.Binds(digest))
		assert.EqualError(t, o.Review.Binds(strings.Repeat("b", 64)), "the review is of another package (SHA256SUMS digest 4f3c2b1a0000…, this package's is bbbbbbbbbbbb…)")
	}
	md, err := os.ReadFile(filepath.Join(dir, MDFile))
	require.NoError(t, err)
	assert.Contains(t, string(md), "| FH-AUTH-TOKEN-STORAGE | critical | 2027-01-31 | Tokens still reach localStorage in app.js |")
	assert.Contains(t, string(md), "- **FH-DATA-ENCRYPTION**: Which KMS holds the keys?")
}

func TestReviewRefusals(t *testing.T) {
	s := signer(t)
	dir := writeReview(t, s, issueExample)

	// Signed by a key not in the reviewer keys.
	_, err := Open(dir, keysFor(t, signer(t)), now)
	var ve *VerifyError
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, err.Error(), "the signature is valid, but by SHA256:")
	assert.Contains(t, err.Error(), "not by the key you trust")

	// Tampered review.json.
	js := filepath.Join(dir, JSONFile)
	b, _ := os.ReadFile(js)
	require.NoError(t, os.WriteFile(js, []byte(strings.Replace(string(b), `"changes-requested"`, `"approved"`, 1)), 0o644))
	_, err = Open(dir, keysFor(t, s), now)
	assert.EqualError(t, err, "review "+dir+" does not verify: review.json was modified (its hash does not match SHA256SUMS)")

	// A submission (namespace selfassess) presented as a review.
	sub := filepath.Join(t.TempDir(), "pkg")
	_, err = submission.Build(sub, []submission.File{{Name: "review.json", Data: b}}, nil, submission.Options{Signer: s})
	require.NoError(t, err)
	_, err = Open(sub, keysFor(t, s), now)
	assert.EqualError(t, err, "review "+sub+` does not verify: signature namespace is "selfassess", want "selfassess-review"`)

	// An approval while findings are open, signed by the trusted key all the
	// same (made without Build): refused on reading.
	d, err := ParseDecisions("d.yaml", []byte(issueExample))
	require.NoError(t, err)
	in := buildInput()
	in.ReviewerKey = ssh.FingerprintSHA256(s.PublicKey())
	r, err := Build(d, in)
	require.NoError(t, err)
	r.Decision = Overall{Decision: Approved, ValidUntil: "2027-12-01"}
	forged := filepath.Join(t.TempDir(), "forged")
	_, err = Write(forged, "", r, s, now)
	require.NoError(t, err)
	_, err = Open(forged, keysFor(t, s), now)
	assert.EqualError(t, err, "review "+forged+": the review says approved while changes requested on FH-AUTH-TOKEN-STORAGE; questions open on FH-DATA-ENCRYPTION; false-positive claims not accepted: source.secrets:backend/config.py:gitleaks:generic-api-key")
}

func TestReviewSignatureVerifiesWithSSHKeygen(t *testing.T) {
	keygen := testenv.RequireTool(t, "ssh-keygen")
	s := signer(t)
	dir := writeReview(t, s, issueExample)
	sums, err := os.Open(filepath.Join(dir, submission.SumsFile))
	require.NoError(t, err)
	defer sums.Close()
	verify := func(ns string) (string, error) {
		sums.Seek(0, 0)
		cmd := exec.Command(keygen, "-Y", "verify", "-f", filepath.Join(dir, submission.AllowedSignersFile), "-I", Principal, "-n", ns,
			"-s", filepath.Join(dir, submission.SigFile))
		cmd.Stdin = sums
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := verify(Namespace)
	require.NoError(t, err, out)
	assert.Contains(t, out, `Good "selfassess-review" signature for selfassess-review`)
	_, err = verify(submission.Namespace)
	assert.Error(t, err, "a review signature must not pass as a submission's")
}

func TestMarshalDecisionsRoundTripAndDraft(t *testing.T) {
	d, err := ParseDecisions("d.yaml", []byte(issueExample))
	require.NoError(t, err)
	d.Reviewer = "Rita"
	b, err := MarshalDecisions(d)
	require.NoError(t, err)
	back, err := ParseDecisions("m.yaml", b)
	require.NoError(t, err, string(b))
	assert.Equal(t, d.Controls, back.Controls)
	assert.Equal(t, d.FalsePositives, back.FalsePositives)
	assert.Equal(t, d.Overall, back.Overall)
	require.NoError(t, report.ValidateDecisionsJSON(yamlAsJSON(t, b)))

	// A draft (no overall decision yet) reads back for resuming.
	d.Overall = Overall{}
	b, err = MarshalDecisions(d)
	require.NoError(t, err)
	_, err = ParseDecisions("m.yaml", b)
	require.Error(t, err)
	draft, err := ParseDraft("m.yaml", b)
	require.NoError(t, err)
	assert.Equal(t, d.Controls, draft.Controls)
	assert.Equal(t, "", draft.Overall.Decision)
	_, err = ParseDraft("bad.yaml", []byte("schema: selfassess/decisions/v1\ncolour: red\n"))
	assert.ErrorContains(t, err, "colour: unknown field")
}

func TestViewsPutAttentionFirst(t *testing.T) {
	res := results()
	res.Controls[1].Status = assessment.ControlFail
	res.Controls[1].Evidence = []assessment.Reason{{Kind: "file", File: "evidence/FH-DATA-ENCRYPTION/kms.pdf"}}
	res.Controls[1].Answers = []assessment.Answer{{Question: "kms", Prompt: "Where are keys?", Value: "vault"}, {Question: "rotated", Prompt: "Rotated?", Value: false, Pass: ptrBool(false)}}
	cl := &checklist.Checklist{Sections: []checklist.Section{{ID: "s", Controls: []checklist.Control{{ID: "FH-DATA-ENCRYPTION",
		Questions: []checklist.Question{{ID: "kms", Options: []checklist.Option{{Value: "vault", Label: "HashiCorp Vault"}}}}}}}}}
	views, claims := Views(res, cl, "pkg.zip", map[string]string{"evidence/FH-DATA-ENCRYPTION/kms.pdf": "abc123"})
	assert.Contains(t, views[0].Details, "Answer: Where are keys? vault (HashiCorp Vault)")
	assert.Contains(t, views[0].Details, "Answer: Rotated? no (fails)")
	require.Len(t, views, 3)
	assert.Equal(t, "FH-DATA-ENCRYPTION", views[0].ID)
	assert.True(t, views[0].Needs)
	assert.Contains(t, views[0].Details, "Evidence file: evidence/FH-DATA-ENCRYPTION/kms.pdf sha256 abc123 — open: unzip -p pkg.zip '*/evidence/FH-DATA-ENCRYPTION/kms.pdf' | less")
	assert.Contains(t, views[2].Details, "False-positive claim source.secrets:backend/config.py:gitleaks:generic-api-key: a test fixture")
	require.Len(t, claims, 1)
}

func TestLetterPDFs(t *testing.T) {
	pdftotext := testenv.RequireTool(t, "pdftotext")
	text := func(r *Review) string {
		b, err := PDF(r)
		require.NoError(t, err)
		again, err := PDF(r)
		require.NoError(t, err)
		assert.Equal(t, b, again, "the same review gives the same PDF")
		p := filepath.Join(t.TempDir(), "review.pdf")
		require.NoError(t, os.WriteFile(p, b, 0o644))
		out, err := exec.Command(pdftotext, "-layout", p, "-").Output()
		require.NoError(t, err)
		return strings.Join(strings.Fields(string(out)), " ")
	}
	d, err := ParseDecisions("d.yaml", []byte(issueExample))
	require.NoError(t, err)
	r, err := Build(d, buildInput())
	require.NoError(t, err)
	s := text(r)
	for _, want := range []string{"Review: changes-requested", "Acme", "Payouts", digest, "Findings to remediate",
		"FH-AUTH-TOKEN-STORAGE (critical, due 2027-01-31): Tokens still reach localStorage in app.js", "FH-DATA-ENCRYPTION: Which KMS holds the keys?",
		"This is a live key format"} {
		assert.Contains(t, s, want)
	}

	d, err = ParseDecisions("a.yaml", []byte("schema: selfassess/decisions/v1\ndefault: accepted\nfalse_positives:\n  \"source.secrets:backend/config.py:gitleaks:generic-api-key\": {decision: accepted}\noverall: {decision: approved, valid_until: 2027-11-30}\n"))
	require.NoError(t, err)
	r, err = Build(d, buildInput())
	require.NoError(t, err)
	s = text(r)
	for _, want := range []string{"Letter of approval", "Organisation Acme", "Integration Payouts", "Package digest SHA-256 of SHA256SUMS " + digest,
		"Reviewer SHA256:rev", "Decision approved on 2026-12-04", "Valid until 2027-11-30", "lapses on 2027-11-30"} {
		assert.Contains(t, s, want)
	}
}

func ptrBool(b bool) *bool { return &b }
