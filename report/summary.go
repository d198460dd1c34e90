package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/internal/prose"
)

// Summary writes the plain-text summary a run ends with: counts by
// section, the verdict and why, and the top findings (Results.Findings
// order) with the evidence that explains each and the first sentence of
// its remediation.
func Summary(w io.Writer, r *assessment.Results, top int) error {
	r = forDisplay(r)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SECTION\tPASS\tFAIL\tPARTIAL\tN/A\tNOT TESTED\tERROR\tEXCEPTED")
	for _, s := range r.Sections {
		c := s.Counts
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", s.Title, c[assessment.ControlPass], c[assessment.ControlFail], c[assessment.ControlPartial],
			c[assessment.ControlNotApplicable], c[assessment.ControlNotTested], c[assessment.ControlError], c[assessment.ControlExcepted])
	}
	s := r.Summary
	fmt.Fprintf(tw, "TOTAL (%d)\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", s.Total, s.Pass, s.Fail, s.Partial, s.NotApplicable, s.NotTested, s.Error, s.Excepted)
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintf(w, "\nVerdict: %s (score %d/100, gate: fail on %s and above", strings.ToUpper(s.Verdict), s.Score, r.Gate.FailOn)
	if r.Gate.AllowUnanswered {
		fmt.Fprint(w, ", unanswered allowed")
	}
	fmt.Fprintln(w, ")")
	for _, why := range r.Gate.Reasons {
		fmt.Fprintf(w, "  - %s\n", why)
	}
	for _, e := range r.ExpiredExceptions {
		fmt.Fprintf(w, "  - exception for %s expired on %s and was ignored\n", e.Control, e.Expires)
	}

	findings := r.Findings()
	if len(findings) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nTop findings:")
	for _, c := range findings[:min(len(findings), top)] {
		fmt.Fprintf(w, "  %s [%s, %s] %s\n", c.ID, c.Severity, c.Status, c.Title)
		if e, ok := c.WorstReason(); ok {
			fmt.Fprintf(w, "      found: %s: %s\n", e.Source, prose.OneLine(e.Message))
		}
		if c.Remediation != "" {
			fmt.Fprintf(w, "      fix:   %s\n", firstSentence(c.Remediation))
		}
	}
	var err error
	if n := len(findings); n > top {
		_, err = fmt.Fprintf(w, "  … and %d more in the report\n", n-top)
	}
	return err
}

func firstSentence(s string) string {
	s = prose.OneLine(s)
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i+1]
	}
	return s
}
