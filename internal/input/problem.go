package input

import "fmt"

// Problem is a fault in what the user gave (a flag, a file, a setting), as
// opposed to a failure of the tool's own work. The CLI exits 2 for it and
// prints Hint, when set, as the line after the error. Domain packages
// return it so that cmd needs no rule of its own to classify the error.
type Problem struct {
	Err  error
	Hint string
}

func (e *Problem) Error() string { return e.Err.Error() }
func (e *Problem) Unwrap() error { return e.Err }

// Problemf is a *Problem with a formatted message (%w wraps as fmt.Errorf).
func Problemf(hint, format string, a ...any) error {
	return &Problem{Err: fmt.Errorf(format, a...), Hint: hint}
}
