package cmd

import (
	"encoding/json"
	"fmt"
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
	if d.Empty() {
		fmt.Fprintln(w, "no control changed status")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nCHANGE\tCONTROL\tSEVERITY\tBEFORE\tNOW\tTITLE")
	for _, g := range []struct {
		label string
		list  []assessment.ControlChange
	}{{"newly failing", d.NewlyFailing}, {"newly passing", d.NewlyPassing}, {"changed", d.Changed}, {"added", d.Added}, {"removed", d.Removed}} {
		for _, c := range g.list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", g.label, c.ID, c.Severity, label(c.Old), label(c.New), c.Title)
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
	return nil
}

func label(s assessment.ControlStatus) string {
	if s == "" {
		return "—"
	}
	return report.StatusLabel(s)
}
