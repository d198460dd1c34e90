package review

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/prose"
)

// SchemaID is review.json's `schema` value.
const SchemaID = "selfassess/review/v1"

// Namespace and Principal of a review's SSH signature: a submission
// (namespace selfassess) can never pass for a review, nor the reverse.
const (
	Namespace = "selfassess-review"
	Principal = "selfassess-review"
)

// File names in a review package.
const (
	JSONFile = "review.json"
	MDFile   = "review.md"
	PDFFile  = "review.pdf"
)

// Review is review.json: the reviewer's decisions bound to one submission.
type Review struct {
	Schema     string                  `json:"schema"`
	Tool       assessment.Tool         `json:"tool"`
	Submission Submission              `json:"submission"`
	Checklist  assessment.ChecklistRef `json:"checklist"`
	Reviewer   Reviewer                `json:"reviewer"`
	ReviewedAt time.Time               `json:"reviewed_at"`
	Decision   Overall                 `json:"decision"`
	Controls   []ControlReview         `json:"controls"`
	// FalsePositives are the team's claims and the reviewer's answers.
	FalsePositives []FalsePositiveReview `json:"false_positives"`
	// OpenFindings are the package's findings this review leaves open
	// (fingerprints); an approval has none.
	OpenFindings []string `json:"open_findings"`
}

// Submission identifies the reviewed package.
type Submission struct {
	// SHA256SUMS is the hex SHA-256 of the package's SHA256SUMS file.
	SHA256SUMS   string `json:"sha256sums"`
	Signer       string `json:"signer"` // the team's key fingerprint
	Organisation string `json:"organisation,omitempty"`
	Integration  string `json:"integration,omitempty"`
	Verdict      string `json:"verdict"`
	Score        int    `json:"score"`
}

// Reviewer names who decided.
type Reviewer struct {
	Name string `json:"name,omitempty"`
	Key  string `json:"key"` // signing key fingerprint
}

// ControlReview is the decision on one control.
type ControlReview struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Severity string `json:"severity"`
	Status   string `json:"status"` // the team's status
	Decision string `json:"decision"`
	// Finding is set for changes-requested.
	Finding *Finding `json:"finding,omitempty"`
	// Question is set for question.
	Question string `json:"question,omitempty"`
	Note     string `json:"note,omitempty"`
}

// Finding is what the reviewer asks to change.
type Finding struct {
	Fingerprint string `json:"fingerprint"`
	Text        string `json:"text"`
	Severity    string `json:"severity"`
	Due         string `json:"due"`
}

// FalsePositiveReview is a claim and its decision.
type FalsePositiveReview struct {
	Fingerprint   string `json:"fingerprint"`
	Control       string `json:"control"`
	Justification string `json:"justification"`
	Decision      string `json:"decision"` // accepted, rejected, undecided
	Reason        string `json:"reason,omitempty"`
}

// Input is what Build needs besides the decisions.
type Input struct {
	Results *assessment.Results
	// SumsSHA256 is the verified package's SHA256SUMS digest; Signer its key.
	SumsSHA256 string
	Signer     string
	// Remediation gives due dates when the decisions give none.
	Remediation *checklist.RemediationDays
	// ReviewerKey is the fingerprint of the key that will sign the review.
	ReviewerKey string
	// ValidFor is an approval's validity when valid_until is not given
	// (zero: 12 months).
	ValidFor Period
	Now      time.Time
	Tool     assessment.Tool
}

// Period is a calendar period (an approval's validity).
type Period struct{ Years, Months, Days int }

// DefaultDueDays is the due period of a finding when neither the
// decisions nor the checklist give one.
const DefaultDueDays = 30

// Build checks the decisions against the reviewed results and makes the
// review. Problems are *checklist.Errors positioned in the decisions file.
func Build(d *Decisions, in Input) (*Review, error) {
	res := in.Results
	now := in.Now
	if now.IsZero() {
		now = time.Now()
	}
	r := &Review{Schema: SchemaID, Tool: in.Tool, Checklist: res.Checklist, ReviewedAt: now.UTC().Truncate(time.Second),
		Submission: Submission{SHA256SUMS: in.SumsSHA256, Signer: in.Signer, Organisation: res.Project.Organisation,
			Integration: res.Project.Integration, Verdict: res.Summary.Verdict, Score: res.Summary.Score},
		Reviewer: Reviewer{Name: d.Reviewer, Key: in.ReviewerKey}, Decision: d.Overall,
		Controls: []ControlReview{}, FalsePositives: []FalsePositiveReview{}, OpenFindings: []string{}}
	var errs []checklist.FieldError
	known := map[string]bool{}
	var undecided []string
	for _, c := range res.Controls {
		known[c.ID] = true
		cd, listed := d.Controls[c.ID]
		if !listed {
			if d.Default == "" {
				undecided = append(undecided, c.ID)
				continue
			}
			cd = ControlDecision{Decision: d.Default}
		}
		cr := ControlReview{ID: c.ID, Title: c.Title, Severity: c.Severity, Status: string(c.Status), Decision: cd.Decision,
			Question: cd.Question, Note: cd.Note}
		if cd.Decision == ChangesRequested {
			f := &Finding{Fingerprint: assessment.ReviewFingerprint(c.ID), Text: cd.Finding, Severity: cd.Severity, Due: cd.Due}
			if f.Severity == "" {
				f.Severity = c.Severity
			}
			if f.Due == "" {
				f.Due = DefaultDue(in.Remediation, f.Severity, now)
			}
			cr.Finding = f
		}
		r.Controls = append(r.Controls, cr)
	}
	if len(undecided) > 0 {
		errs = append(errs, d.where("controls", "%d control(s) have no decision (%s); list them or set default: accepted",
			len(undecided), strings.Join(prose.FirstN(undecided, 5), ", ")))
	}
	for _, id := range slices.Sorted(maps.Keys(d.Controls)) {
		if !known[id] {
			errs = append(errs, d.where("controls."+id, "no control %s in the reviewed package's checklist", id))
		}
	}

	// False-positive claims: the package's suppressed findings.
	claims := map[string]assessment.TrackedFinding{}
	for _, f := range res.Tracked {
		if f.Status == assessment.FindingSuppressed {
			claims[f.Fingerprint] = f
		}
	}
	for _, fp := range slices.Sorted(maps.Keys(d.FalsePositives)) {
		if _, ok := claims[fp]; !ok {
			errs = append(errs, d.where("false_positives."+fp, "the package claims no false positive %q", fp))
		}
	}
	claimFP := slices.Sorted(maps.Keys(claims))
	for _, fp := range claimFP {
		c := claims[fp]
		fr := FalsePositiveReview{Fingerprint: fp, Control: c.Control, Justification: c.Justification, Decision: "undecided"}
		if reply, ok := d.FalsePositives[fp]; ok {
			fr.Decision, fr.Reason = reply.Decision, reply.Reason
		}
		r.FalsePositives = append(r.FalsePositives, fr)
	}

	// What stays open: the team's failing findings, reviewer findings on
	// controls not accepted now, rejected or undecided claims, and every
	// finding this review raises.
	accepted := map[string]bool{}
	for _, c := range r.Controls {
		if c.Decision == Accepted {
			accepted[c.ID] = true
		}
	}
	for _, f := range res.OpenFindings() {
		if f.Source == assessment.SourceReview && accepted[f.Control] {
			continue // the reviewer accepts the team's response
		}
		r.OpenFindings = append(r.OpenFindings, f.Fingerprint)
	}
	for _, fr := range r.FalsePositives {
		if fr.Decision != Accepted {
			r.OpenFindings = append(r.OpenFindings, fr.Fingerprint)
		}
	}
	for _, c := range r.Controls {
		if c.Decision != Accepted {
			r.OpenFindings = append(r.OpenFindings, assessment.ReviewFingerprint(c.ID))
		}
	}
	r.OpenFindings = dedupe(r.OpenFindings)

	switch r.Decision.Decision {
	case Approved, ApprovedWithConditions:
		if p := r.blockers(); p != "" {
			errs = append(errs, d.where("overall.decision", "%s is refused: %s", r.Decision.Decision, p))
		}
		if r.Decision.ValidUntil == "" {
			p := in.ValidFor
			if p == (Period{}) {
				p.Months = 12
			}
			r.Decision.ValidUntil = now.UTC().AddDate(p.Years, p.Months, p.Days).Format(time.DateOnly)
		} else if r.Decision.ValidUntil <= today(now) {
			errs = append(errs, d.where("overall.valid_until", "%s is not in the future", r.Decision.ValidUntil))
		}
	}
	if len(errs) > 0 {
		checklist.SortErrors(errs)
		return nil, &checklist.Errors{List: errs}
	}
	return r, nil
}

// blockers says why the review cannot be an approval ("" when it can):
// any control changes-requested or question, any claim not accepted, and
// for a plain approval any finding left open.
func (r *Review) blockers() string {
	var changes, questions, claims []string
	for _, c := range r.Controls {
		switch c.Decision {
		case ChangesRequested:
			changes = append(changes, c.ID)
		case Question:
			questions = append(questions, c.ID)
		}
	}
	for _, f := range r.FalsePositives {
		if f.Decision != Accepted {
			claims = append(claims, f.Fingerprint)
		}
	}
	var why []string
	if len(changes) > 0 {
		why = append(why, "changes requested on "+strings.Join(changes, ", "))
	}
	if len(questions) > 0 {
		why = append(why, "questions open on "+strings.Join(questions, ", "))
	}
	if len(claims) > 0 {
		why = append(why, "false-positive claims not accepted: "+strings.Join(claims, ", "))
	}
	if len(why) == 0 && r.Decision.Decision == Approved && len(r.OpenFindings) > 0 {
		why = append(why, fmt.Sprintf("%d finding(s) open: %s", len(r.OpenFindings), strings.Join(prose.FirstN(r.OpenFindings, 3), ", ")))
	}
	return strings.Join(why, "; ")
}

// Consistent checks a review read back (it may have been made by other
// means than Build): an approval with anything open is refused.
func (r *Review) Consistent() error {
	if r.Schema != SchemaID {
		return fmt.Errorf("schema is %q, want %q", r.Schema, SchemaID)
	}
	switch r.Decision.Decision {
	case Approved, ApprovedWithConditions:
		if p := r.blockers(); p != "" {
			return fmt.Errorf("the review says %s while %s", r.Decision.Decision, p)
		}
		if !validDate(r.Decision.ValidUntil) {
			return fmt.Errorf("the approval has no valid_until date")
		}
	}
	for _, c := range r.Controls {
		if c.Finding != nil && c.Decision != ChangesRequested {
			return fmt.Errorf("control %s has a finding but decision %s", c.ID, c.Decision)
		}
	}
	return nil
}

// Items are the review's findings and questions as the team's next run
// follows them.
func (r *Review) Items() []assessment.ReviewItem {
	var out []assessment.ReviewItem
	for _, c := range r.Controls {
		switch {
		case c.Finding != nil:
			out = append(out, assessment.ReviewItem{Control: c.ID, Text: c.Finding.Text, Severity: c.Finding.Severity, Due: c.Finding.Due})
		case c.Decision == Question:
			out = append(out, assessment.ReviewItem{Control: c.ID, Text: c.Question, Severity: c.Severity, Question: true})
		}
	}
	return out
}

// RejectedClaims maps the fingerprints of rejected false-positive claims to the reason.
func (r *Review) RejectedClaims() map[string]string {
	out := map[string]string{}
	for _, f := range r.FalsePositives {
		if f.Decision == Rejected {
			out[f.Fingerprint] = f.Reason
		}
	}
	return out
}

// Status is the review's decision in one line, as verify prints it.
func (r *Review) Status() string {
	on := r.ReviewedAt.UTC().Format(time.DateOnly)
	switch r.Decision.Decision {
	case Approved:
		return fmt.Sprintf("approved by %s on %s, valid until %s", r.Reviewer.Key, on, r.Decision.ValidUntil)
	case ApprovedWithConditions:
		var cs []string
		for _, c := range r.Decision.Conditions {
			cs = append(cs, fmt.Sprintf("%s (by %s)", c.Text, c.Due))
		}
		return fmt.Sprintf("approved with conditions by %s on %s, valid until %s; conditions: %s", r.Reviewer.Key, on, r.Decision.ValidUntil, strings.Join(cs, "; "))
	case OverallRejected:
		return fmt.Sprintf("rejected by %s on %s", r.Reviewer.Key, on)
	}
	return fmt.Sprintf("changes requested by %s on %s (%d open)", r.Reviewer.Key, on, len(r.OpenFindings))
}

// ApprovedAt reports whether the review is an approval still valid at now.
func (r *Review) ApprovedAt(now time.Time) (bool, string) {
	switch r.Decision.Decision {
	case Approved, ApprovedWithConditions:
	default:
		return false, "the review is not an approval (" + r.Decision.Decision + ")"
	}
	if today(now) > r.Decision.ValidUntil {
		return false, "the approval expired on " + r.Decision.ValidUntil
	}
	return true, ""
}

func validDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil && len(s) == 10
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
