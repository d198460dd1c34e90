package answers

import "github.com/selfassess/selfassess/internal/input"

// Problems are reported with the shared input error types, so every input
// file's errors look alike: FILE:LINE:COL: field.path: message. Error()
// is the first problem and a count; Lines() lists them all.
type (
	// Error is one problem at a position.
	Error = input.FieldError
	// Errors is every problem found in one file, in file order.
	Errors = input.Errors
)

// errList collects problems.
type errList []Error

func (l errList) err() error {
	if len(l) == 0 {
		return nil
	}
	return &Errors{List: l}
}
