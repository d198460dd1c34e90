package report

import (
	"bytes"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/selfassess/selfassess/assessment"
)

// SARIF renders results.sarif (SARIF 2.1.0): one rule per failing, partial
// or errored control, carrying its requirement and remediation; one result per
// finding. Source findings point at file + line, URL findings at the URL.
func SARIF(r *assessment.Results) ([]byte, error) {
	rep := sarif.NewReport()
	run := sarif.NewRunWithInformationURI(orDefault(r.Tool.Name, "selfassess"), "https://github.com/selfassess/selfassess")
	run.Tool.Driver.WithVersion(r.Tool.Version)
	for _, c := range r.Findings() {
		if !c.Status.Failed() {
			continue // not_tested is no code-scanning alert
		}
		help := "Remediation: " + orDefault(c.Remediation, "see the provider checklist")
		rule := run.AddRule(c.ID).
			WithName(ruleName(c.ID)).
			WithDescription(c.Title).
			WithHelp(sarif.NewMultiformatMessageString().WithText(help).WithMarkdown("**Remediation:** " + orDefault(c.Remediation, "see the provider checklist")))
		if c.Requirement != "" {
			rule.WithFullDescription(sarif.NewMultiformatMessageString().WithText(c.Requirement))
		}
		pb := sarif.NewPropertyBag()
		pb.Add("severity", c.Severity)
		pb.Add("section", c.Section)
		pb.Add("security-severity", securitySeverity(c.Severity))
		pb.Add("tags", []string{"security", c.Section})
		rule.WithProperties(pb)
		rule.WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(level(c.Severity)))

		n := 0
		for _, e := range c.Evidence {
			if e.Status.Informational() || (e.Kind != "probe" && e.Kind != "answer") {
				continue
			}
			res := run.CreateResultForRule(c.ID).
				WithLevel(levelFor(c, e.Status)).
				WithMessage(sarif.NewTextMessage(c.ID + ": " + e.Message))
			if loc := location(e); loc != nil {
				res.AddLocation(loc)
			}
			n++
		}
		if n == 0 { // a failing control with no itemised evidence still shows up
			run.CreateResultForRule(c.ID).
				WithLevel(level(c.Severity)).
				WithMessage(sarif.NewTextMessage(fmt.Sprintf("%s: %s is %s", c.ID, c.Title, StatusLabel(c.Status))))
		}
	}
	addSuppressed(run, r)
	rep.AddRun(run)
	var buf bytes.Buffer
	if err := rep.PrettyWrite(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// addSuppressed writes each finding claimed as a false positive as a result
// with a suppressions[] entry (kind external: the claim lives in
// answers.yaml) carrying the justification, so code scanning shows it as
// dismissed rather than dropping it. The fingerprint is a partial
// fingerprint, so the same finding matches across runs.
func addSuppressed(run *sarif.Run, r *assessment.Results) {
	byID := map[string]*assessment.Control{}
	for i := range r.Controls {
		byID[r.Controls[i].ID] = &r.Controls[i]
	}
	for _, f := range r.Tracked {
		if f.Status != assessment.FindingSuppressed {
			continue
		}
		ruleID := f.Control
		if ruleID == "" {
			ruleID = "selfassess"
		}
		if run.GetRuleIndex(ruleID) < 0 {
			rule := run.AddRule(ruleID).WithName(ruleName(ruleID))
			if c := byID[ruleID]; c != nil {
				rule.WithDescription(c.Title)
			}
		}
		res := run.CreateResultForRule(ruleID).
			WithLevel(level(f.Severity)).
			WithMessage(sarif.NewTextMessage(ruleID + ": " + f.Message)).
			WithPartialFingerprints(map[string]string{"selfassess/v1": f.Fingerprint})
		if loc := location(assessment.Reason{Location: f.Location}); loc != nil && f.Location != "" {
			res.AddLocation(loc)
		}
		res.AddSuppression(sarif.NewSuppression().WithKind("external").WithStatus("accepted").WithJustification(f.Justification))
	}
}

// location: FILE:LINE findings become a physical location with a region;
// URL findings an artifact location whose uri is the URL.
func location(e assessment.Reason) *sarif.Location {
	pl := sarif.NewPhysicalLocation()
	switch {
	case e.File != "":
		pl.WithArtifactLocation(sarif.NewSimpleArtifactLocation(filepath.ToSlash(e.File)))
		if e.Line > 0 {
			pl.WithRegion(sarif.NewRegion().WithStartLine(e.Line))
		}
	case isURL(e.Location):
		pl.WithArtifactLocation(sarif.NewSimpleArtifactLocation(e.Location))
	case e.Location != "" && evidenceLocation(e) == "":
		return nil // a summary of the whole source tree: no file to point at
	case e.Location != "":
		file, line := splitFileLine(e.Location)
		pl.WithArtifactLocation(sarif.NewSimpleArtifactLocation(filepath.ToSlash(file)))
		if line > 0 {
			pl.WithRegion(sarif.NewRegion().WithStartLine(line))
		}
	default:
		return nil
	}
	return sarif.NewLocationWithPhysicalLocation(pl)
}

func isURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

func splitFileLine(s string) (string, int) {
	i := strings.LastIndexByte(s, ':')
	if i <= 0 {
		return s, 0
	}
	n := 0
	for _, c := range s[i+1:] {
		if c < '0' || c > '9' {
			return s, 0
		}
		n = n*10 + int(c-'0')
	}
	return s[:i], n
}

func level(severity string) string {
	switch severity {
	case "critical", "high":
		return "error"
	case "medium":
		return "warning"
	}
	return "note"
}

func levelFor(c *assessment.Control, status assessment.ReasonStatus) string {
	if status == assessment.ReasonWarn {
		return "warning"
	}
	return level(c.Severity)
}

// securitySeverity is GitHub code scanning's 0–10 score.
func securitySeverity(severity string) string {
	switch severity {
	case "critical":
		return "9.5"
	case "high":
		return "8.0"
	case "medium":
		return "5.5"
	}
	return "2.0"
}

// ruleName: "FH-AUTH-1" → "FhAuth1" (SARIF names are identifiers).
func ruleName(id string) string {
	var sb strings.Builder
	up := true
	for _, c := range strings.ToLower(id) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			up = true
			continue
		}
		if up && c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		up = false
		sb.WriteRune(c)
	}
	return sb.String()
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
