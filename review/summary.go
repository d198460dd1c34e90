package review

import (
	"fmt"
	"io"

	"github.com/selfassess/selfassess/internal/prose"
	"github.com/selfassess/selfassess/internal/safetext"
)

// WriteSummary writes the review's decision and what it asks of the team
// (findings with severity and due date, questions, claims not accepted),
// one line each, as the review command ends.
func WriteSummary(w io.Writer, r *Review) {
	q := safetext.Quote // ids and fingerprints come from the team's package
	fmt.Fprintf(w, "decision: %s\n", q(r.Status()))
	for _, c := range r.Controls {
		switch {
		case c.Finding != nil:
			fmt.Fprintf(w, "  changes requested  %s (%s, due %s): %s\n", q(c.ID), q(c.Finding.Severity), q(c.Finding.Due), q(prose.OneLine(c.Finding.Text)))
		case c.Decision == Question:
			fmt.Fprintf(w, "  question           %s: %s\n", q(c.ID), q(prose.OneLine(c.Question)))
		}
	}
	for _, f := range r.FalsePositives {
		if f.Decision != Accepted {
			fmt.Fprintf(w, "  false positive %s  %s: %s\n", f.Decision, q(f.Fingerprint), q(prose.OneLine(f.Reason)))
		}
	}
}
