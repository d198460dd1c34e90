package checklist

import (
	"errors"
	"strings"

	"github.com/selfassess/selfassess/internal/input"
)

// Choose resolves the checklist a run is given by from (the flag or the
// setting, named in errors): none chosen, or a name that is neither a
// built-in nor a file, is a *input.Problem; a checklist file that does
// not load is Resolve's error.
func Choose(name, from string) (*Checklist, error) {
	if name == "" {
		return nil, input.Problemf("pass --checklist ID|FILE ("+strings.Join(BuiltinIDs(), ", ")+"), or run 'selfassess init' to write selfassess.yaml",
			"no checklist chosen")
	}
	cl, err := Resolve(name)
	var nf *NotFoundError
	if errors.As(err, &nf) {
		return nil, input.Problemf(nf.Hint(), "%s: %w", from, err)
	}
	return cl, err
}

// ParseFailOn reads --fail-on (fail_on: in the settings), the lowest
// severity whose failure makes the verdict not ready, in any case.
func ParseFailOn(s string) (Severity, error) {
	sev := Severity(strings.ToLower(s))
	if sev.Rank() == 0 {
		return "", input.Problemf("", "--fail-on must be critical, high, medium or low, got %q", s)
	}
	return sev, nil
}
