package review

import (
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/submission"
)

// PackageDir is where the team's next package carries the review it responds to.
const PackageDir = "review"

// ExpiryWarnings are the days before an approval lapses at which a run
// warns (Microsoft 365 App Compliance's reminders), the closest first.
var ExpiryWarnings = []int{30, 60, 90}

// Round is what the team's run carries from the previous round: the
// previous submission's results and the reviewer's signed review of it.
// A nil Round, or one without a review, is a first round.
type Round struct {
	Previous     *assessment.Results // nil without --previous
	PreviousPath string              // its results.json ("" without)
	Review       *Opened             // nil without --review
}

// PreviousIn is the results.json of the package in dir, "" when there is
// none: a review is usually of the package the new one replaces.
func PreviousIn(dir string) string {
	p := filepath.Join(dir, "results.json")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// Match checks that the review is of the package holding previousResults
// (its SHA256SUMS digest). A *VerifyError is a review of another package;
// any other error is about the previous package.
func (o *Opened) Match(previousResults string) error {
	digest, err := submission.PackageDigest(previousResults)
	if err != nil {
		return err
	}
	return o.Review.Binds(digest)
}

// ExpiresSoon reports, for an approval still valid at now, how many days
// are left and the warning threshold (of ExpiryWarnings) they fall within;
// ok is false when there is nothing to warn about.
func (r *Review) ExpiresSoon(now time.Time) (days, within int, ok bool) {
	if valid, _ := r.ApprovedAt(now); !valid {
		return 0, 0, false
	}
	until, err := time.Parse(time.DateOnly, r.Decision.ValidUntil)
	if err != nil {
		return 0, 0, false
	}
	days = int(until.Sub(now.UTC().Truncate(24*time.Hour)).Hours() / 24)
	for _, w := range ExpiryWarnings {
		if days <= w {
			return days, w, true
		}
	}
	return days, 0, false
}

// ExpiryWarning is the warning for an approval that lapses soon (see
// ExpiresSoon), "" when there is nothing to warn about.
func (r *Review) ExpiryWarning(now time.Time) string {
	days, within, ok := r.ExpiresSoon(now)
	if !ok {
		return ""
	}
	return fmt.Sprintf("the approval expires on %s (in %d days, within %d); run 'selfassess run' and send the new package for review before then",
		r.Decision.ValidUntil, days, within)
}

// items are the review's findings and questions (none without a review).
func (r *Round) items() []assessment.ReviewItem {
	if r == nil || r.Review == nil {
		return nil
	}
	return r.Review.Review.Items()
}

// CheckResponses checks the team's responses in the answers file to each
// reviewer finding and question: a response that breaks the rules (a
// will-fix date after the due date, fixed without saying what changed) is
// an error positioned at its field; the items with no response are missing.
func (r *Round) CheckResponses(a *answers.File) (missing []assessment.ReviewItem, err error) {
	for _, it := range r.items() {
		c := a.Controls[it.Control]
		if c == nil || c.ReviewResponse == nil {
			missing = append(missing, it)
			continue
		}
		if err := assessment.ValidateResponse(it, response(c.ReviewResponse)); err != nil {
			return nil, fmt.Errorf("%s: controls.%s.review_response: %v", a.Path, it.Control, err)
		}
	}
	return missing, nil
}

// Rejected maps the fingerprints of the claims the review rejected to the reason.
func (r *Round) Rejected() map[string]string {
	if r == nil || r.Review == nil {
		return nil
	}
	return r.Review.Review.RejectedClaims()
}

// Suppress takes the team's false-positive claims (those the review did
// not reject) out of the probe results.
func (r *Round) Suppress(a *answers.File, results []probes.Result) ([]probes.Result, map[string]assessment.Suppressed) {
	return assessment.Suppress(results, claims(a), r.Rejected())
}

// Track follows the findings across rounds: fingerprints, first seen
// (from the previous results), due dates, the review's findings and the
// team's responses.
func (r *Round) Track(res *assessment.Results, cl *checklist.Checklist, a *answers.File, sup map[string]assessment.Suppressed, now time.Time) {
	lc := assessment.Lifecycle{Remediation: cl.RemediationDays, Claims: claims(a), Rejected: r.Rejected(), Now: now}
	if r != nil {
		lc.Previous = r.Previous
	}
	if lc.Review = r.items(); lc.Review != nil {
		lc.Responses = map[string]assessment.Response{}
		for _, it := range lc.Review {
			if c := a.Controls[it.Control]; c != nil && c.ReviewResponse != nil {
				lc.Responses[it.Control] = response(c.ReviewResponse)
			}
		}
	}
	assessment.Track(res, cl, sup, lc)
}

// Evaluate judges the answers and probe results against the checklist
// with the round's suppressions (the claims the review did not reject),
// and tracks the findings across rounds (at opts.Now).
func (r *Round) Evaluate(cl *checklist.Checklist, a *answers.File, results []probes.Result, exc []assessment.Exception, opts assessment.Options) *assessment.Results {
	results, suppressed := r.Suppress(a, results)
	res := assessment.Evaluate(cl, a, results, exc, opts)
	r.Track(res, cl, a, suppressed, opts.Now)
	return res
}

// Files are the review's files for the team's next package, under PackageDir.
func (r *Round) Files() []submission.File {
	if r == nil || r.Review == nil {
		return nil
	}
	var out []submission.File
	for name, b := range r.Review.Files {
		out = append(out, submission.File{Name: path.Join(PackageDir, name), Data: b})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// claims are the team's false-positive claims in the answers, by control id.
func claims(a *answers.File) []assessment.FalsePositive {
	if a == nil {
		return nil
	}
	var out []assessment.FalsePositive
	for _, id := range slices.Sorted(maps.Keys(a.Controls)) {
		if c := a.Controls[id]; c != nil {
			for _, fp := range c.FalsePositives {
				out = append(out, assessment.FalsePositive{Fingerprint: fp.Fingerprint, Justification: fp.Justification})
			}
		}
	}
	return out
}

func response(r *answers.ReviewResponse) assessment.Response {
	return assessment.Response{Kind: r.Kind, Text: r.Text, Date: r.Date, Owner: r.Owner}
}
