package report

import (
	"fmt"
	"io"

	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/internal/prose"
	"github.com/selfassess/selfassess/internal/safetext"
)

// ReviewFindings are the reviewer's findings and questions with the
// team's responses, for the "Response to review" section.
func (v *view) ReviewFindings() []assessment.TrackedFinding {
	var out []assessment.TrackedFinding
	for _, f := range v.R.Tracked {
		if f.Source == assessment.SourceReview {
			out = append(out, f)
		}
	}
	return out
}

// TrackedFindings are the probe and control findings followed across rounds.
func (v *view) TrackedFindings() []assessment.TrackedFinding {
	var out []assessment.TrackedFinding
	for _, f := range v.R.Tracked {
		if f.Source != assessment.SourceReview {
			out = append(out, f)
		}
	}
	return out
}

// responseText is a response as one line: "will-fix by 2027-01-15 (ana)".
func responseText(r *assessment.Response) string {
	if r == nil {
		return "no response"
	}
	s := r.Kind
	if r.Date != "" {
		s += " by " + r.Date
	}
	if r.Owner != "" {
		s += " (" + r.Owner + ")"
	}
	if r.Text != "" {
		s += ": " + r.Text
	}
	return s
}

// reviewResponse is the PDF's "Response to review" section: each reviewer
// finding or question, the team's response and its status; then the
// findings followed across rounds. Nothing when there are none.
func (d *pdfDoc) reviewResponse() {
	rf, tf := d.v.ReviewFindings(), d.v.TrackedFindings()
	if len(rf)+len(tf) == 0 {
		return
	}
	if len(rf) > 0 {
		d.heading("Response to review", false)
		var rows [][]string
		for _, f := range rf {
			msg := f.Message
			if f.Question {
				msg = "Question: " + msg
			}
			rows = append(rows, []string{f.Control, msg, orDefault(f.Due, "—"), responseText(f.Response), string(f.Status)})
		}
		d.table([]column{{"Control", 40, "L"}, {"Reviewer's finding", 52, "L"}, {"Due", 22, "L"}, {"Response", 48, "L"}, {"Status", 18, "L"}}, rows,
			func(row, col int) (assessment.ControlStatus, bool) { return "", col == 0 })
	}
	if len(tf) > 0 {
		d.heading("Findings across rounds", false)
		var rows [][]string
		for _, f := range tf {
			st := string(f.Status)
			if f.Justification != "" {
				st += " (false positive: " + f.Justification + ")"
			}
			rows = append(rows, []string{f.Fingerprint, f.Control, f.FirstSeen, orDefault(f.Due, "—"), st})
		}
		d.table([]column{{"Finding", 64, "L"}, {"Control", 36, "L"}, {"First seen", 22, "L"}, {"Due", 22, "L"}, {"Status", 36, "L"}}, rows,
			func(row, col int) (assessment.ControlStatus, bool) { return "", false })
	}
}

// ReviewSummary writes, under "Review PATH:", one line per reviewer
// finding or question: its control, status, the team's response and due
// date, and the reviewer's text (quoted when it holds control characters:
// it comes from a package). Nothing when the run answers no review.
func ReviewSummary(w io.Writer, r *assessment.Results, reviewPath string) {
	header := false
	for _, f := range r.Tracked {
		if f.Source != assessment.SourceReview {
			continue
		}
		if !header {
			fmt.Fprintf(w, "\nReview %s:\n", reviewPath)
			header = true
		}
		resp := "no response"
		if f.Response != nil {
			resp = f.Response.Kind
		}
		due := ""
		if f.Due != "" {
			due = ", due " + f.Due
		}
		fmt.Fprintf(w, "  %s %s (%s%s): %s\n", safetext.Quote(f.Control), f.Status, safetext.Quote(resp), due, safetext.Quote(prose.OneLine(f.Message)))
	}
}
