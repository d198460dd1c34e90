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
	d.Tracked = displayTracked(r.Tracked)
	return &d
}

// displayTracked quotes the findings followed across rounds: their
// fingerprints and locations come from trees and targets, the claims and
// responses from packages.
func displayTracked(in []assessment.TrackedFinding) []assessment.TrackedFinding {
	if in == nil {
		return nil
	}
	q, line := safetext.Quote, safetext.Line
	out := make([]assessment.TrackedFinding, len(in))
	for i, f := range in {
		f.Fingerprint, f.Source, f.Location = q(f.Fingerprint), q(f.Source), q(f.Location)
		f.Message, f.Justification, f.Rejected = line(f.Message), line(f.Justification), line(f.Rejected)
		if f.Response != nil {
			resp := *f.Response
			resp.Text = line(resp.Text)
			f.Response = &resp
		}
		out[i] = f
	}
	return out
}

// diffForDisplay is forDisplay for changes.md.
func diffForDisplay(in *assessment.DiffResult) *assessment.DiffResult {
	d := *in
	q := safetext.Quote
	d.ResolvedFindings, d.OpenFindings = displayTracked(in.ResolvedFindings), displayTracked(in.OpenFindings)
	if in.Scripts != nil {
		d.Scripts = make([]assessment.ScriptChange, len(in.Scripts))
		for i, s := range in.Scripts {
			s.Target, s.URL, s.OldIntegrity, s.NewIntegrity = q(s.Target), q(s.URL), q(s.OldIntegrity), q(s.NewIntegrity)
			d.Scripts[i] = s
		}
	}
	if in.ScriptsNotCompared != nil {
		d.ScriptsNotCompared = make([]string, len(in.ScriptsNotCompared))
		for i, s := range in.ScriptsNotCompared {
			d.ScriptsNotCompared[i] = q(s)
		}
	}
	return &d
}
