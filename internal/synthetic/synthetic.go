// Package synthetic makes plausible results of any size for benchmarks
// and layout tests. Only tests import it.
package synthetic

import (
	"fmt"
	"time"

	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/probes"
)

// Results returns plausible results with n controls in sections of 25,
// cycling through every status.
func Results(n int) *assessment.Results {
	start := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	r := &assessment.Results{
		Schema: assessment.SchemaID, Tool: assessment.Tool{Name: "selfassess", Version: "bench"},
		Project:   assessment.Project{Organisation: "Synthetic Org", Integration: "synthetic"},
		Checklist: assessment.ChecklistRef{ID: "synthetic", Title: "Synthetic checklist", Version: "1", Provider: "Bench"},
		Targets:   []string{"https://app.example.test", "./src"},
		StartedAt: start, FinishedAt: start.Add(time.Minute),
		Gate: assessment.Gate{FailOn: "high"},
	}
	sevs := []string{"critical", "high", "medium", "low"}
	for i := 0; i < n; i++ {
		sec := fmt.Sprintf("s%02d", i/25)
		if i%25 == 0 {
			r.Sections = append(r.Sections, assessment.SectionStats{ID: sec, Title: fmt.Sprintf("Section %d", i/25+1), Counts: map[assessment.ControlStatus]int{}})
		}
		st := assessment.ControlStatuses[i%len(assessment.ControlStatuses)]
		c := assessment.Control{
			ID: fmt.Sprintf("SYN-%03d", i+1), Section: sec, Severity: sevs[i%4], Status: st,
			Title:       fmt.Sprintf("Synthetic control number %d with a title long enough to wrap in a table cell", i+1),
			Requirement: "The integration does the right thing, every time, for every request it handles.",
			Remediation: "Change the configuration so that the check passes, then run selfassess again.",
			Answers:     []assessment.Answer{}, ProbeRefs: []string{"http.headers"},
		}
		if st == assessment.ControlFail || st == assessment.ControlPartial {
			c.Evidence = []assessment.Reason{
				{Kind: "probe", Source: "source.secrets@./src", Status: "fail", Message: "secret committed: fk_live_Ab***", Location: fmt.Sprintf("src/file%d.go:%d", i, i+10), File: fmt.Sprintf("src/file%d.go", i), Line: i + 10},
				{Kind: "probe", Source: "http.headers@https://app.example.test", Status: "fail", Message: "X-Content-Type-Options missing", Location: "https://app.example.test/"},
			}
			c.Owner, c.Due = "Team "+sec, "2027-01-01"
		}
		if st == assessment.ControlExcepted {
			c.Exception = &assessment.Exception{Control: c.ID, Justification: "accepted risk", ApprovedBy: "provider", Expires: "2027-06-30"}
		}
		if st == assessment.ControlNotApplicable {
			c.NotApplicable = "not used"
		}
		r.Controls = append(r.Controls, c)
		r.Sections[len(r.Sections)-1].Counts[st]++
	}
	for _, c := range r.Controls {
		s := &r.Summary
		s.Total++
		switch c.Status {
		case assessment.ControlPass:
			s.Pass++
		case assessment.ControlFail:
			s.Fail++
		case assessment.ControlPartial:
			s.Partial++
		case assessment.ControlNotApplicable:
			s.NotApplicable++
		case assessment.ControlNotTested:
			s.NotTested++
		case assessment.ControlError:
			s.Error++
		case assessment.ControlExcepted:
			s.Excepted++
		}
	}
	r.Summary.Score, r.Summary.Verdict = 40, assessment.NotReady
	r.Gate.Reasons = []string{"synthetic failures"}
	r.Probes = []probes.Result{{ID: "http.headers", Target: "https://app.example.test", Status: probes.Fail, Summary: "missing headers", DurationMS: 12,
		Findings: []probes.Finding{{Status: probes.Fail, Rule: "nosniff-missing", Message: "X-Content-Type-Options missing", Location: "https://app.example.test/"}}}}
	return r
}
