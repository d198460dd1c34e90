package cmd

import (
	"context"
	"errors"
	"fmt"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/gitref"
	"github.com/selfassess/selfassess/interview"
	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/probes/all"
	"github.com/selfassess/selfassess/report"
	"github.com/selfassess/selfassess/submission"
)

type runOptions struct {
	ios   *IOStreams
	probe probeFlags

	configPath      string
	checklist       string
	targets         []string
	answersPath     string
	exceptionsPath  string
	outDir          string
	ci              bool
	allowUnanswered bool
	failOn          string
	revisit         bool
	reviewPath      string
	reviewerKeys    string
	accessible      bool
	demo            bool
	signKey         string
	previous        string
	templateDir     string
	protect         protectFlags
	evidenceRoots   []string
	templateTimeout time.Duration

	// changed reports whether a flag was given (flags override the config).
	changed func(name string) bool
	// families and now are injectable for tests.
	families []probes.Family
	now      func() time.Time
}

func newRunCmd(ios *IOStreams) *cobra.Command {
	o := &runOptions{ios: ios}
	c := &cobra.Command{
		Use:   "run",
		Short: "Run the assessment: questionnaire, probes, evaluation, reports and the signed package",
		Long: `run answers the checklist (interactively, or from answers.yaml in CI mode),
probes the targets, evaluates every control and writes the reports and the
signed package. Settings come from selfassess.yaml; flags override them.

CI mode (--ci, CI=true, or no terminal) never prompts: every required
question must be answered in the answers file, or the run exits 2 listing
the controls (with --allow-unanswered they are recorded as not_tested).

Exit codes: 0 ready, 1 not ready, 2 input error, 3 runtime failure.`,
		Example: `  selfassess run --demo
  selfassess run --checklist finhub --target https://app.example.com
  selfassess run --ci --answers answers.yaml --exceptions exceptions.yaml --fail-on medium`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			o.changed = func(n string) bool { return c.Flags().Changed(n) }
			return runRun(c.Context(), o)
		},
	}
	f := c.Flags()
	o.probe.bind(f)
	f.StringVar(&o.configPath, "config", "", "project settings `FILE` (default ./selfassess.yaml when present)")
	f.StringVar(&o.checklist, "checklist", "", "built-in checklist `ID|FILE` ("+strings.Join(checklist.BuiltinIDs(), ", ")+") or a checklist file")
	f.StringArrayVar(&o.targets, "target", nil, "deployed `URL` to probe; repeatable")
	f.StringVar(&o.answersPath, "answers", "answers.yaml", "answers `FILE`")
	f.StringVar(&o.exceptionsPath, "exceptions", "", "approved exceptions `FILE`")
	f.StringVarP(&o.outDir, "out", "o", "selfassess-out", "output `DIR` for the reports and the package")
	f.BoolVar(&o.ci, "ci", false, "never prompt: answers come from the answers file (also when CI=true or without a terminal)")
	f.BoolVar(&o.allowUnanswered, "allow-unanswered", false, "record unanswered controls as not_tested instead of failing the run")
	f.StringVar(&o.failOn, "fail-on", "high", "lowest `SEVERITY` whose failure makes the verdict not ready: critical, high, medium or low")
	f.BoolVar(&o.revisit, "revisit", false, "walk every control again, with the previous answers as defaults")
	f.StringVar(&o.reviewPath, "review", "", "the reviewer's signed review `PACKAGE` of the previous submission: respond to its findings")
	f.StringVar(&o.reviewerKeys, "reviewer-keys", "", "allowed_signers `FILE` naming the provider's reviewers (or reviewer_keys: in selfassess.yaml)")
	f.BoolVar(&o.accessible, "accessible", false, "screen-reader friendly prompts (automatic when TERM=dumb)")
	f.BoolVar(&o.demo, "demo", false, "run on two built-in local targets with bundled answers, into ./selfassess-demo/")
	f.StringVar(&o.signKey, "sign-key", "", "SSH key `FILE` to sign the package (or the public key of a key in ssh-agent)")
	f.StringVar(&o.previous, "previous", "", "an earlier results.json `FILE`; adds changes.md")
	f.StringVar(&o.templateDir, "template-dir", "", "`DIR` of Markdown templates overriding the built-in ones")
	o.protect.bind(f)
	f.DurationVar(&o.templateTimeout, "template-timeout", report.DefaultTemplateTimeout, "stop a --template-dir template still running after this `DURATION`")
	f.StringArrayVar(&o.evidenceRoots, "evidence-root", nil, "also accept evidence files inside this `DIR` (default: only the project folder); repeatable")
	return c
}

func runRun(ctx context.Context, o *runOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	// Returning early (questionnaire interrupted) also stops the background probes.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if o.now == nil {
		o.now = time.Now
	}
	if o.changed == nil {
		o.changed = func(string) bool { return false }
	}
	started := o.now()

	plan, done, err := o.resolve(ctx)
	if err != nil {
		return err
	}
	defer done()
	defer relaxGC(o.ios.Getenv)()
	fmt.Fprintf(o.ios.ErrOut, "checklist %s %s: %d controls\n", plan.cl.ID, plan.cl.Version, len(plan.cl.Controls()))
	if !o.demo && (plan.project.Organisation == "" || plan.project.Integration == "") {
		// Said before the questionnaire, not discovered on the report's title.
		fmt.Fprintln(o.ios.ErrOut, "selfassess: warning: the report will not name your organisation or integration (no organisation/integration in selfassess.yaml); run 'selfassess init' to set them")
	}
	// each probe is judged once per distinct parameter set the controls ask for
	plan.probeCfg.ParamSets = plan.cl.ProbeParamSets()

	results, err := o.gather(ctx, plan)
	if err != nil {
		return err
	}
	res := o.evaluate(ctx, plan, results, started)

	summary, werr := writeOutputs(ctx, o.ios, res, outputInput{
		OutDir: plan.outDir, TemplateDir: o.templateDir, Checklist: plan.cl, Answers: plan.ans,
		PreviousPath: o.previous, SignKey: plan.signKey, EphemeralKey: plan.ephemeral, Extra: plan.round.Files(),
		Protect: o.protect, ReviewerRecipients: plan.reviewers, ConfigPath: plan.configPath,
		Signer: plan.signer, Evidence: plan.evidence, TemplateTimeout: o.templateTimeout,
	})
	if summary.Signer != "" && res.Signer == "" {
		res.Signer = summary.Signer
	}
	printRunSummary(o.ios, res, summary, werr == nil)
	report.ReviewSummary(o.ios.Out, res, o.reviewPath)
	if werr != nil {
		return werr
	}
	if o.demo {
		fmt.Fprintln(o.ios.Out, "\nThis was the demo: one well-configured and one flawed target. Open "+filepath.Join(plan.outDir, "report.md")+" to see the report.")
		return nil
	}
	if res.Summary.Verdict != assessment.Ready {
		return errGate
	}
	return nil
}

// gather runs the probes in the background while the questionnaire is on
// screen, then asks about the findings the team may dispute.
func (o *runOptions) gather(ctx context.Context, plan *runPlan) ([]probes.Result, error) {
	tracker := newProbeTracker()
	tracker.out = func(line string) { fmt.Fprintln(o.ios.ErrOut, line) }
	live := interview.NewLiveProbes(plan.cl) // the questionnaire shows each control's probes as they finish
	if len(plan.targets) == 0 {
		live.NothingToProbe()
	}
	probeResults := o.startProbes(ctx, plan, func(e probes.Event) { tracker.event(e); live.Event(e) })
	if plan.interact {
		if err := o.questionnaire(ctx, plan, tracker, live); err != nil {
			return nil, err
		}
	}
	tracker.waiting()
	results := probeResults()
	hintPrivateCA(o.ios.ErrOut, results, o.probe.CAFile)
	if ctx.Err() != nil {
		return nil, &ExitError{Code: ExitRuntime, Err: errors.New("interrupted; no results written")}
	}
	if plan.interact {
		if err := o.askClaims(ctx, plan, results); err != nil {
			return nil, err
		}
	}
	return results, nil
}

// evaluate judges the answers and probe results against the checklist,
// with the review round's suppressions, and stamps the run's metadata.
func (o *runOptions) evaluate(ctx context.Context, plan *runPlan, results []probes.Result, started time.Time) *assessment.Results {
	res := plan.round.Evaluate(plan.cl, plan.ans, results, plan.exceptions, assessment.Options{
		FailOn: plan.failOn, AllowUnanswered: o.allowUnanswered, Now: o.now()})
	res.Stamp(assessment.Run{Tool: assessment.Tool{Name: "selfassess", Version: Version}, Project: plan.project, Targets: plan.targets,
		SourceRef: func(dir string) string { return gitref.Lookup(ctx, dir).String() }, Started: started, Finished: o.now()})
	return res
}

// startProbes runs the probes in the background, reporting progress to
// progress; the returned function waits for their results.
func (o *runOptions) startProbes(ctx context.Context, plan *runPlan, progress func(probes.Event)) (wait func() []probes.Result) {
	plan.probeCfg.Progress = progress
	fams := o.families
	if fams == nil {
		fams = all.Families()
	}
	if len(plan.targets) > 0 {
		fmt.Fprintf(o.ios.ErrOut, "probing %s in the background\n", plural(len(plan.targets), "target"))
	} else if n := plan.cl.ProbedControls(); n > 0 {
		// Say it before the questionnaire, not after ten minutes of answers.
		fmt.Fprintf(o.ios.ErrOut, "note: nothing to probe (no --target, --source or --webhook-url): the %d control(s) verified by probes will be not_tested\n", n)
	}
	var results []probes.Result
	done := make(chan struct{})
	go func() {
		defer close(done)
		if len(plan.targets) > 0 {
			results = probes.Run(ctx, fams, plan.targets, plan.probeCfg)
		}
	}()
	return func() []probes.Result { <-done; return results }
}

// questionnaire asks the questions, saving every answer as it goes.
func (o *runOptions) questionnaire(ctx context.Context, plan *runPlan, tracker *probeTracker, live *interview.LiveProbes) error {
	// Progress lines on a terminal would tear the full-screen form, or
	// land in the middle of a line prompt; they are held until the
	// questionnaire ends (each control's screen shows its probes live).
	tracker.quiet(o.ios.StderrIsTerminal())
	defer tracker.quiet(false)
	if err := o.askResponses(ctx, plan); err != nil {
		return err
	}
	err := interview.Run(ctx, plan.cl, plan.ans, interview.Options{
		In: o.ios.In, Out: o.ios.Out,
		Accessible: o.accessible || o.ios.Getenv("TERM") == "dumb",
		Review:     o.revisit,
		AnsweredBy: answers.Author(o.ios.Getenv),
		Now:        o.now,
		Save:       answers.Save,
		CheckEvidence: func(_, p string, allowSecret bool) error {
			return submission.CheckEvidenceFile(ctx, plan.evidence, filepath.Dir(plan.ans.Path), p, allowSecret)
		},
		Probes: live,
	})
	hint := "run the same command again to continue at the first unanswered control"
	if o.revisit {
		hint = "run the same command without --revisit to continue at the first unanswered control"
	}
	return askErr(err, "questionnaire interrupted; the answers given so far are saved in "+plan.ans.Path, hint)
}

// printRunSummary ends a run: report.Summary (counts, verdict, top
// findings), then where the results are.
func printRunSummary(ios *IOStreams, res *assessment.Results, out outputSummary, written bool) {
	// Built whole, then wrapped at word boundaries to the terminal's width
	// (the terminal itself would cut "fil/es" mid-word).
	var w strings.Builder
	fmt.Fprintln(&w)
	report.Summary(&w, res, 5)
	if written {
		report.OutputSummary(&w, report.Outputs{Dir: out.Dir, Files: out.Files, Zip: out.Zip, Signer: out.Signer, PDFSigned: out.PDFSigned})
	}
	fmt.Fprint(ios.Out, wrapText(w.String(), ios.OutWidth()))
	if written {
		printEncrypted(ios, out)
	}
}
