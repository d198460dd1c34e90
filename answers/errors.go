package answers

import (
	"fmt"
	"strings"
)

// Error is one problem in an input file, at FILE:LINE:COL, naming the
// field by its dotted path (controls.FH-AUTH-1.answers.q1).
type Error struct {
	File  string
	Line  int // 0 when the position is unknown (a file built in memory)
	Col   int
	Field string
	Msg   string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
		}
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in a file, in file order. Its Error() is one
// line per problem.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// errOrNil returns nil for an empty list, so callers can `return es.errOrNil()`.
func (es Errors) errOrNil() error {
	if len(es) == 0 {
		return nil
	}
	return es
}
