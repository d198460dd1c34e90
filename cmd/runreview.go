package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/interview"
	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/review"
)

// loadRound reads --previous and --review (review.LoadRound's rules),
// printing its warnings and, in CI mode, the reviewer findings and
// questions with no response. Problems are exit 2.
func (o *runOptions) loadRound(p *runPlan, reviewerKeys string, ci bool) (*review.Round, error) {
	r, notes, err := review.LoadRound(review.RoundInput{Previous: o.previous, OutDir: p.outDir, Review: o.reviewPath, ReviewerKeys: reviewerKeys,
		Answers: p.ans, RequireResponses: ci && !o.allowUnanswered, Now: o.now()})
	for _, w := range notes.Warnings {
		fmt.Fprintln(o.ios.ErrOut, "selfassess: warning: "+w)
	}
	for _, l := range notes.Unresponded {
		fmt.Fprintln(o.ios.ErrOut, l)
	}
	if err != nil {
		return nil, err
	}
	o.previous = r.PreviousPath // changes.md compares with the reviewed package
	return r, nil
}

// askResponses asks the team's response to each reviewer finding and
// question (interactive runs), saving to the answers file as it goes.
func (o *runOptions) askResponses(ctx context.Context, plan *runPlan) error {
	if plan.round == nil || plan.round.Review == nil {
		return nil
	}
	items := interview.ResponseItems(plan.round.Review.Review.Items(), plan.cl)
	return o.withAnswers(plan, "responses interrupted; those given so far", func(opts interview.ResponseOptions) error {
		return interview.RunResponses(ctx, items, plan.ans, opts)
	})
}

// askClaims offers the failing probe findings for false-positive claims
// (interactive runs, once the probes have finished); a claim is saved to
// the answers file and takes effect in this run.
func (o *runOptions) askClaims(ctx context.Context, plan *runPlan, results []probes.Result) error {
	cands := assessment.Candidates(plan.cl, results)
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
		if err != nil {
			return askErr(err, "", "")
		}
		defer release()
	}
	err := ask(interview.ResponseOptions{In: o.ios.In, Out: o.ios.Out, Accessible: o.accessible || o.ios.Getenv("TERM") == "dumb", Save: answers.Save})
	return askErr(err, what+" are saved in "+plan.ans.Path, "run the same command again to continue")
}

// askErr maps the end of a terminal session: interrupted is exit 2 saying
// what was saved (with hint); the answers file held by another session is
// exit 2; any other failure is exit 3.
func askErr(err error, saved, hint string) error {
	held := (*answers.LockedError)(nil)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, interview.ErrInterrupted):
		return &ExitError{Code: ExitUsage, Err: errors.New(saved), Hint: hint}
	case errors.As(err, &held):
		return usageErr("answer in that session, or wait until it ends", "%v", err)
	}
	return runtimeErr("", "%v", err)
}
