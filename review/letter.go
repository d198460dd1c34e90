package review

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/selfassess/selfassess/report"
)

// Markdown is review.md: on an approval a one-page letter of approval,
// otherwise a findings letter to the team (each finding with severity and
// due date, each question, each false-positive decision).
func Markdown(r *Review) []byte {
	var b bytes.Buffer
	who := strings.TrimSpace(r.Submission.Organisation + " " + r.Submission.Integration)
	if who == "" {
		who = "the integration team"
	}
	on := r.ReviewedAt.UTC().Format(time.DateOnly)
	reviewer := r.Reviewer.Key
	if r.Reviewer.Name != "" {
		reviewer = r.Reviewer.Name + " (" + r.Reviewer.Key + ")"
	}
	switch r.Decision.Decision {
	case Approved, ApprovedWithConditions:
		fmt.Fprintf(&b, "# Letter of approval\n\n")
		fmt.Fprintf(&b, "| | |\n|---|---|\n")
		fmt.Fprintf(&b, "| Organisation | %s |\n| Integration | %s |\n", cell(r.Submission.Organisation), cell(r.Submission.Integration))
		fmt.Fprintf(&b, "| Checklist | %s %s (sha256 %s) |\n", cell(r.Checklist.ID), cell(r.Checklist.Version), short(r.Checklist.SHA256))
		fmt.Fprintf(&b, "| Package digest | SHA-256 of SHA256SUMS `%s` |\n", r.Submission.SHA256SUMS)
		fmt.Fprintf(&b, "| Team key | `%s` |\n", r.Submission.Signer)
		fmt.Fprintf(&b, "| Reviewer | %s |\n", cell(reviewer))
		fmt.Fprintf(&b, "| Decision | **%s** on %s |\n| Valid until | **%s** |\n\n", r.Decision.Decision, on, r.Decision.ValidUntil)
		fmt.Fprintf(&b, "The submission identified above has been reviewed against the checklist and is approved")
		if r.Decision.Decision == ApprovedWithConditions {
			fmt.Fprintf(&b, " on the conditions below")
		}
		fmt.Fprintf(&b, ". The approval covers this package only and lapses on %s; resubmit before then.\n", r.Decision.ValidUntil)
		if len(r.Decision.Conditions) > 0 {
			fmt.Fprintf(&b, "\n## Conditions\n\n")
			for _, c := range r.Decision.Conditions {
				fmt.Fprintf(&b, "- %s — due %s\n", line(c.Text), c.Due)
			}
		}
	default:
		fmt.Fprintf(&b, "# Review of %s\n\n", line(who))
		fmt.Fprintf(&b, "Decision: **%s** on %s by %s.\n\n", r.Decision.Decision, on, line(reviewer))
		fmt.Fprintf(&b, "Reviewed package: SHA-256 of SHA256SUMS `%s`, signed by `%s`; checklist %s %s.\n\n",
			r.Submission.SHA256SUMS, r.Submission.Signer, line(r.Checklist.ID), line(r.Checklist.Version))
		var findings, questions []ControlReview
		for _, c := range r.Controls {
			switch c.Decision {
			case ChangesRequested:
				findings = append(findings, c)
			case Question:
				questions = append(questions, c)
			}
		}
		if len(findings) > 0 {
			fmt.Fprintf(&b, "## Findings to remediate\n\n| Control | Severity | Due | Finding |\n|---|---|---|---|\n")
			for _, c := range findings {
				fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", c.ID, c.Finding.Severity, c.Finding.Due, cell(c.Finding.Text))
			}
			fmt.Fprintf(&b, "\n")
		}
		if len(questions) > 0 {
			fmt.Fprintf(&b, "## Questions\n\n")
			for _, c := range questions {
				fmt.Fprintf(&b, "- **%s**: %s\n", c.ID, line(c.Question))
			}
			fmt.Fprintf(&b, "\n")
		}
		fmt.Fprintf(&b, "Respond in your next run: `selfassess run --review REVIEW.zip --reviewer-keys FILE` (answers.yaml `review_responses:` in CI).\n")
	}
	if len(r.FalsePositives) > 0 {
		fmt.Fprintf(&b, "\n## False-positive claims\n\n| Fingerprint | Control | Decision | Reason |\n|---|---|---|---|\n")
		for _, f := range r.FalsePositives {
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", f.Fingerprint, f.Control, f.Decision, cell(f.Reason))
		}
	}
	if r.Decision.Note != "" {
		fmt.Fprintf(&b, "\n%s\n", line(r.Decision.Note))
	}
	return b.Bytes()
}

// verifyMD is the review package's VERIFY.md.
func verifyMD(fingerprint string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Verifying this review\n\n")
	fmt.Fprintf(&b, "`SHA256SUMS` lists every file; `SHA256SUMS.sig` is an SSH signature of it under namespace\n")
	fmt.Fprintf(&b, "`%s` (never `selfassess`, so a submission cannot pass for a review) by the reviewer's key\n\n    %s\n\n", Namespace, fingerprint)
	fmt.Fprintf(&b, "```sh\nsha256sum -c SHA256SUMS\n")
	fmt.Fprintf(&b, "ssh-keygen -Y verify -f reviewer_allowed_signers -I %s -n %s -s SHA256SUMS.sig < SHA256SUMS\n```\n\n", Principal, Namespace)
	fmt.Fprintf(&b, "With selfassess, against the submission it reviews:\n\n```sh\n")
	fmt.Fprintf(&b, "selfassess verify PACKAGE.zip --signer team.pub --review REVIEW.zip --reviewer-keys reviewer_allowed_signers\n```\n")
	return b.Bytes()
}

// cell keeps text inside one Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(line(s), "|", "\\|") }

func line(s string) string { return strings.Join(strings.Fields(s), " ") }

func short(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return h
}

// PDF is review.pdf: the same letter as review.md, as a PDF (a one-page
// letter of approval, or the findings letter).
func PDF(r *Review) ([]byte, error) { return SignedPDF(r, nil) }

// SignedPDF is review.pdf with an embedded PDF signature by sig (nil: none).
func SignedPDF(r *Review, sig *report.PDFSignature) ([]byte, error) {
	on := r.ReviewedAt.UTC().Format(time.DateOnly)
	reviewer := r.Reviewer.Key
	if r.Reviewer.Name != "" {
		reviewer = r.Reviewer.Name + " (" + r.Reviewer.Key + ")"
	}
	l := report.Letter{Date: r.ReviewedAt, Author: line(r.Reviewer.Name), Sign: sig, KeyFingerprint: r.Reviewer.Key}
	facts := [][2]string{
		{"Organisation", line(r.Submission.Organisation)}, {"Integration", line(r.Submission.Integration)},
		{"Checklist", line(r.Checklist.ID + " " + r.Checklist.Version + " (sha256 " + short(r.Checklist.SHA256) + ")")},
		{"Package digest", "SHA-256 of SHA256SUMS " + r.Submission.SHA256SUMS},
		{"Team key", r.Submission.Signer}, {"Reviewer", line(reviewer)},
		{"Decision", r.Decision.Decision + " on " + on},
	}
	switch r.Decision.Decision {
	case Approved, ApprovedWithConditions:
		l.Title = "Letter of approval"
		facts = append(facts, [2]string{"Valid until", r.Decision.ValidUntil})
		text := "The submission identified above has been reviewed against the checklist and is approved"
		if r.Decision.Decision == ApprovedWithConditions {
			text += " on the conditions below"
		}
		text += ". The approval covers this package only and lapses on " + r.Decision.ValidUntil + "; resubmit before then."
		l.Sections = append(l.Sections, report.LetterSection{Paragraphs: []string{text}})
		if len(r.Decision.Conditions) > 0 {
			var ps []string
			for _, c := range r.Decision.Conditions {
				ps = append(ps, "• "+line(c.Text)+" — due "+c.Due)
			}
			l.Sections = append(l.Sections, report.LetterSection{Heading: "Conditions", Paragraphs: ps})
		}
	default:
		l.Title = "Review: " + r.Decision.Decision
		var findings, questions []string
		for _, c := range r.Controls {
			switch {
			case c.Finding != nil:
				findings = append(findings, fmt.Sprintf("• %s (%s, due %s): %s", c.ID, c.Finding.Severity, c.Finding.Due, line(c.Finding.Text)))
			case c.Decision == Question:
				questions = append(questions, fmt.Sprintf("• %s: %s", c.ID, line(c.Question)))
			}
		}
		if len(findings) > 0 {
			l.Sections = append(l.Sections, report.LetterSection{Heading: "Findings to remediate", Paragraphs: findings})
		}
		if len(questions) > 0 {
			l.Sections = append(l.Sections, report.LetterSection{Heading: "Questions", Paragraphs: questions})
		}
		l.Sections = append(l.Sections, report.LetterSection{Paragraphs: []string{
			"Respond in your next run: selfassess run --review REVIEW.zip --reviewer-keys FILE (answers.yaml review_response in CI)."}})
	}
	if len(r.FalsePositives) > 0 {
		var ps []string
		for _, f := range r.FalsePositives {
			p := fmt.Sprintf("• %s (%s): %s", f.Fingerprint, f.Control, f.Decision)
			if f.Reason != "" {
				p += " — " + line(f.Reason)
			}
			ps = append(ps, p)
		}
		l.Sections = append(l.Sections, report.LetterSection{Heading: "False-positive claims", Paragraphs: ps})
	}
	if r.Decision.Note != "" {
		l.Sections = append(l.Sections, report.LetterSection{Paragraphs: []string{line(r.Decision.Note)}})
	}
	l.Facts = facts
	return report.LetterPDF(l)
}
