package report

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/assessment"
)

func withFindings(t *testing.T) *assessment.Results {
	r := load(t)
	ctl := r.Controls[0].ID
	r.Tracked = []assessment.TrackedFinding{
		{Fingerprint: "source.secrets:config/test.go:gitleaks:generic-api-key", Control: ctl, Source: "probe", Severity: "high",
			Message: "generic API key", Location: "config/test.go:7", Status: assessment.FindingSuppressed, FirstSeen: "2026-11-20",
			Justification: "a test fixture, never deployed"},
		{Fingerprint: "review:" + ctl, Control: ctl, Source: "review", Severity: "critical", Message: "Tokens still reach localStorage",
			Status: assessment.FindingOpen, FirstSeen: "2026-11-20", Due: "2027-01-31", DueFrom: "reviewer",
			Response: &assessment.Response{Kind: "will-fix", Date: "2027-01-15", Owner: "ana"}},
	}
	return r
}

func TestReportsShowFindingsAndResponses(t *testing.T) {
	r := withFindings(t)
	ctl := r.Controls[0].ID
	md, err := Markdown(r, Options{Date: date})
	require.NoError(t, err)
	assert.Contains(t, string(md), "## Response to review")
	assert.Contains(t, string(md), "| "+ctl+" | Tokens still reach localStorage | 2027-01-31 | will-fix by 2027-01-15 (ana) | open |")
	assert.Contains(t, string(md), "| `source.secrets:config/test.go:gitleaks:generic-api-key` | "+ctl+" | 2026-11-20 | — | suppressed (false positive: a test fixture, never deployed) |")

	b, err := SARIF(r)
	require.NoError(t, err)
	rep, err := sarif.FromBytes(b)
	require.NoError(t, err)
	require.NoError(t, rep.Validate(), "SARIF 2.1.0 schema")
	var found bool
	for _, res := range rep.Runs[0].Results {
		if len(res.Suppressions) == 0 {
			continue
		}
		found = true
		s := res.Suppressions[0]
		assert.Equal(t, "external", *s.Kind)
		assert.Equal(t, "a test fixture, never deployed", *s.Justification)
		assert.Equal(t, "source.secrets:config/test.go:gitleaks:generic-api-key", res.PartialFingerprints["selfassess/v1"])
		assert.Equal(t, "config/test.go", *res.Locations[0].PhysicalLocation.ArtifactLocation.URI)
	}
	assert.True(t, found, "the suppressed finding is a SARIF result with suppressions[]")

	j, err := JUnit(r)
	require.NoError(t, err)
	require.NoError(t, xml.Unmarshal(j, new(junitSuites)))
	assert.Contains(t, string(j), "suppressed false positive source.secrets:config/test.go:gitleaks:generic-api-key: a test fixture, never deployed")
	assert.Contains(t, string(j), "reviewer finding (open, due 2027-01-31): Tokens still reach localStorage; response: will-fix by 2027-01-15 (ana)")
}

func TestChangesListFindingsResolvedAndOpen(t *testing.T) {
	old := withFindings(t)
	old.Tracked[0].Status = assessment.FindingOpen
	now := withFindings(t)
	now.Tracked = now.Tracked[1:]
	md, err := ChangesMarkdown(assessment.Diff(old, now), "old.json", "new.json", "")
	require.NoError(t, err)
	s := string(md)
	assert.Contains(t, s, "## Findings resolved (1)")
	assert.Contains(t, s, "| `source.secrets:config/test.go:gitleaks:generic-api-key` |")
	assert.Contains(t, s, "## Findings still open (1)")
	assert.True(t, strings.Index(s, "resolved") < strings.Index(s, "still open"))
}

func TestPDFResponseToReview(t *testing.T) {
	pdftotext := requireTool(t, "pdftotext")
	b, err := PDF(withFindings(t), Options{Date: date})
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "report.pdf")
	require.NoError(t, os.WriteFile(p, b, 0o644))
	out, err := exec.Command(pdftotext, "-layout", p, "-").Output()
	require.NoError(t, err)
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, want := range []string{"Response to review", "Tokens still reach localStorage", "will-fix by 2027-01-15 (ana)", "Findings across rounds", "suppressed (false", "test.go:gitleaks:generic-api-key"} {
		assert.Contains(t, text, want)
	}
}

// The run's terminal lists each reviewer item with the team's response;
// nothing when the run answers no review.
func TestReviewSummary(t *testing.T) {
	r := withFindings(t)
	ctl := r.Controls[0].ID
	r.Tracked = append(r.Tracked, assessment.TrackedFinding{Fingerprint: "review:X", Control: "X", Source: "review", Question: true,
		Message: "Which KMS\nholds the keys?", Status: assessment.FindingOpen})
	var b strings.Builder
	ReviewSummary(&b, r, "review1.zip")
	assert.Equal(t, "\nReview review1.zip:\n  "+ctl+" open (will-fix, due 2027-01-31): Tokens still reach localStorage\n  X open (no response): Which KMS; holds the keys?\n", b.String())

	// a text from a package cannot drive the terminal
	b.Reset()
	r.Tracked[2].Message = "x\x1b]0;owned\ay"
	ReviewSummary(&b, r, "review1.zip")
	assert.Contains(t, b.String(), `X open (no response): "x\x1b]0;owned\ay"`)

	b.Reset()
	r.Tracked = r.Tracked[:1]
	ReviewSummary(&b, r, "")
	assert.Empty(t, b.String())
}
