package report

import (
	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/internal/safetext"
	"github.com/selfassess/selfassess/probes"
)

// forDisplay returns a copy of r for people to read (report.md, the PDF,
// the run summary): every name and value that came from a target, a
// source tree or a package (targets, probe summaries and findings, the
// evidence behind each control) goes through safetext (Quote for names,
// Line for prose), so a file
// named with escape codes cannot drive a terminal or forge a line. The
// machine formats (JSON, SARIF, JUnit, OSCAL) keep the values as they
// are: their encoders escape them.
func forDisplay(r *assessment.Results) *assessment.Results {
	d := *r
	q, line := safetext.Quote, safetext.Line
	d.Targets = make([]string, len(r.Targets))
	for i, t := range r.Targets {
		d.Targets[i] = q(t)
	}
	d.Probes = make([]probes.Result, len(r.Probes))
	for i, p := range r.Probes {
		p.Target, p.Summary = q(p.Target), line(p.Summary)
		p.Findings = append([]probes.Finding(nil), p.Findings...)
		for k := range p.Findings {
			f := &p.Findings[k]
			f.Rule, f.Message, f.Location, f.File, f.Evidence = q(f.Rule), line(f.Message), q(f.Location), q(f.File), line(f.Evidence)
		}
		d.Probes[i] = p
	}
	d.Controls = make([]assessment.Control, len(r.Controls))
	for i, c := range r.Controls {
		c.Evidence = append([]assessment.Reason(nil), c.Evidence...)
		for k := range c.Evidence {
			e := &c.Evidence[k]
			e.Source, e.Message, e.Location, e.File = q(e.Source), line(e.Message), q(e.Location), q(e.File)
		}
		d.Controls[i] = c
	}
	return &d
}
