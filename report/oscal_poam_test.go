package report

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/assessment"
)

// withRound is the fixture after a review round: FH-AUTH-1 fails with two
// probe findings (one open, one overdue) and a reviewer finding the team
// will fix; FH-WEB-1 fails on its answers (a control finding); a reviewer
// question, a suppressed claim and a resolved finding are tracked too.
func withRound(t *testing.T) *assessment.Results {
	r := load(t)
	r.Tracked = []assessment.TrackedFinding{
		{Fingerprint: "source.token-storage:web/auth.js:token-in-web-storage", Control: "FH-AUTH-1", Source: "probe", Severity: "critical",
			Message: "JWT written to localStorage", Location: "web/auth.js:12", Status: assessment.FindingOpen, FirstSeen: "2026-11-20",
			Due: "2026-12-04", DueFrom: "checklist"},
		{Fingerprint: "source.token-storage:web/legacy.js:token-in-web-storage", Control: "FH-AUTH-1", Source: "probe", Severity: "critical",
			Message: "JWT written to sessionStorage", Location: "web/legacy.js:3", Status: assessment.FindingOverdue, FirstSeen: "2026-10-01",
			Due: "2026-10-15", DueFrom: "checklist", Rejected: "sessionStorage is readable by any script"},
		{Fingerprint: "review:FH-AUTH-1", Control: "FH-AUTH-1", Source: "review", Severity: "critical", Message: "Tokens still reach localStorage",
			Status: assessment.FindingOpen, FirstSeen: "2026-11-20", Due: "2027-01-31", DueFrom: "reviewer",
			Response: &assessment.Response{Kind: "will-fix", Date: "2027-01-15", Owner: "ana"}},
		{Fingerprint: "control:FH-WEB-1", Control: "FH-WEB-1", Source: "control", Severity: "medium", Message: "no CSP",
			Status: assessment.FindingOpen, FirstSeen: "2026-11-21", Due: "2027-02-19", DueFrom: "checklist"},
		{Fingerprint: "review:FH-DATA-1", Control: "FH-DATA-1", Source: "review", Severity: "critical", Message: "Which KMS holds the keys?",
			Status: assessment.FindingOpen, FirstSeen: "2026-11-20", Question: true},
		{Fingerprint: "source.secrets:test/keys.go:gitleaks:generic-api-key", Control: "FH-AUTH-2", Source: "probe", Severity: "high",
			Message: "generic API key", Status: assessment.FindingSuppressed, FirstSeen: "2026-11-20", Justification: "a test key"},
		{Fingerprint: "http.cookies:https://app.example.com/:secure", Control: "FH-WH-1", Source: "probe", Severity: "critical",
			Message: "cookie without Secure", Status: assessment.FindingResolved, FirstSeen: "2026-10-01"},
	}
	return r
}

type poamDoc struct {
	P struct {
		Risks []struct {
			UUID, Title, Status, Deadline string
			Props                         []struct{ Name, Value string }
			Remediations                  []struct{ Lifecycle string }
		}
		Items []struct {
			Title, Remarks string
			Props          []struct{ Name, Value string }
			Risks          []struct {
				RiskUUID string `json:"risk-uuid"`
			} `json:"related-risks"`
		} `json:"poam-items"`
	} `json:"plan-of-action-and-milestones"`
}

func propOf(ps []struct{ Name, Value string }, name string) string {
	for _, p := range ps {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

func TestPOAMCarriesTrackedFindings(t *testing.T) {
	files, err := OSCAL(withRound(t), Options{Date: date})
	require.NoError(t, err)
	validateOSCAL(t, OSCALPOAMFile, files[OSCALPOAMFile])
	validateOSCAL(t, OSCALResultsFile, files[OSCALResultsFile])
	var doc poamDoc
	require.NoError(t, json.Unmarshal(files[OSCALPOAMFile], &doc))

	risks := map[string]int{}
	for i, rk := range doc.P.Risks {
		risks[rk.UUID] = i
	}
	byFP := map[string]int{}
	var controls []string
	for i, it := range doc.P.Items {
		require.Len(t, it.Risks, 1, it.Title)
		_, ok := risks[it.Risks[0].RiskUUID]
		require.True(t, ok, "%s names a risk of the document", it.Title)
		if fp := propOf(it.Props, "fingerprint"); fp != "" {
			byFP[fp] = i
		} else {
			controls = append(controls, propOf(it.Props, "control"))
		}
	}
	// One item per open or overdue finding; no question, suppressed or resolved one.
	assert.Len(t, byFP, 4)
	for _, fp := range []string{"review:FH-DATA-1", "source.secrets:test/keys.go:gitleaks:generic-api-key", "http.cookies:https://app.example.com/:secure"} {
		assert.NotContains(t, byFP, fp)
	}
	// Controls at risk that no tracked finding covers keep their own item;
	// FH-AUTH-1 and FH-WEB-1 are covered by their findings.
	assert.ElementsMatch(t, []string{"FH-TLS-2", "FH-TLS-3", "FH-DATA-2", "FH-WH-1"}, controls)

	want := map[string]struct{ status, due, deadline, riskStatus string }{
		"source.token-storage:web/auth.js:token-in-web-storage":   {"open", "2026-12-04", "2026-12-04T23:59:59Z", "open"},
		"source.token-storage:web/legacy.js:token-in-web-storage": {"overdue", "2026-10-15", "2026-10-15T23:59:59Z", "open"},
		"review:FH-AUTH-1": {"open", "2027-01-31", "2027-01-31T23:59:59Z", "remediating"},
		"control:FH-WEB-1": {"open", "2027-02-19", "2027-02-19T23:59:59Z", "open"},
	}
	for fp, w := range want {
		i, ok := byFP[fp]
		require.True(t, ok, fp)
		it := doc.P.Items[i]
		assert.Equal(t, w.status, propOf(it.Props, "status"), fp)
		assert.Equal(t, w.due, propOf(it.Props, "due"), fp)
		assert.NotEmpty(t, propOf(it.Props, "first-seen"), fp)
		rk := doc.P.Risks[risks[it.Risks[0].RiskUUID]]
		assert.Equal(t, w.deadline, rk.Deadline, fp)
		assert.Equal(t, w.riskStatus, rk.Status, fp)
		assert.Equal(t, fp, propOf(rk.Props, "fingerprint"))
	}
	review := doc.P.Items[byFP["review:FH-AUTH-1"]]
	assert.Equal(t, "ana", propOf(review.Props, "owner"), "the will-fix owner")
	assert.Equal(t, "reviewer", propOf(review.Props, "due-from"))
	assert.Equal(t, "The team's response: will-fix by 2027-01-15 (ana).", review.Remarks)
	assert.Equal(t, "planned", doc.P.Risks[risks[review.Risks[0].RiskUUID]].Remediations[0].Lifecycle)
	legacy := doc.P.Items[byFP["source.token-storage:web/legacy.js:token-in-web-storage"]]
	assert.Contains(t, legacy.Remarks, "rejected the team's false-positive claim: sessionStorage is readable by any script")
}

// Without tracked findings (results from before the review round trip)
// the plan is one item per control carrying a risk, as before.
func TestPOAMWithoutTrackedFindings(t *testing.T) {
	r := load(t)
	r.Tracked = nil
	files, err := OSCAL(r, Options{Date: date})
	require.NoError(t, err)
	var doc poamDoc
	require.NoError(t, json.Unmarshal(files[OSCALPOAMFile], &doc))
	var controls []string
	for _, it := range doc.P.Items {
		assert.Empty(t, propOf(it.Props, "fingerprint"))
		controls = append(controls, propOf(it.Props, "control"))
	}
	assert.ElementsMatch(t, []string{"FH-AUTH-1", "FH-TLS-2", "FH-TLS-3", "FH-DATA-2", "FH-WH-1", "FH-WEB-1"}, controls)
}
