package cmd

import (
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are a command's streams and environment; tests inject buffers.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// Getenv reads the environment (tests inject a map).
	Getenv func(string) string

	stdinTTY, stdoutTTY, stderrTTY bool
}

// TestIO returns streams over the given buffers, not terminals.
func TestIO(in io.Reader, out, errOut io.Writer, env map[string]string) *IOStreams {
	return &IOStreams{In: in, Out: out, ErrOut: errOut, Getenv: func(k string) string { return env[k] }}
}

// CanPrompt: stdin and stdout are terminals and CI mode is not forced by the environment.
func (s *IOStreams) CanPrompt() bool {
	return s.stdinTTY && s.stdoutTTY && !truthy(s.Getenv("CI"))
}

// StderrIsTerminal reports whether progress may use carriage returns.
func (s *IOStreams) StderrIsTerminal() bool { return s.stderrTTY }

func truthy(v string) bool {
	switch v {
	case "1", "true", "TRUE", "True", "yes":
		return true
	}
	return false
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
