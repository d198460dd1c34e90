package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/evidence"
	"github.com/selfassess/selfassess/internal/input"
	"github.com/selfassess/selfassess/internal/prose"
	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/project"
	"github.com/selfassess/selfassess/review"
	"github.com/selfassess/selfassess/submission"
)

// runPlan is everything a run needs, resolved from flags and config.
type runPlan struct {
	project    assessment.Project
	cl         *checklist.Checklist
	ans        *answers.File
	exceptions []assessment.Exception
	probeCfg   probes.Config
	targets    []probes.Target
	failOn     checklist.Severity
	outDir     string
	signKey    string
	ephemeral  bool
	interact   bool
	round      *review.Round // the previous round: results and the reviewer's review
	// reviewers are selfassess.yaml's reviewer_recipients (configPath names the file).
	reviewers  []string
	configPath string
	// evidence checks every evidence file against the project folder.
	evidence *evidence.Checker
	// signer is the key opened and checked before the first question and
	// the first probe (nil: unsigned, or the demo's ephemeral key).
	signer *submission.Signer
}

// resolve is the demo's plan or the user's, with the output folder locked
// for the run; done releases what it holds.
func (o *runOptions) resolve(ctx context.Context) (plan *runPlan, done func(), err error) {
	if o.demo {
		plan, done, err = o.demoPlan(ctx)
	} else {
		plan, err = o.plan(ctx)
		done = func() {
			if plan != nil {
				plan.signer.Close()
			}
		}
	}
	if err != nil {
		return nil, nil, err
	}
	// A second run on the same --out is refused now, not after its probes.
	lock, err := lockOutput(plan.outDir)
	if err != nil {
		done()
		return nil, nil, err
	}
	release := done
	return plan, func() { lock.Release(); release() }, nil
}

// plan resolves flags over the config file and loads every input, reporting
// input problems (exit 2) before any probe runs.
func (o *runOptions) plan(ctx context.Context) (*runPlan, error) {
	cfg, err := project.Find(o.configPath)
	if err != nil {
		return nil, inputErrors(o.ios, err, "--config")
	}
	p := &runPlan{project: assessment.Project{Organisation: cfg.Organisation, Integration: cfg.Integration, Contacts: cfg.Contacts}}
	pick := func(flag, flagVal, cfgVal string) string {
		if o.changed(flag) || cfgVal == "" {
			return flagVal
		}
		return cfgVal
	}
	o.probe.fromConfig(cfg, o.changed)
	targets := o.targets
	if !o.changed("target") {
		targets = cfg.Targets
	}
	if p.failOn, err = checklist.ParseFailOn(pick("fail-on", o.failOn, cfg.FailOn)); err != nil {
		return nil, err
	}
	p.outDir = pick("out", o.outDir, cfg.Output)
	if err := submission.CheckOut(p.outDir); err != nil { // now, not after the questionnaire and the probes
		return nil, err
	}
	p.signKey = pick("sign-key", o.signKey, cfg.SignKey)
	p.reviewers, p.configPath = cfg.ReviewerRecipients, cfg.Path

	if p.cl, err = o.resolveChecklist(pick("checklist", o.checklist, cfg.Checklist), cfg.Path); err != nil {
		return nil, err
	}

	if p.probeCfg, err = o.probe.config(o.ios); err != nil {
		return nil, err
	}
	if p.targets, err = o.probe.Targets(ctx, targets); err != nil {
		return nil, err
	}
	warnPlainHTTP(o.ios.ErrOut, p.targets)

	ci := o.ci || !o.ios.CanPrompt()
	p.interact = !ci
	if p.ans, err = o.loadAnswers(pick("answers", o.answersPath, cfg.Answers), p.cl, ci); err != nil {
		return nil, err
	}
	if p.evidence, err = o.checkEvidence(ctx, p.ans, cfg.Path); err != nil {
		return nil, err
	}

	if excPath := pick("exceptions", o.exceptionsPath, cfg.Exceptions); excPath != "" {
		p.exceptions, err = assessment.LoadExceptions(excPath, p.cl)
		if err != nil {
			return nil, inputErrors(o.ios, err, "--exceptions")
		}
	}

	if err := o.checkPaths(p.signKey); err != nil {
		return nil, err
	}
	if p.round, err = o.loadRound(p, pick("reviewer-keys", o.reviewerKeys, cfg.ReviewerKeys), ci); err != nil {
		return nil, err
	}
	if ci && !o.allowUnanswered {
		lines, err := assessment.RequireAnswered(p.cl, p.ans, o.now())
		for _, l := range lines {
			fmt.Fprintln(o.ios.ErrOut, l)
		}
		if err != nil {
			return nil, err
		}
	}
	// A key others can read, a wrong passphrase or an unusable key type is
	// found now, not after the questionnaire and every probe.
	if p.signer, err = loadSigner(o.ios, outputInput{SignKey: p.signKey}); err != nil {
		return nil, err
	}
	return p, nil
}

// resolveChecklist loads the checklist named by --checklist or by the
// settings file at cfgPath, blaming whichever named it.
func (o *runOptions) resolveChecklist(name, cfgPath string) (*checklist.Checklist, error) {
	from := "--checklist"
	if !o.changed("checklist") {
		from = cfgPath + ": checklist"
	}
	cl, err := checklist.Choose(name, from)
	if err != nil {
		return nil, inputErrors(o.ios, err, from)
	}
	return cl, nil
}

// checkEvidence checks every evidence file the answers name before any
// question or probe (submission.EvidenceChecker says where it may be).
func (o *runOptions) checkEvidence(ctx context.Context, ans *answers.File, cfgPath string) (*evidence.Checker, error) {
	ev, err := submission.EvidenceChecker(ans.Path, cfgPath, o.evidenceRoots)
	if err != nil {
		return nil, err
	}
	if err := submission.CheckEvidence(ctx, ans, ev); err != nil {
		if ctx.Err() != nil {
			return nil, runtimeErr("", "interrupted while checking the evidence files")
		}
		return nil, evidenceErrors(o.ios, err)
	}
	return ev, nil
}

// checkPaths fails on missing files now, not after minutes of questions and probes.
func (o *runOptions) checkPaths(signKey string) error {
	for _, f := range []struct{ flag, path string }{{"--previous", o.previous}, {"--sign-key", signKey}, {"--template-dir", o.templateDir}} {
		if f.path == "" {
			continue
		}
		if err := input.CheckPath(f.flag, f.path, f.flag == "--template-dir"); err != nil {
			return err
		}
	}
	return nil
}

// loadAnswers loads the answers file, or starts an empty one where the
// questionnaire may write it (answers.Start's rules).
func (o *runOptions) loadAnswers(path string, cl *checklist.Checklist, ci bool) (*answers.File, error) {
	ans, note, err := answers.Start(path, cl, answers.StartOptions{CI: ci, Named: o.changed("answers"), AllowUnanswered: o.allowUnanswered})
	if err != nil {
		return nil, inputErrors(o.ios, err, "--answers")
	}
	if note != "" {
		fmt.Fprintln(o.ios.ErrOut, "note: "+note)
	}
	return ans, nil
}

// inputErrors turns a bad input file into exit 2. For *checklist.Errors it
// prints every problem as its own `selfassess: error: FILE:LINE:COL: …` line
// and returns a count, as `checklist validate` does; an *input.Problem
// names its flag already; flag names the flag or setting for other errors
// (file not readable).
func inputErrors(ios *IOStreams, err error, flag string) error {
	var ee *ExitError
	if errors.As(err, &ee) {
		return err
	}
	if summary, ok := printErrorList(ios, err, "nothing was run or changed; fix the file and run again"); ok {
		return summary
	}
	if errors.As(err, new(*input.Problem)) {
		return err
	}
	if flag != "" {
		return usageErr("", "%s: %v", flag, pathErr(err))
	}
	return usageErr("", "%v", pathErr(err))
}

// evidenceErrors prints each refused evidence file on its own line; one
// alone is the error, with its hint.
func evidenceErrors(ios *IOStreams, err error) error {
	var ee *submission.EvidenceErrors
	if !errors.As(err, &ee) {
		return inputErrors(ios, err, "--answers")
	}
	if len(ee.List) > 1 { // one alone is the error
		for _, l := range ee.Lines() {
			fmt.Fprintf(ios.ErrOut, "selfassess: error: %s\n", prose.OneLine(l))
		}
	}
	return ee.Problem()
}
