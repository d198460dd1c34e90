package checklist

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// FieldError is one problem in a checklist, at a position in its file.
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

// Errors is every problem found in one checklist, in file order.
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

// NotFoundError is returned by Resolve for a name that is neither a
// built-in checklist id nor an existing file.
type NotFoundError struct {
	Name     string
	Builtins []string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("%q is neither a built-in checklist nor a file", e.Name)
}

// Hint lists the built-in ids.
func (e *NotFoundError) Hint() string {
	if len(e.Builtins) == 0 {
		return "pass the path of a checklist YAML file"
	}
	return "built-in checklists: " + strings.Join(e.Builtins, ", ") + "; or pass the path of a checklist YAML file"
}

// suggest returns the candidate closest to s when it is a plausible typo.
func suggest(s string, candidates []string) string {
	best, bestDist := "", len(s)/3+2
	for _, c := range candidates {
		if d := editDistance(s, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
