package cmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/selfassess/selfassess/checklist"
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

// loadChecklist resolves a built-in id or a file path; "-" reads standard input.
func loadChecklist(ios *IOStreams, idOrPath string) (*checklist.Checklist, error) {
	if idOrPath != "-" {
		return checklist.Resolve(idOrPath)
	}
	data, err := io.ReadAll(io.LimitReader(ios.In, checklist.MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read checklist from standard input: %w", err)
	}
	return checklist.Parse("<stdin>", data)
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

// checklistSummary is one row of `checklist list`.
type checklistSummary struct {
	ID       string `json:"id" yaml:"id"`
	Title    string `json:"title" yaml:"title"`
	Version  string `json:"version" yaml:"version"`
	Provider string `json:"provider" yaml:"provider"`
	Sections int    `json:"sections" yaml:"sections"`
	Controls int    `json:"controls" yaml:"controls"`
}

func newChecklistListCmd(ios *IOStreams) *cobra.Command {
	o := &checklistListOptions{ios: ios}
	c := &cobra.Command{
		Use:   "list",
		Short: "List the built-in checklists",
		Args:  noArgs,
		RunE:  func(*cobra.Command, []string) error { return runChecklistList(o) },
	}
	o.checkFormat = formatFlag(c, &o.format, "output `format`: table, json or yaml", "table", "json", "yaml")
	return c
}

func runChecklistList(o *checklistListOptions) error {
	if err := o.checkFormat(); err != nil {
		return err
	}
	rows := []checklistSummary{}
	for _, id := range checklist.BuiltinIDs() {
		cl, err := checklist.Builtin(id)
		if err != nil {
			// a broken built-in is a bug in this build, not the user's input
			return runtimeErr("", "built-in checklist %s: %v", id, err)
		}
		rows = append(rows, checklistSummary{ID: cl.ID, Title: cl.Title, Version: cl.Version,
			Provider: cl.Provider.Name, Sections: len(cl.Sections), Controls: len(cl.Controls())})
	}
	switch o.format {
	case "json":
		return writeIndentedJSON(o.ios.Out, rows)
	case "yaml":
		return writeIndentedYAML(o.ios.Out, rows)
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
		Example: `  selfassess checklist show finhub
  selfassess checklist show --format json ./my-checklist.yaml`,
		Args:              exactArgs("ID|FILE"),
		ValidArgsFunction: completeChecklist,
		RunE: func(_ *cobra.Command, args []string) error {
			o.name = args[0]
			return runChecklistShow(o)
		},
	}
	o.checkFormat = formatFlag(c, &o.format, "output `format`: text, json or yaml", "text", "json", "yaml")
	return c
}

func runChecklistShow(o *checklistShowOptions) error {
	if err := o.checkFormat(); err != nil {
		return err
	}
	cl, err := loadChecklist(o.ios, o.name)
	if err != nil {
		return checklistError(o.ios, err)
	}
	switch o.format {
	case "json":
		return writeIndentedJSON(o.ios.Out, cl)
	case "yaml":
		return writeIndentedYAML(o.ios.Out, cl)
	}
	return writeOutline(o.ios.Out, cl)
}

// writeOutline prints a checklist for a person: its sections and controls,
// each with its severity and how it is verified.
func writeOutline(w io.Writer, cl *checklist.Checklist) error {
	ew := &outlineWriter{w: w}
	ew.printf("%s  %s  (version %s)\n", cl.ID, cl.Title, cl.Version)
	ew.printf("provider  %s\n", withDetails(cl.Provider.Name, cl.Provider.URL, cl.Provider.Contact))
	if cl.Source.Title != "" || cl.Source.URL != "" {
		ew.printf("source    %s\n", withDetails(cl.Source.Title, cl.Source.URL, cl.Source.Retrieved))
	}
	bySeverity := map[checklist.Severity]int{}
	controls := cl.Controls()
	for _, sc := range controls {
		bySeverity[sc.Control.Severity]++
	}
	var counts []string
	for _, s := range checklist.Severities {
		if bySeverity[s] > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", bySeverity[s], s))
		}
	}
	ew.printf("controls  %d in %d sections (%s)\n", len(controls), len(cl.Sections), strings.Join(counts, ", "))

	for _, s := range cl.Sections {
		ew.printf("\n%s [%s]\n", s.Title, s.ID)
		for _, c := range s.Controls {
			ew.printf("  %-8s  %s  %s\n", c.Severity, c.ID, c.Title)
			ew.printf("            verified by %s", verifiedBy(&c))
			if c.AllowNotApplicable {
				ew.printf("; may be not applicable")
			}
			ew.printf("\n")
			for _, q := range c.Questions {
				cond := ""
				if q.When != nil {
					cond = " (if " + q.When.Question + ")"
				}
				ew.printf("            ? %s [%s%s]%s\n", q.Prompt, q.Type, map[bool]string{true: ", informational"}[q.Pass == nil], cond)
			}
			if len(c.Probes) > 0 {
				ew.printf("            probes: %s\n", strings.Join(c.Probes, ", "))
			}
		}
	}
	return ew.err
}

// verifiedBy says how a control is decided: by answers, probes or both.
func verifiedBy(c *checklist.Control) string {
	var parts []string
	if n := len(c.Questions); n == 1 {
		parts = append(parts, "1 question")
	} else if n > 1 {
		parts = append(parts, fmt.Sprintf("%d questions", n))
	}
	if n := len(c.Probes); n == 1 {
		parts = append(parts, "1 probe")
	} else if n > 1 {
		parts = append(parts, fmt.Sprintf("%d probes", n))
	}
	return strings.Join(parts, " and ")
}

// withDetails formats "name (detail, detail)", leaving out empty parts.
func withDetails(name string, details ...string) string {
	var set []string
	for _, d := range details {
		if d != "" {
			set = append(set, d)
		}
	}
	if len(set) == 0 {
		return name
	}
	return strings.TrimSpace(name + " (" + strings.Join(set, ", ") + ")")
}

// outlineWriter keeps the first write error so the outline code stays linear.
type outlineWriter struct {
	w   io.Writer
	err error
}

func (e *outlineWriter) printf(format string, a ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, a...)
	}
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
2 when any file has a problem. "-" reads standard input; a built-in id checks
that built-in.`,
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
		cl, err := loadChecklist(o.ios, name)
		if err == nil {
			if _, err := fmt.Fprintf(o.ios.Out, "%s: ok\n", cl.File); err != nil {
				return runtimeErr("", "cannot write output: %v", err)
			}
			continue
		}
		badFiles++
		var errs *checklist.Errors
		if _, ok := printErrorList(o.ios, err, ""); ok && errors.As(err, &errs) {
			problems += len(errs.List)
			continue
		}
		problems++
		fmt.Fprintf(o.ios.ErrOut, "selfassess: error: %s\n", oneLine(err.Error()))
		var nf *checklist.NotFoundError
		if errors.As(err, &nf) {
			fmt.Fprintf(o.ios.ErrOut, "selfassess: hint: %s\n", nf.Hint())
		}
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
  # yaml-language-server: $schema=./checklist.schema.json`,
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

func writeIndentedJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return runtimeErr("", "cannot write output: %v", err)
	}
	return nil
}

func writeIndentedYAML(w io.Writer, v any) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return runtimeErr("", "cannot write output: %v", err)
	}
	if err := enc.Close(); err != nil {
		return runtimeErr("", "cannot write output: %v", err)
	}
	return nil
}
