package cmd

import (
	"fmt"

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
		Long: `diff compares two results.json files (e.g. the last submission and this
run): the score and verdict, then every control whose status changed, was
added or was removed, as a table, JSON or the Markdown of changes.md.

Exit codes: 0 compared (whatever changed), 2 usage error (a file missing or
not a results.json), 3 runtime failure.`,
		Example: `  selfassess diff last-submission/results.json out/results.json
  selfassess diff old.json new.json --format md > changes.md`,
		Args: exactArgs("OLD.json", "NEW.json"),
		RunE: func(c *cobra.Command, args []string) error {
			o.old, o.new = args[0], args[1]
			return runDiff(o)
		},
	}
	o.checkFormat = formatFlag(c, &o.format, "output `FORMAT`: table, json or md", "table", "json", "md")
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
		return writeIndented(o.ios.Out, o.format, d)
	case "md":
		b, err := report.ChangesMarkdown(d, o.old, o.new, "")
		if err != nil {
			return runtimeErr("", "%v", err)
		}
		_, err = o.ios.Out.Write(b)
		return err
	}
	return report.ChangesTable(o.ios.Out, d)
}
