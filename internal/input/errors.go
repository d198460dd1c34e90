// Package input is the plumbing every file the user names goes through:
// a bounded read of a regular file, positioned YAML errors
// (FILE:LINE:COL: field: message), and atomic writes.
package input

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// FieldError is one problem in an input file, at a position in it.
// Line and Col are 1-based; 0 when the checklist was not loaded from YAML.
type FieldError struct {
	File string
	Line int
	Col  int
	// Path is the field path, e.g. "sections[1].controls[0].severity";
	// empty for problems with the document as a whole.
	Path string
	Msg  string
}

// Error formats the problem as FILE:LINE:COL: PATH: MSG.
func (e FieldError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteString(":" + strconv.Itoa(e.Line) + ":" + strconv.Itoa(e.Col))
		}
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in one file, in file order.
type Errors struct {
	List []FieldError
}

// Error is the first problem plus a count of the others, so it stays one
// line; use Lines to print all of them.
func (e *Errors) Error() string {
	switch len(e.List) {
	case 0:
		return "no errors"
	case 1:
		return e.List[0].Error()
	case 2:
		return e.List[0].Error() + " (and 1 more error)"
	}
	return fmt.Sprintf("%s (and %d more errors)", e.List[0].Error(), len(e.List)-1)
}

// Lines returns one formatted line per problem.
func (e *Errors) Lines() []string {
	out := make([]string, len(e.List))
	for i, fe := range e.List {
		out[i] = fe.Error()
	}
	return out
}

// SortErrors orders problems by position; problems without one come last,
// in the order they were found.
func SortErrors(list []FieldError) {
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if (a.Line == 0) != (b.Line == 0) {
			return b.Line == 0
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}
