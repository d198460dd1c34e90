package cmd

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/interview"
	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/report"
	"github.com/selfassess/selfassess/review"
)

// loadRound reads --previous and --review (checked against the reviewer
// keys and bound to the previous submission) and, in CI mode, requires a
// response to every reviewer finding and question. Problems are exit 2.
func (o *runOptions) loadRound(p *runPlan, cfgReviewerKeys string, ci bool) (*review.Round, error) {
	r := &review.Round{}
	if o.previous == "" && o.reviewPath != "" {
		o.previous = review.PreviousIn(p.outDir)
	}
	if o.previous != "" {
		prev, err := report.LoadResults(o.previous)
		if err != nil {
			return nil, usageErr("", "--previous: %v", pathErr(err))
		}
		r.Previous = prev
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
	if r.Review, err = review.Open(o.reviewPath, keys, o.now()); err != nil {
		return nil, usageErr("", "--review: %v", pathErr(err))
	}
	if o.previous == "" {
		return nil, usageErr("give the reviewed package's results.json with --previous (its SHA256SUMS must sit beside it)",
			"--review: cannot tell which submission the review is of")
	}
	if err := r.Review.Match(o.previous); errors.As(err, new(*review.VerifyError)) {
		return nil, usageErr("", "--review %s: %v (the previous package is %s)", o.reviewPath, err, filepath.Dir(o.previous))
	} else if err != nil {
		return nil, usageErr("", "--previous: %v", err)
	}
	warnExpiry(o.ios, r.Review.Review, o.now())
	missing, err := r.CheckResponses(p.ans)
	if err != nil {
		return nil, usageErr("", "%v", err)
	}
	if len(missing) > 0 && ci && !o.allowUnanswered {
		for _, it := range missing {
			kind, due := "finding", ", due "+it.Due
			if it.Question {
				kind, due = "question", ""
			}
			fmt.Fprintf(o.ios.ErrOut, "unresponded: %s reviewer %s%s: %s\n", it.Control, kind, due, oneLine(it.Text))
		}
		return nil, usageErr("add review_response: {kind: fixed|will-fix|disputed|answered, …} to each control in "+p.ans.Path+", or pass --allow-unanswered",
			"%d reviewer finding(s) or question(s) have no response in %s", len(missing), p.ans.Path)
	}
	return r, nil
}

// warnExpiry warns when an approval lapses within 90, 60 or 30 days.
func warnExpiry(ios *IOStreams, r *review.Review, now time.Time) {
	if days, within, ok := r.ExpiresSoon(now); ok {
		fmt.Fprintf(ios.ErrOut, "selfassess: warning: the approval expires on %s (in %d days, within %d); run 'selfassess run' and send the new package for review before then\n",
			r.Decision.ValidUntil, days, within)
	}
}

// askResponses asks the team's response to each reviewer finding and
// question (interactive runs), saving to the answers file as it goes.
func (o *runOptions) askResponses(ctx context.Context, plan *runPlan) error {
	if plan.round == nil || plan.round.Review == nil {
		return nil
	}
	var items []interview.ResponseItem
	for _, it := range plan.round.Review.Review.Items() {
		title := ""
		if ctl, _ := plan.cl.Control(it.Control); ctl != nil {
			title = ctl.Title
		}
		items = append(items, interview.ResponseItem{Control: it.Control, Title: title, Text: it.Text,
			Severity: it.Severity, Due: it.Due, Question: it.Question})
	}
	return o.withAnswers(plan, "responses interrupted; those given so far", func(opts interview.ResponseOptions) error {
		return interview.RunResponses(ctx, items, plan.ans, opts)
	})
}

// askClaims offers the failing probe findings for false-positive claims
// (interactive runs, once the probes have finished); a claim is saved to
// the answers file and takes effect in this run.
func (o *runOptions) askClaims(ctx context.Context, plan *runPlan, results []probes.Result) error {
	var cands []interview.ClaimCandidate
	for _, c := range assessment.Candidates(plan.cl, results) {
		cands = append(cands, interview.ClaimCandidate(c))
	}
	if len(cands) == 0 {
		return nil
	}
	return o.withAnswers(plan, "interrupted; the claims given so far", func(opts interview.ResponseOptions) error {
		return interview.RunClaims(ctx, cands, plan.ans, opts)
	})
}

// withAnswers runs ask holding the answers file's lock (one session at a
// time writes it, as the questionnaire); an interruption says what was
// saved ("WHAT are saved in FILE").
func (o *runOptions) withAnswers(plan *runPlan, what string, ask func(interview.ResponseOptions) error) error {
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
	err := ask(interview.ResponseOptions{In: o.ios.In, Out: o.ios.Out, Accessible: o.accessible || o.ios.Getenv("TERM") == "dumb", Save: answers.Save})
	if errors.Is(err, interview.ErrInterrupted) {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s are saved in %s", what, plan.ans.Path), Hint: "run the same command again to continue"}
	}
	if err != nil {
		return runtimeErr("", "%v", err)
	}
	return nil
}
