// Package cmd is the command-line layer: flags, terminals, exit codes.
// One file per command; each has an options struct holding its IO streams
// and a run function. Domain logic lives in the other packages.
package cmd

import (
	"os"

	"github.com/spf13/cobra"
)

// Version is set at build time with -ldflags "-X github.com/selfassess/selfassess/cmd.Version=…".
var Version = "0.1.0-dev"

// Main runs the CLI with the process's streams and returns the exit code.
func Main(args []string) int { return MainWith(args, SystemIO()) }

// MainWith runs the CLI with the given streams (tests inject buffers).
func MainWith(args []string, ios *IOStreams) int {
	root := newRootCmd(ios)
	root.SetArgs(args)
	err := root.Execute()
	return reportError(ios.ErrOut, err)
}

// newRootCmd is the whole CLI: every command is listed here.
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
	groupArgs(root)
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &ExitError{Code: ExitUsage, Err: err, Hint: helpHint(c)}
	})
	root.AddCommand(
		newInitCmd(ios),
		newRunCmd(ios),
		newProbeCmd(ios),
		newReportCmd(ios),
		newDiffCmd(ios),
		newVerifyCmd(ios),
		newKeygenCmd(ios),
		newChecklistCmd(ios),
		newVersionCmd(ios),
	)
	return root
}

// SystemIO is the process's own streams.
func SystemIO() *IOStreams {
	return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, Getenv: os.Getenv,
		stdinTTY: isTerminal(os.Stdin), stdoutTTY: isTerminal(os.Stdout), stderrTTY: isTerminal(os.Stderr)}
}
