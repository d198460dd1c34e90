package submission

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// FirstProblem is the most telling reason a package failed verification,
// in one line. Names come from the untrusted package: one holding control
// characters is quoted, so it cannot drive the terminal.
func (r *Result) FirstProblem() string {
	switch {
	case len(r.Rejected) > 0:
		return quoted(r.Rejected[0])
	case len(r.Mismatched) > 0:
		return quoted(r.Mismatched[0]) + " was modified (its hash does not match SHA256SUMS)"
	case len(r.Missing) > 0:
		return quoted(r.Missing[0]) + " is missing"
	case len(r.Extra) > 0:
		return quoted(r.Extra[0]) + " is not listed in SHA256SUMS"
	case len(r.Problems) > 0:
		return quoted(r.Problems[0])
	case !r.Signed:
		return "it is not signed"
	}
	return "the signature is invalid"
}

// quoted is s as is, or Go-quoted when it holds a non-printable rune or
// invalid UTF-8 (a lone 0x9b is CSI to an 8-bit terminal).
func quoted(s string) string {
	for _, c := range s {
		if !unicode.IsPrint(c) || c == utf8.RuneError {
			return strconv.Quote(s)
		}
	}
	return s
}
