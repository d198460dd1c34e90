package cmd

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/input"
	"github.com/selfassess/selfassess/internal/prose"
	"github.com/selfassess/selfassess/internal/safetext"
	"github.com/selfassess/selfassess/report"
)

// Exit codes (DESIGN.md).
const (
	ExitOK      = 0 // ready / all checks passed
	ExitGate    = 1 // the gate failed (not ready, verification failed)
	ExitUsage   = 2 // usage or input error
	ExitRuntime = 3 // runtime failure
)

// ExitError carries an exit code and an optional hint line.
type ExitError struct {
	Code int
	Err  error
	Hint string
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// usageErr is a bad flag, argument or input file: exit 2.
func usageErr(hint string, format string, a ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, a...), Hint: hint}
}

// runtimeErr is a failure of the tool's own work (cannot write, signing failed): exit 3.
func runtimeErr(hint string, format string, a ...any) error {
	return &ExitError{Code: ExitRuntime, Err: fmt.Errorf(format, a...), Hint: hint}
}

// errGate means the gate failed after everything was reported: exit 1, no message.
var errGate = &ExitError{Code: ExitGate, Err: errors.New("gate failed")}

// reportError prints err as `selfassess: error: …` (one line) plus an
// optional hint, and maps it to an exit code. Every usage error is an
// *ExitError (flags, arguments and unknown commands included) or a domain
// package's *input.Problem; anything else is a runtime failure.
func reportError(w io.Writer, err error) int {
	if err == nil {
		return ExitOK
	}
	if err == errGate {
		return ExitGate
	}
	code, hint := ExitRuntime, ""
	var ee *ExitError
	var p *input.Problem
	if errors.As(err, &ee) {
		code, hint = ee.Code, ee.Hint
	} else if errors.As(err, &p) {
		code, hint = ExitUsage, p.Hint
	}
	fmt.Fprintf(w, "selfassess: error: %s\n", safetext.Quote(prose.OneLine(err.Error())))
	if hint != "" {
		fmt.Fprintf(w, "selfassess: hint: %s\n", safetext.Quote(prose.OneLine(hint)))
	}
	return code
}

// helpHint points at a command's --help.
func helpHint(c *cobra.Command) string {
	return fmt.Sprintf("run '%s --help' for usage", c.CommandPath())
}

// name is the command as typed after "selfassess".
func name(c *cobra.Command) string {
	return strings.TrimPrefix(c.CommandPath(), c.Root().Name()+" ")
}

// Argument validators: our own, so that every wrong command line is a typed
// usage error that names the arguments (cobra's say "accepts 1 arg(s)").

// noArgs: the command takes no arguments.
func noArgs(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErr(helpHint(c), "%s takes no arguments, got %q", name(c), args[0])
	}
	return nil
}

// exactArgs: the command takes exactly the named arguments.
func exactArgs(names ...string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) == len(names) {
			return nil
		}
		what := fmt.Sprintf("one %s argument", names[0])
		if len(names) > 1 {
			what = fmt.Sprintf("%s arguments, %s", prose.Count(len(names)), strings.Join(names, " and "))
		}
		if len(args) < len(names) {
			if len(args) == 0 {
				return usageErr(helpHint(c), "%s needs %s", name(c), what)
			}
			return usageErr(helpHint(c), "%s needs %s, got %d", name(c), what, len(args))
		}
		return usageErr(helpHint(c), "%s takes %s, got %d", name(c), what, len(args))
	}
}

// minArgs: the command takes one or more of the named argument.
func minArgs(arg string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usageErr(helpHint(c), "%s needs at least one %s argument", name(c), arg)
		}
		return nil
	}
}

// groupArgs makes a command that only holds subcommands runnable, so a
// mistyped subcommand is a usage error (exit 2), not help; with no argument
// it prints its help.
func groupArgs(c *cobra.Command) {
	c.Args = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		hint := helpHint(c)
		if c.SuggestionsMinimumDistance <= 0 {
			c.SuggestionsMinimumDistance = 2
		}
		if s := c.SuggestionsFor(args[0]); len(s) > 0 {
			hint = fmt.Sprintf("did you mean '%s %s'? %s", c.CommandPath(), s[0], hint)
		}
		return usageErr(hint, "unknown command %q for %q", args[0], c.CommandPath())
	}
	c.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
}

// formatFlag adds --format with its completion; the returned check refuses
// any other value with one message for every command.
func formatFlag(c *cobra.Command, p *string, usage string, formats ...string) func() error {
	c.Flags().StringVar(p, "format", formats[0], usage)
	_ = c.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return formats, cobra.ShellCompDirectiveNoFileComp
	})
	return func() error {
		for _, f := range formats {
			if *p == f {
				return nil
			}
		}
		return usageErr("", "--format must be %s, got %q", prose.OrList(formats), *p)
	}
}

// printErrorList prints every problem of a *checklist.Errors (checklist,
// answers, exceptions, config) as its own `selfassess: error: FILE:LINE:COL:
// …` line and returns the exit-2 summary, "N problems in FILE"; ok is false
// when err holds no such list.
func printErrorList(ios *IOStreams, err error, hint string) (summary error, ok bool) {
	var ce *checklist.Errors
	if !errors.As(err, &ce) || len(ce.List) == 0 {
		return nil, false
	}
	for _, l := range ce.Lines() {
		fmt.Fprintf(ios.ErrOut, "selfassess: error: %s\n", safetext.Quote(prose.OneLine(l)))
	}
	return usageErr(hint, "%s in %s", plural(len(ce.List), "problem"), ce.List[0].File), true
}

// renderErr maps a report rendering error: a broken template from
// --template-dir is the user's input (exit 2); anything else, the PDF
// included, is ours (exit 3).
func renderErr(err error) error {
	var te *report.TemplateError
	if errors.As(err, &te) {
		return usageErr("", "--template-dir: %v", err)
	}
	return runtimeErr("", "%v", err)
}

// plural is "1 problem", "2 problems".
func plural(n int, noun string) string { return prose.Plural(n, noun) }

// pathErr shortens *PathError messages to "PATH: reason".
func pathErr(err error) error { return input.PathErr(err) }
