package checklist

import (
	"fmt"
	"io"
)

// Summary is one built-in checklist in a line: `checklist list`'s row.
type Summary struct {
	ID       string `json:"id" yaml:"id"`
	Title    string `json:"title" yaml:"title"`
	Version  string `json:"version" yaml:"version"`
	Provider string `json:"provider" yaml:"provider"`
	Sections int    `json:"sections" yaml:"sections"`
	Controls int    `json:"controls" yaml:"controls"`
}

// Summaries lists the built-in checklists in BuiltinIDs order. An error is
// a broken built-in: a bug in this build, not the user's input.
func Summaries() ([]Summary, error) {
	rows := []Summary{}
	for _, id := range BuiltinIDs() {
		cl, err := Builtin(id)
		if err != nil {
			return nil, fmt.Errorf("built-in checklist %s: %w", id, err)
		}
		rows = append(rows, Summary{ID: cl.ID, Title: cl.Title, Version: cl.Version,
			Provider: cl.Provider.Name, Sections: len(cl.Sections), Controls: len(cl.Controls())})
	}
	return rows, nil
}

// Stdin is the name that reads a checklist from standard input.
const Stdin = "-"

// ResolveArg is Resolve for a command-line argument: Stdin ("-") reads the
// checklist from stdin, named <stdin> in errors.
func ResolveArg(arg string, stdin io.Reader) (*Checklist, error) {
	if arg != Stdin {
		return Resolve(arg)
	}
	data, err := io.ReadAll(io.LimitReader(stdin, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read checklist from standard input: %w", err)
	}
	return Parse("<stdin>", data)
}
