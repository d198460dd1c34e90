package cmd

import (
	"io"
	"os"
	"strconv"

	"golang.org/x/term"

	"github.com/selfassess/selfassess/internal/prose"
)

// IOStreams are a command's streams and environment; tests inject buffers.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// Getenv reads the environment (tests inject a map).
	Getenv func(string) string

	stdinTTY, stdoutTTY, stderrTTY bool
	// width is the terminal's width in columns (nil or 0: unknown).
	width func() int
}

// OutWidth is the width to wrap stdout's prose at: $COLUMNS when set, else
// the terminal's width; 0 when stdout is not a terminal (logs keep lines
// whole).
func (s *IOStreams) OutWidth() int {
	if n, err := strconv.Atoi(s.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	if s.stdoutTTY && s.width != nil {
		return s.width()
	}
	return 0
}

// terminalWidth is f's terminal width, 0 when unknown.
func terminalWidth(f *os.File) func() int {
	return func() int {
		w, _, err := term.GetSize(int(f.Fd()))
		if err != nil {
			return 0
		}
		return w
	}
}

// wrapText breaks lines longer than width at spaces (prose.Wrap).
func wrapText(text string, width int) string { return prose.Wrap(text, width) }

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
