package cmd

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/interview"
	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/report"
	"github.com/selfassess/selfassess/review"
	"github.com/selfassess/selfassess/submission"
)

// reviewDir is where the team's package carries the review it responds to.
const reviewDir = "review"

// round is what a run carries from the previous round: the previous
// results (--previous) and the reviewer's signed review (--review).
type round struct {
	previous *assessment.Results
	review   *review.Opened
	path     string // --review as given
}

// loadRound reads --previous and --review (checked against the reviewer
// keys and bound to the previous submission's SHA256SUMS digest) and, in CI
// mode, the team's responses from answers.yaml. Problems are exit 2.
func (o *runOptions) loadRound(p *runPlan, cfgReviewerKeys string, ci bool) (*round, error) {
	r := &round{path: o.reviewPath}
	prevPath := o.previous
	if prevPath == "" && o.reviewPath != "" {
		// The common case: the new package replaces the reviewed one in --out.
		if _, err := os.Stat(filepath.Join(p.outDir, "results.json")); err == nil {
			prevPath = filepath.Join(p.outDir, "results.json")
			o.previous = prevPath
		}
	}
	if prevPath != "" {
		prev, err := report.LoadResults(prevPath)
		if err != nil {
			return nil, usageErr("", "--previous: %v", pathErr(err))
		}
		r.previous = prev
	}
	if o.reviewPath == "" {
		return r, nil
	}
	keysPath := o.reviewerKeys
	if keysPath == "" {
		keysPath = cfgReviewerKeys
	}
	if keysPath == "" {
		return nil, usageErr("give the provider's reviewer keys (an allowed_signers file) with --reviewer-keys FILE or reviewer_keys: in selfassess.yaml",
			"--review needs the reviewer keys to check the review against")
	}
	keys, err := loadReviewerKeys(keysPath)
	if err != nil {
		return nil, err
	}
	opened, err := review.Open(o.reviewPath, keys, o.now())
	if err != nil {
		return nil, usageErr("", "--review: %v", pathErr(err))
	}
	if prevPath == "" {
		return nil, usageErr("give the reviewed package's results.json with --previous (its SHA256SUMS must sit beside it)",
			"--review: cannot tell which submission the review is of")
	}
	digest, err := packageDigest(prevPath)
	if err != nil {
		return nil, usageErr("", "--previous: %v", err)
	}
	if err := opened.Review.Binds(digest); err != nil {
		return nil, usageErr("", "--review %s: %v (the previous package is %s)", o.reviewPath, err, filepath.Dir(prevPath))
	}
	r.review = opened
	rv := opened.Review
	if ok, _ := rv.ApprovedAt(o.now()); ok {
		warnExpiry(o.ios, rv, o.now())
	}

	// Responses: each reviewer finding or question needs one; a will-fix
	// date must not be later than the due date.
	var missing []string
	for _, it := range rv.Items() {
		c := p.ans.Controls[it.Control]
		if c == nil || c.ReviewResponse == nil {
			missing = append(missing, it.Control)
			continue
		}
		if err := assessment.ValidateResponse(it, toResponse(c.ReviewResponse)); err != nil {
			return nil, usageErr("", "%s: controls.%s.review_response: %v", p.ans.Path, it.Control, err)
		}
	}
	if len(missing) > 0 && ci && !o.allowUnanswered {
		for _, it := range rv.Items() {
			if contains(missing, it.Control) {
				kind, due := "finding", ", due "+it.Due
				if it.Question {
					kind, due = "question", ""
				}
				fmt.Fprintf(o.ios.ErrOut, "unresponded: %s reviewer %s%s: %s\n", it.Control, kind, due, oneLine(it.Text))
			}
		}
		return nil, usageErr("add review_response: {kind: fixed|will-fix|disputed|answered, …} to each control in "+p.ans.Path+", or pass --allow-unanswered",
			"%d reviewer finding(s) or question(s) have no response in %s", len(missing), p.ans.Path)
	}
	return r, nil
}

// packageDigest is the SHA-256 of the SHA256SUMS beside results.json,
// after checking that it lists that results.json as it is.
func packageDigest(resultsPath string) (string, error) {
	dir := filepath.Dir(resultsPath)
	sums, err := os.ReadFile(filepath.Join(dir, submission.SumsFile))
	if err != nil {
		return "", fmt.Errorf("%s is not in a package folder: %v", resultsPath, pathErr(err))
	}
	entries, err := submission.ParseSums(sums)
	if err != nil {
		return "", err
	}
	data, err := os.ReadFile(resultsPath)
	if err != nil {
		return "", pathErr(err)
	}
	h := sha256.Sum256(data)
	listed := false
	for _, e := range entries {
		if e.Name == filepath.Base(resultsPath) {
			listed = e.Hex == hex.EncodeToString(h[:])
		}
	}
	if !listed {
		return "", fmt.Errorf("%s does not match the %s beside it", resultsPath, submission.SumsFile)
	}
	d := sha256.Sum256(sums)
	return hex.EncodeToString(d[:]), nil
}

// warnExpiry warns 90, 60 and 30 days (and less) before an approval lapses.
func warnExpiry(ios *IOStreams, r *review.Review, now time.Time) {
	until, err := time.Parse(time.DateOnly, r.Decision.ValidUntil)
	if err != nil {
		return
	}
	days := int(until.Sub(now.UTC().Truncate(24*time.Hour)).Hours() / 24)
	for _, w := range []int{30, 60, 90} {
		if days <= w {
			fmt.Fprintf(ios.ErrOut, "selfassess: warning: the approval expires on %s (in %d days, within %d); run 'selfassess run' and send the new package for review before then\n",
				r.Decision.ValidUntil, days, w)
			return
		}
	}
}

// claims are the team's false-positive claims from the answers.
func claims(a *answers.File) []assessment.FalsePositive {
	var out []assessment.FalsePositive
	if a == nil {
		return nil
	}
	ids := make([]string, 0, len(a.Controls))
	for id := range a.Controls {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if c := a.Controls[id]; c != nil {
			for _, fp := range c.FalsePositives {
				out = append(out, assessment.FalsePositive{Fingerprint: fp.Fingerprint, Justification: fp.Justification})
			}
		}
	}
	return out
}

func toResponse(r *answers.ReviewResponse) assessment.Response {
	return assessment.Response{Kind: r.Kind, Text: r.Text, Date: r.Date, Owner: r.Owner}
}

// rejected are the claims the review rejected.
func (r *round) rejected() map[string]string {
	if r == nil || r.review == nil {
		return nil
	}
	return r.review.Review.RejectedClaims()
}

// suppress takes the claimed false positives (not rejected) out of the probe results.
func (r *round) suppress(a *answers.File, results []probes.Result) ([]probes.Result, map[string]assessment.Suppressed) {
	return assessment.Suppress(results, claims(a), r.rejected())
}

// track follows the findings across rounds (fingerprints, first seen,
// due dates, the review's findings and the team's responses).
func (r *round) track(res *assessment.Results, cl *checklist.Checklist, a *answers.File, sup map[string]assessment.Suppressed, now time.Time) {
	lc := assessment.Lifecycle{Remediation: cl.RemediationDays, Claims: claims(a), Rejected: r.rejected(), Now: now}
	if r != nil {
		lc.Previous = r.previous
		if r.review != nil {
			lc.Review = r.review.Review.Items()
			lc.Responses = map[string]assessment.Response{}
			for _, it := range lc.Review {
				if c := a.Controls[it.Control]; c != nil && c.ReviewResponse != nil {
					lc.Responses[it.Control] = toResponse(c.ReviewResponse)
				}
			}
		}
	}
	assessment.Track(res, cl, sup, lc)
}

// files are the review's files for the new package, under review/.
func (r *round) files() []submission.File {
	if r == nil || r.review == nil {
		return nil
	}
	var out []submission.File
	for name, b := range r.review.Files {
		out = append(out, submission.File{Name: path.Join(reviewDir, name), Data: b})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// summary is one line per reviewer item for the run's output.
func (r *round) summary(res *assessment.Results) []string {
	var out []string
	for _, f := range res.Tracked {
		if f.Source != assessment.SourceReview {
			continue
		}
		resp := "no response"
		if f.Response != nil {
			resp = f.Response.Kind
		}
		due := ""
		if f.Due != "" {
			due = ", due " + f.Due
		}
		out = append(out, fmt.Sprintf("%s %s (%s%s): %s", f.Control, f.Status, resp, due, strings.TrimSpace(oneLine(f.Message))))
	}
	return out
}

// askResponses asks the team's response to each reviewer finding and
// question (interactive runs), saving to the answers file as it goes.
func (o *runOptions) askResponses(ctx context.Context, plan *runPlan) error {
	if plan.round == nil || plan.round.review == nil {
		return nil
	}
	titles := map[string]string{}
	for _, sc := range plan.cl.Controls() {
		titles[sc.Control.ID] = sc.Control.Title
	}
	var items []interview.ResponseItem
	for _, it := range plan.round.review.Review.Items() {
		items = append(items, interview.ResponseItem{Control: it.Control, Title: titles[it.Control], Text: it.Text,
			Severity: it.Severity, Due: it.Due, Question: it.Question})
	}
	if plan.ans.Path != "" {
		// One session at a time writes the answers file (as the questionnaire).
		release, err := answers.Lock(plan.ans, plan.cl)
		if held := (*answers.LockedError)(nil); errors.As(err, &held) {
			return usageErr("answer in that session, or wait until it ends", "%v", err)
		}
		if err != nil {
			return runtimeErr("", "%v", err)
		}
		defer release()
	}
	err := interview.RunResponses(ctx, items, plan.ans, interview.ResponseOptions{In: o.ios.In, Out: o.ios.Out,
		Accessible: o.accessible || o.ios.Getenv("TERM") == "dumb", Save: answers.Save})
	if errors.Is(err, interview.ErrInterrupted) {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("responses interrupted; those given so far are saved in %s", plan.ans.Path),
			Hint: "run the same command again to continue"}
	}
	if err != nil {
		return runtimeErr("", "%v", err)
	}
	return nil
}

// askClaims offers the failing probe findings for false-positive claims
// (interactive runs, once the probes have finished); a claim is saved to
// the answers file and takes effect in this run.
func (o *runOptions) askClaims(ctx context.Context, plan *runPlan, results []probes.Result) error {
	var cands []interview.ClaimCandidate
	for _, c := range assessment.Candidates(plan.cl, results) {
		cands = append(cands, interview.ClaimCandidate{Fingerprint: c.Fingerprint, Control: c.Control, Message: c.Message, Location: c.Location})
	}
	if len(cands) == 0 {
		return nil
	}
	if plan.ans.Path != "" {
		release, err := answers.Lock(plan.ans, plan.cl)
		if held := (*answers.LockedError)(nil); errors.As(err, &held) {
			return usageErr("answer in that session, or wait until it ends", "%v", err)
		}
		if err != nil {
			return runtimeErr("", "%v", err)
		}
		defer release()
	}
	err := interview.RunClaims(ctx, cands, plan.ans, interview.ResponseOptions{In: o.ios.In, Out: o.ios.Out,
		Accessible: o.accessible || o.ios.Getenv("TERM") == "dumb", Save: answers.Save})
	if errors.Is(err, interview.ErrInterrupted) {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("interrupted; the claims given so far are saved in %s", plan.ans.Path),
			Hint: "run the same command again to continue"}
	}
	if err != nil {
		return runtimeErr("", "%v", err)
	}
	return nil
}
