package cmd

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/indent"
)

func newChecklistCmd(ios *IOStreams) *cobra.Command {
	c := &cobra.Command{
		Use:   "checklist",
		Short: "List, show and validate checklists; print their JSON Schema",
		Long: `A checklist is a provider's security requirements as controls, each verified
by questions a human answers, by automated probes, or by both. selfassess has
built-in checklists (see 'selfassess checklist list'); any YAML file in the
same format works wherever a checklist id does.`,
	}
	groupArgs(c)
	c.AddCommand(newChecklistListCmd(ios), newChecklistShowCmd(ios), newChecklistValidateCmd(ios), newChecklistSchemaCmd(ios))
	return c
}

// completeChecklist offers the built-in ids, and files.
func completeChecklist(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return checklist.BuiltinIDs(), cobra.ShellCompDirectiveDefault
}

// checklistError turns a loading error into the command's error (exit 2):
// every problem of a checklist on its own line, then how many.
func checklistError(ios *IOStreams, err error) error {
	if summary, ok := printErrorList(ios, err, ""); ok {
		return summary
	}
	var nf *checklist.NotFoundError
	if errors.As(err, &nf) {
		return usageErr(nf.Hint(), "%s", nf.Error())
	}
	return usageErr("", "%s", err)
}

type checklistListOptions struct {
	ios         *IOStreams
	format      string
	checkFormat func() error
}

func newChecklistListCmd(ios *IOStreams) *cobra.Command {
	o := &checklistListOptions{ios: ios}
	c := &cobra.Command{
		Use:   "list",
		Short: "List the built-in checklists",
		Long: `list prints each built-in checklist's id, title, version and control
count; the id is what --checklist takes. Exit codes: 0 listed, 2 usage error.`,
		Example: `  selfassess checklist list
  selfassess checklist list --format json`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error { return runChecklistList(o) },
	}
	o.checkFormat = formatFlag(c, &o.format, "output `FORMAT`: table, json or yaml", "table", "json", "yaml")
	return c
}

func runChecklistList(o *checklistListOptions) error {
	if err := o.checkFormat(); err != nil {
		return err
	}
	rows, err := checklist.Summaries()
	if err != nil {
		return runtimeErr("", "%v", err)
	}
	if o.format != "table" {
		return writeIndented(o.ios.Out, o.format, rows)
	}
	tw := tabwriter.NewWriter(o.ios.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTITLE\tVERSION\tCONTROLS")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", r.ID, r.Title, r.Version, r.Controls)
	}
	return tw.Flush()
}

type checklistShowOptions struct {
	ios         *IOStreams
	format      string
	checkFormat func() error
	name        string
}

func newChecklistShowCmd(ios *IOStreams) *cobra.Command {
	o := &checklistShowOptions{ios: ios}
	c := &cobra.Command{
		Use:   "show ID|FILE",
		Short: "Show a checklist's sections and controls, and how each is verified",
		Long: `show prints a checklist (a built-in id or a file) for a person: its sections,
each control's requirement and severity, and how it is verified (questions,
evidence, probes). Exit codes: 0 shown, 2 usage or checklist error.`,
		Example: `  selfassess checklist show finhub
  selfassess checklist show --format json ./my-checklist.yaml`,
		Args:              exactArgs("ID|FILE"),
		ValidArgsFunction: completeChecklist,
		RunE: func(_ *cobra.Command, args []string) error {
			o.name = args[0]
			return runChecklistShow(o)
		},
	}
	o.checkFormat = formatFlag(c, &o.format, "output `FORMAT`: text, json or yaml", "text", "json", "yaml")
	return c
}

func runChecklistShow(o *checklistShowOptions) error {
	if err := o.checkFormat(); err != nil {
		return err
	}
	cl, err := checklist.ResolveArg(o.name, o.ios.In)
	if err != nil {
		return checklistError(o.ios, err)
	}
	if o.format != "text" {
		return writeIndented(o.ios.Out, o.format, cl)
	}
	return cl.WriteOutline(o.ios.Out)
}

type checklistValidateOptions struct {
	ios   *IOStreams
	files []string
}

func newChecklistValidateCmd(ios *IOStreams) *cobra.Command {
	o := &checklistValidateOptions{ios: ios}
	c := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check checklist files and print every problem as FILE:LINE:COL",
		Long: `Check checklist files: YAML syntax, unknown fields, types, required fields,
ids, probe ids, options, pass criteria and conditions. Every problem of every
file is printed, one per line; valid files print "FILE: ok". The exit code is
2 when any file has a problem (exit codes: 0 every file valid, 2 a problem).
"-" reads standard input; a built-in id checks that built-in.`,
		Example:           `  selfassess checklist validate my-checklist.yaml`,
		Args:              minArgs("FILE"),
		ValidArgsFunction: completeChecklist,
		RunE: func(_ *cobra.Command, args []string) error {
			o.files = args
			return runChecklistValidate(o)
		},
	}
	return c
}

func runChecklistValidate(o *checklistValidateOptions) error {
	badFiles, problems := 0, 0
	for _, name := range o.files {
		cl, err := checklist.ResolveArg(name, o.ios.In)
		if err == nil {
			if _, err := fmt.Fprintf(o.ios.Out, "%s: ok\n", cl.File); err != nil {
				return runtimeErr("", "cannot write output: %v", err)
			}
			continue
		}
		badFiles++
		var errs *checklist.Errors
		if errors.As(err, &errs) && len(errs.List) > 0 {
			problems += len(errs.List)
			printErrorList(o.ios, err, "") // the summary comes once, for every file
			continue
		}
		problems++
		reportError(o.ios.ErrOut, checklistError(o.ios, err)) // one error and its hint, as on exit
	}
	if badFiles == 0 {
		return nil
	}
	return usageErr("", "%s in %s", plural(problems, "problem"), plural(badFiles, "file"))
}

func newChecklistSchemaCmd(ios *IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of the checklist format",
		Long: `Print the JSON Schema (draft 2020-12) of the checklist format, for editors.
Save it and point your checklist at it with a first line such as
  # yaml-language-server: $schema=./checklist.schema.json
Exit codes: 0 printed, 2 usage error.`,
		Example: `  selfassess checklist schema > checklist.schema.json`,
		Args:    noArgs,
		RunE: func(*cobra.Command, []string) error {
			if _, err := ios.Out.Write(checklist.JSONSchema()); err != nil {
				return runtimeErr("", "cannot write the schema: %v", err)
			}
			return nil
		},
	}
}

// writeIndented writes v as indented JSON or YAML (format "json", "yaml").
func writeIndented(w io.Writer, format string, v any) error {
	write := indent.YAML
	if format == "json" {
		write = indent.JSON
	}
	if err := write(w, v); err != nil {
		return runtimeErr("", "cannot write output: %v", err)
	}
	return nil
}
