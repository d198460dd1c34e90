// Package cmd is the command-line layer: flags, terminals, exit codes.
// One file per command; each has an options struct holding its IO streams
// and a run function. Domain logic lives in the other packages.
package cmd

import (
	"os"
	"runtime/debug"

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
		newReviewCmd(ios),
		newKeygenCmd(ios),
		newChecklistCmd(ios),
		newVersionCmd(ios),
	)
	return root
}

// SystemIO is the process's own streams.
func SystemIO() *IOStreams {
	return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, Getenv: os.Getenv,
		stdinTTY: isTerminal(os.Stdin), stdoutTTY: isTerminal(os.Stdout), stderrTTY: isTerminal(os.Stderr),
		width: terminalWidth(os.Stdout)}
}

// relaxGC lets the heap grow to five times the live data between
// collections (GOGC=400) for a probe or run command, unless the user set
// GOGC or GOMEMLIMIT, and returns the function that restores the settings.
// A probe run is short and its live heap a few MiB: collecting at Go's
// default 4 MiB costs a local probe run ~10% (BenchmarkProbeGC). The soft
// limit keeps the bodies and scripts of many targets (each capped by
// --max-body and --max-js-bytes) from holding more than 256 MiB uncollected.
func relaxGC(getenv func(string) string) (restore func()) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	oldPercent := debug.SetGCPercent(400)
	oldLimit := debug.SetMemoryLimit(256 << 20)
	return func() {
		debug.SetGCPercent(oldPercent)
		debug.SetMemoryLimit(oldLimit)
	}
}
