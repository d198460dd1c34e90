// Package cmd is the command-line layer: flags, terminals, exit codes.
// One file per command; each has an options struct holding its IO streams
// and a run function. Domain logic lives in the other packages.
package cmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// Version is set at build time with -ldflags "-X github.com/selfassess/selfassess/cmd.Version=…".
var Version = "0.1.0-dev"

// Exit codes (DESIGN.md).
const (
	ExitOK      = 0 // ready / all checks passed
	ExitGate    = 1 // the gate failed (not ready, verification failed)
	ExitUsage   = 2 // usage or input error
	ExitRuntime = 3 // runtime failure
)

// commands are added by each command file's init, so adding a command
// touches only its own file.
var commands []func(*IOStreams) *cobra.Command

func register(f func(*IOStreams) *cobra.Command) { commands = append(commands, f) }

// Main runs the CLI with the process's streams and returns the exit code.
func Main(args []string) int { return MainWith(args, SystemIO()) }

// MainWith runs the CLI with the given streams (tests inject buffers).
func MainWith(args []string, ios *IOStreams) int {
	root := newRootCmd(ios)
	root.SetArgs(args)
	err := root.Execute()
	return reportError(ios.ErrOut, err)
}

func newRootCmd(ios *IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:   "selfassess",
		Short: "Prepare a signed security self-assessment for a payment API provider",
		Long: `selfassess walks a team through a payment/fintech API provider's security
checklist, probes the deployed integration and its source, and produces a
signed submission package for the provider's reviewer.`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &ExitError{Code: ExitUsage, Err: err, Hint: fmt.Sprintf("run '%s --help' for usage", c.CommandPath())}
	})
	for _, f := range commands {
		root.AddCommand(f(ios))
	}
	return root
}

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
// optional hint, and maps it to an exit code.
func reportError(w io.Writer, err error) int {
	if err == nil {
		return ExitOK
	}
	if err == errGate {
		return ExitGate
	}
	code := ExitRuntime
	hint := ""
	var ee *ExitError
	if errors.As(err, &ee) {
		code, hint = ee.Code, ee.Hint
	} else if isCobraUsage(err) {
		code, hint = ExitUsage, "run 'selfassess --help' for usage"
	}
	fmt.Fprintf(w, "selfassess: error: %s\n", oneLine(err.Error()))
	if hint != "" {
		fmt.Fprintf(w, "selfassess: hint: %s\n", oneLine(hint))
	}
	return code
}

// isCobraUsage recognises cobra's own argument errors (unknown command, arg counts).
func isCobraUsage(err error) bool {
	m := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "accepts ", "requires at least", "requires at most", "invalid argument", "unknown shorthand"} {
		if strings.Contains(m, p) {
			return true
		}
	}
	return false
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

// SystemIO is the process's own streams.
func SystemIO() *IOStreams {
	return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, Getenv: os.Getenv,
		stdinTTY: isTerminal(os.Stdin), stdoutTTY: isTerminal(os.Stdout), stderrTTY: isTerminal(os.Stderr)}
}
