package checklist

import (
	"fmt"
	"strings"

	"github.com/selfassess/selfassess/internal/input"
)

// Problems are reported with the shared input types, so every input file's
// errors look alike.
type (
	// FieldError is one problem at a position: FILE:LINE:COL: PATH: MSG.
	FieldError = input.FieldError
	// Errors is every problem found in one file, in file order.
	Errors = input.Errors
)

// SortErrors orders problems by position.
func SortErrors(list []FieldError) { input.SortErrors(list) }

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
