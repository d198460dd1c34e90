package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/selfassess/selfassess/assessment"
)

// ChangesTable writes a diff for the terminal: score and verdict, the
// controls that changed status, the findings followed across rounds
// (resolved, still open or overdue) and the page scripts that changed,
// quoted as report.md quotes them.
func ChangesTable(w io.Writer, d *assessment.DiffResult) error {
	d = diffForDisplay(d) // names and findings from trees, targets and packages
	fmt.Fprintf(w, "score %d → %d, verdict %s → %s\n", d.OldScore, d.NewScore, VerdictLabel(d.OldVerdict), VerdictLabel(d.NewVerdict))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if d.ControlsUnchanged() {
		fmt.Fprintln(tw, "no control changed status")
	} else {
		fmt.Fprintln(tw, "\nCHANGE\tCONTROL\tSEVERITY\tBEFORE\tNOW\tTITLE")
		for _, g := range []struct {
			label string
			list  []assessment.ControlChange
		}{{"newly failing", d.NewlyFailing}, {"newly passing", d.NewlyPassing}, {"changed", d.Changed}, {"added", d.Added}, {"removed", d.Removed}} {
			for _, c := range g.list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", g.label, c.ID, c.Severity, statusOrDash(c.Old), statusOrDash(c.New), c.Title)
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// Findings followed by fingerprint across rounds.
	for _, f := range d.ResolvedFindings {
		fmt.Fprintf(w, "finding resolved  %s (%s)\n", f.Fingerprint, f.Control)
	}
	for _, f := range d.OpenFindings {
		due := ""
		if f.Due != "" {
			due = ", due " + f.Due
		}
		fmt.Fprintf(w, "finding %s  %s (%s%s)\n", f.Status, f.Fingerprint, f.Control, due)
	}
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if len(d.Scripts) > 0 {
		// the page's scripts (js.sri), by URL and integrity / served sha384
		fmt.Fprintln(tw, "\nSCRIPT CHANGE\tPAGE\tKIND\tURL\tBEFORE\tNOW")
		for _, s := range d.Scripts {
			fmt.Fprintf(tw, "script %s\t%s\t%s\t%s\t%s\t%s\n", s.Change, s.Target, s.Kind, s.URL, hashes(s.OldIntegrity, s.OldSHA384), hashes(s.NewIntegrity, s.NewSHA384))
		}
	}
	if len(d.ScriptsNotCompared) > 0 {
		fmt.Fprintf(tw, "scripts not compared (no js.sri inventory on one side): %s\n", strings.Join(d.ScriptsNotCompared, ", "))
	}
	return tw.Flush()
}

// hashes is a script's integrity and served sha384, whichever are known.
func hashes(integrity, sha384 string) string {
	if s := strings.TrimSpace(integrity + " " + sha384); s != "" {
		return s
	}
	return "—"
}

// statusOrDash is a status label, "—" for a control one side lacks.
func statusOrDash(s assessment.ControlStatus) string {
	if s == "" {
		return "—"
	}
	return StatusLabel(s)
}
