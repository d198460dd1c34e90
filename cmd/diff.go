package cmd

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/report"
)

type diffOptions struct {
	ios      *IOStreams
	old, new string
	format   string
	// checkFormat refuses an unknown --format.
	checkFormat func() error
}

func newDiffCmd(ios *IOStreams) *cobra.Command {
	o := &diffOptions{ios: ios}
	c := &cobra.Command{
		Use:   "diff OLD.json NEW.json",
		Short: "Compare two results.json: newly failing, newly passing, changed, added, removed controls",
		Example: `  selfassess diff last-submission/results.json out/results.json
  selfassess diff old.json new.json --format md > changes.md`,
		Args: exactArgs("OLD.json", "NEW.json"),
		RunE: func(c *cobra.Command, args []string) error {
			o.old, o.new = args[0], args[1]
			return runDiff(o)
		},
	}
	o.checkFormat = formatFlag(c, &o.format, "output `format`: table, json or md", "table", "json", "md")
	return c
}

func runDiff(o *diffOptions) error {
	if err := o.checkFormat(); err != nil {
		return err
	}
	oldRes, err := report.LoadResults(o.old)
	if err != nil {
		return usageErr("", "%v", pathErr(err))
	}
	newRes, err := report.LoadResults(o.new)
	if err != nil {
		return usageErr("", "%v", pathErr(err))
	}
	d := assessment.Diff(oldRes, newRes)
	if !d.SameChecklist() {
		fmt.Fprintf(o.ios.ErrOut, "selfassess: warning: %s was assessed against checklist %s, %s against %s; controls are matched by id\n", o.old, d.OldChecklist, o.new, d.NewChecklist)
	}
	switch o.format {
	case "json":
		b, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			return runtimeErr("", "%v", err)
		}
		_, err = fmt.Fprintf(o.ios.Out, "%s\n", b)
		return err
	case "md":
		b, err := report.ChangesMarkdown(d, o.old, o.new, "")
		if err != nil {
			return runtimeErr("", "%v", err)
		}
		_, err = o.ios.Out.Write(b)
		return err
	}
	w := o.ios.Out
	fmt.Fprintf(w, "score %d → %d, verdict %s → %s\n", d.OldScore, d.NewScore, report.VerdictLabel(d.OldVerdict), report.VerdictLabel(d.NewVerdict))
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
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", g.label, c.ID, c.Severity, label(c.Old), label(c.New), c.Title)
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

func label(s assessment.ControlStatus) string {
	if s == "" {
		return "—"
	}
	return report.StatusLabel(s)
}
