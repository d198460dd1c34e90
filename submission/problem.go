package submission

import "github.com/selfassess/selfassess/internal/safetext"

// FirstProblem is the most telling reason a package failed verification,
// in one line. Names come from the untrusted package: one holding control
// characters is quoted, so it cannot drive the terminal.
func (r *Result) FirstProblem() string {
	switch {
	case len(r.Rejected) > 0:
		return safetext.Quote(r.Rejected[0])
	case len(r.Mismatched) > 0:
		return safetext.Quote(r.Mismatched[0]) + " was modified (its hash does not match SHA256SUMS)"
	case len(r.Missing) > 0:
		return safetext.Quote(r.Missing[0]) + " is missing"
	case len(r.Extra) > 0:
		return safetext.Quote(r.Extra[0]) + " is not listed in SHA256SUMS"
	case len(r.Problems) > 0:
		return safetext.Quote(r.Problems[0])
	case !r.Signed:
		return "it is not signed"
	}
	return "the signature is invalid"
}
