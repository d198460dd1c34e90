package report

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/checklist"
)

// attestedResults: one passing control with a select answer (label differs
// from the value), free text, a note and an evidence file; one failing
// control with an owner and a due date already past.
func attestedResults(t *testing.T) *assessment.Results {
	t.Helper()
	yes := true
	cl := &checklist.Checklist{ID: "acme", Title: "ACME", Version: "1", Sections: []checklist.Section{{ID: "s", Title: "Data", Controls: []checklist.Control{
		{ID: "ENC", Title: "Encryption at rest", Severity: checklist.High, Requirement: "Encrypt data at rest.",
			Questions: []checklist.Question{
				{ID: "where", Prompt: "Where are tokens stored?", Type: checklist.Select,
					Options: []checklist.Option{{Value: "httponly-cookie", Label: "HttpOnly, Secure cookie"}, {Value: "web-storage", Label: "localStorage"}},
					Pass:    &checklist.PassCriteria{AnyOf: []string{"httponly-cookie"}}},
				{ID: "how", Prompt: "How is data encrypted?", Type: checklist.Text},
			},
			Evidence: []checklist.Evidence{{ID: "kms", Description: "KMS policy", Required: true}}},
		{ID: "DOCS", Title: "Architecture document", Severity: checklist.Critical, Requirement: "A current document.",
			Questions: []checklist.Question{{ID: "current", Prompt: "Is it current?", Type: checklist.Confirm, Pass: &checklist.PassCriteria{Equals: &yes}}}},
		{ID: "COOK", Title: "Cookies", Severity: checklist.High, Requirement: "Cookies are HttpOnly.",
			Questions: []checklist.Question{{ID: "where", Prompt: "Where are tokens stored?", Type: checklist.Select,
				Options: []checklist.Option{{Value: "httponly-cookie", Label: "HttpOnly, Secure cookie"}, {Value: "web-storage", Label: "localStorage or sessionStorage"}},
				Pass:    &checklist.PassCriteria{AnyOf: []string{"httponly-cookie"}}}}},
	}}}}
	at := time.Date(2026, 3, 9, 14, 30, 0, 0, time.UTC)
	f := answers.New("", "acme")
	f.Controls["ENC"] = &answers.Control{Answers: map[string]any{"where": "httponly-cookie", "how": "RDS AES-256 with KMS keys"},
		Evidence: []string{"docs/kms.pdf"}, Note: "rotated yearly", AnsweredBy: "alice", AnsweredAt: at}
	f.Controls["DOCS"] = &answers.Control{Answers: map[string]any{"current": false}, Owner: "carol", Due: "2026-03-01", AnsweredBy: "bob", AnsweredAt: at}
	f.Controls["COOK"] = &answers.Control{Answers: map[string]any{"where": "web-storage"}, AnsweredBy: "bob", AnsweredAt: at}
	r := assessment.Evaluate(cl, f, nil, nil, assessment.Options{Now: date})
	// the packing step fills these in (cmd: describeEvidence)
	for i := range r.Controls[0].Evidence {
		if e := &r.Controls[0].Evidence[i]; e.Kind == "file" {
			e.Size, e.SHA256, e.Packed = 1234, strings.Repeat("ab", 32), "evidence/ENC/kms.pdf"
		}
	}
	r.FinishedAt = date
	return r
}

// The report shows what the team attested: answers by their labels, free
// text, notes, evidence files with size, hash and packed path, who answered
// and when; a due date already past is overdue.
func TestReportShowsWhatWasAttested(t *testing.T) {
	r := attestedResults(t)
	require.True(t, "2026-03-01" < date.Format(time.DateOnly), "the due date is past at the report date")
	md, err := Markdown(r, Options{Date: date})
	require.NoError(t, err)
	s := string(md)
	for _, want := range []string{
		"- Where are tokens stored? **HttpOnly, Secure cookie**",
		"- How is data encrypted? **RDS AES-256 with KMS keys**",
		"- Note: rotated yearly",
		"- Evidence file `docs/kms.pdf`: 1234 bytes, SHA-256 `" + strings.Repeat("ab", 32) + "`, in the package as `evidence/ENC/kms.pdf`",
		"- Answered by alice on 2026-03-09 14:30 UTC",
		"Owner: carol · Due: 2026-03-01 (overdue)",
		"| carol | 2026-03-01 (overdue) |",
		"Answered by bob on 2026-03-09 14:30 UTC",
		"Where are tokens stored? localStorage or sessionStorage — expected HttpOnly, Secure cookie",
	} {
		assert.Contains(t, s, want)
	}
	assert.NotContains(t, s, "web-storage", "option values are shown by their labels")

	pdftotext := requireTool(t, "pdftotext")
	b, err := PDF(r, Options{Date: date})
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "report.pdf")
	require.NoError(t, os.WriteFile(p, b, 0o644))
	out, err := exec.Command(pdftotext, "-layout", p, "-").Output()
	require.NoError(t, err)
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, want := range []string{
		"Where are tokens stored? HttpOnly, Secure cookie", "How is data encrypted? RDS AES-256 with KMS keys",
		"Note: rotated yearly", "1234 bytes, SHA-256", "evidence/ENC/kms.pdf", "Answered by alice on 2026-03-09 14:30 UTC",
		"2026-03-01 (overdue)",
	} {
		assert.Contains(t, text, want)
	}
	// Page 1 says why the integration is not ready.
	page1 := strings.Join(strings.Fields(strings.Split(string(out), "\f")[0]), " ")
	assert.Contains(t, page1, "Not ready because: • DOCS (critical) failed • COOK (high) failed")
}
