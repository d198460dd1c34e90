package report

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/assessment"
)

func TestResultsSchemaAcceptsTrackedFindings(t *testing.T) {
	r := &assessment.Results{Schema: assessment.SchemaID, Tool: assessment.Tool{Name: "selfassess"},
		Checklist: assessment.ChecklistRef{ID: "t", Version: "1"}, Controls: []assessment.Control{}, Gate: assessment.Gate{FailOn: "high"}, Summary: assessment.Summary{Verdict: assessment.Ready},
		Tracked: []assessment.TrackedFinding{
			{Fingerprint: "source.secrets:a.py:gitleaks:x", Control: "C", Source: "probe", Severity: "high", Message: "m",
				Status: assessment.FindingSuppressed, FirstSeen: "2026-11-22", Justification: "fixture"},
			{Fingerprint: "review:C", Control: "C", Source: "review", Severity: "high", Message: "m", Status: assessment.FindingOpen,
				FirstSeen: "2026-11-22", Due: "2027-01-31", DueFrom: "reviewer", Response: &assessment.Response{Kind: "will-fix", Date: "2027-01-15"}},
		}}
	b, err := JSON(r)
	require.NoError(t, err)
	require.NoError(t, ValidateResults(b))
	bad := []byte(`{"schema":"selfassess/results/v1","tool":{"name":"s","version":""},"checklist":{"id":"t","version":"1","sha256":""},"targets":null,"started_at":"2026-01-01T00:00:00Z","finished_at":"2026-01-01T00:00:00Z","gate":{"fail_on":"high","allow_unanswered":false},"summary":{"total":0,"pass":0,"fail":0,"partial":0,"not_applicable":0,"not_tested":0,"error":0,"excepted":0,"score":0,"verdict":"ready"},"controls":[],"probes":[],"findings":[{"fingerprint":"x","control":"C","source":"probe","severity":"high","message":"m","status":"maybe","first_seen":"2026-11-22"}]}`)
	require.ErrorContains(t, ValidateResults(bad), "/findings/0/status")
}
