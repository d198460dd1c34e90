package submission

import (
	"fmt"
	"io"

	"github.com/selfassess/selfassess/internal/safetext"
)

// WriteReport writes the verification for a person, after the line naming
// the package: each rejected, modified, missing or extra file and every
// other problem (names quoted: they come from the package), how many
// listed files match, the signature, each PDF's own signature, and the
// result line.
func (r *Result) WriteReport(w io.Writer) {
	q := safetext.Quote
	for _, n := range r.Rejected {
		fmt.Fprintf(w, "REJECTED  %s\n", q(n))
	}
	for _, n := range r.Mismatched {
		fmt.Fprintf(w, "MODIFIED  %s (hash does not match SHA256SUMS)\n", q(n))
	}
	for _, n := range r.Missing {
		fmt.Fprintf(w, "MISSING   %s\n", q(n))
	}
	for _, n := range r.Extra {
		fmt.Fprintf(w, "EXTRA     %s (not listed in SHA256SUMS)\n", q(n))
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "PROBLEM   %s\n", q(p))
	}
	if len(r.Rejected) == 0 {
		fmt.Fprintf(w, "files:   %d of %d listed files match SHA256SUMS\n", len(r.Checked), len(r.Checked)+len(r.Mismatched)+len(r.Missing))
	}
	if r.Signed && r.KeyFP != "" {
		state := "INVALID"
		switch {
		case r.SignatureOK:
			state = "valid"
		case r.ValidUntrusted:
			state = "valid, but not by the key you trust"
		}
		fmt.Fprintf(w, "signature: %s, by %s key %s (checked against %s)\n", state, r.KeyType, r.KeyFP, r.TrustSource)
	}
	for _, p := range r.PDFs {
		switch {
		case !p.Signed:
			fmt.Fprintf(w, "%s: no PDF signature (an Ed25519 or ssh-agent key cannot sign a PDF); covered by SHA256SUMS\n", q(p.Name))
		case p.Valid:
			kind := "CA-issued certificate"
			if p.SelfSigned {
				kind = "self-signed certificate"
			}
			fmt.Fprintf(w, "%s: PDF signature valid, whole document, %s %s over the package's signing key, signed %s\n",
				q(p.Name), kind, q(p.Subject), p.SigningTime.UTC().Format("2006-01-02 15:04:05 UTC"))
		} // an invalid one is a PROBLEM line above
	}
	switch {
	case !r.OK():
		fmt.Fprintf(w, "result:  FAILED — do not trust this package\n")
	case r.IdentityProven:
		fmt.Fprintf(w, "result:  OK — intact and signed by a key you trust\n")
	default:
		fmt.Fprintf(w, "result:  OK — intact, but checked only against the key the package names itself\n")
	}
}
