package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/interview"
	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/probes/all"
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
	review          bool
	accessible      bool
	demo            bool
	signKey         string
	previous        string
	templateDir     string

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
	f.StringVar(&o.configPath, "config", "", "project settings `file` (default ./selfassess.yaml when present)")
	f.StringVar(&o.checklist, "checklist", "", "built-in checklist `id` ("+strings.Join(checklist.BuiltinIDs(), ", ")+") or a checklist file")
	f.StringArrayVar(&o.targets, "target", nil, "deployed `URL` to probe; repeatable")
	f.StringVar(&o.answersPath, "answers", "answers.yaml", "answers `file`")
	f.StringVar(&o.exceptionsPath, "exceptions", "", "approved exceptions `file`")
	f.StringVar(&o.outDir, "out", "selfassess-out", "output `directory` for the reports and the package")
	f.BoolVar(&o.ci, "ci", false, "never prompt: answers come from the answers file (also when CI=true or without a terminal)")
	f.BoolVar(&o.allowUnanswered, "allow-unanswered", false, "record unanswered controls as not_tested instead of failing the run")
	f.StringVar(&o.failOn, "fail-on", "high", "lowest `severity` whose failure makes the verdict not ready: critical, high, medium or low")
	f.BoolVar(&o.review, "review", false, "walk every control again, with the previous answers as defaults")
	f.BoolVar(&o.accessible, "accessible", false, "screen-reader friendly prompts (automatic when TERM=dumb)")
	f.BoolVar(&o.demo, "demo", false, "run on two built-in local targets with bundled answers, into ./selfassess-demo/")
	f.StringVar(&o.signKey, "sign-key", "", "SSH key `file` to sign the package (or the public key of a key in ssh-agent)")
	f.StringVar(&o.previous, "previous", "", "an earlier results.json `file`; adds changes.md")
	f.StringVar(&o.templateDir, "template-dir", "", "`directory` of Markdown templates overriding the built-in ones")
	return c
}

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

	var plan *runPlan
	var err error
	if o.demo {
		var stopDemo func()
		plan, stopDemo, err = o.demoPlan()
		if err != nil {
			return err
		}
		defer stopDemo()
	} else {
		plan, err = o.plan()
		if err != nil {
			return err
		}
	}
	errOut := o.ios.ErrOut
	fmt.Fprintf(errOut, "checklist %s %s: %d controls\n", plan.cl.ID, plan.cl.Version, len(plan.cl.Controls()))

	// Probes run in the background while the questionnaire is on screen.
	tracker := newProbeTracker(plan.cl)
	tracker.out = func(line string) { fmt.Fprintln(errOut, line) }
	plan.probeCfg.Progress = tracker.event
	fams := o.families
	if fams == nil {
		fams = all.Families()
	}
	var probeResults []probes.Result
	probesDone := make(chan struct{})
	if len(plan.targets) > 0 {
		fmt.Fprintf(errOut, "probing %s in the background\n", plural(len(plan.targets), "target"))
	} else if n := probedControls(plan.cl); n > 0 {
		// Say it before the questionnaire, not after ten minutes of answers.
		fmt.Fprintf(errOut, "note: nothing to probe (no --target, --source or --webhook-url): the %d control(s) verified by probes will be not_tested\n", n)
	}
	go func() {
		defer close(probesDone)
		if len(plan.targets) > 0 {
			probeResults = probes.Run(ctx, fams, plan.targets, plan.probeCfg)
		}
	}()

	if plan.interact {
		accessible := o.accessible || o.ios.Getenv("TERM") == "dumb"
		// Progress lines on a terminal would tear the full-screen form, or
		// land in the middle of a line prompt; they are held until the
		// questionnaire ends (each control's probe note says how far they are).
		tracker.quiet(o.ios.StderrIsTerminal())
		err := interview.Run(ctx, plan.cl, plan.ans, interview.Options{
			In: o.ios.In, Out: o.ios.Out,
			Accessible: accessible,
			Review:     o.review,
			AnsweredBy: o.answeredBy(),
			Now:        o.now,
			Save:       answers.Save,
			ProbeNote:  tracker.note,
		})
		tracker.quiet(false)
		if errors.Is(err, interview.ErrInterrupted) {
			hint := "run the same command again to continue at the first unanswered control"
			if o.review {
				hint = "run the same command without --review to continue at the first unanswered control"
			}
			return &ExitError{Code: ExitUsage, Err: fmt.Errorf("questionnaire interrupted; the answers given so far are saved in %s", plan.ans.Path),
				Hint: hint}
		}
		if held := (*answers.LockedError)(nil); errors.As(err, &held) {
			return usageErr("answer in that session, or wait until it ends", "%v", err)
		}
		if err != nil {
			return runtimeErr("", "%v", err)
		}
	}
	tracker.waiting()
	<-probesDone
	if ctx.Err() != nil {
		return &ExitError{Code: ExitRuntime, Err: errors.New("interrupted; no results written")}
	}

	res := assessment.Evaluate(plan.cl, plan.ans, probeResults, plan.exceptions, assessment.Options{
		FailOn: plan.failOn, AllowUnanswered: o.allowUnanswered, Now: o.now()})
	res.Tool = assessment.Tool{Name: "selfassess", Version: Version}
	res.Project = plan.project
	res.Targets = []string{}
	for _, t := range plan.targets {
		res.Targets = append(res.Targets, probes.DisplayTarget(t))
	}
	res.StartedAt, res.FinishedAt = started.UTC(), o.now().UTC()

	summary, werr := writeOutputs(o.ios, res, outputInput{
		OutDir: plan.outDir, TemplateDir: o.templateDir, Checklist: plan.cl, Answers: plan.ans,
		PreviousPath: o.previous, SignKey: plan.signKey, EphemeralKey: plan.ephemeral,
	})
	if summary.Signer != "" && res.Signer == "" {
		res.Signer = summary.Signer
	}
	printRunSummary(o.ios, res, summary, werr == nil)
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

// answeredBy names who answers: $USER, $LOGNAME, else the account name.
func (o *runOptions) answeredBy() string {
	for _, v := range []string{"USER", "LOGNAME"} {
		if s := o.ios.Getenv(v); s != "" {
			return s
		}
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return ""
}

// plan resolves flags over the config file and loads every input, reporting
// input problems (exit 2) before any probe runs.
func (o *runOptions) plan() (*runPlan, error) {
	cfg, err := findConfig(o.configPath)
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
	if !o.changed("source") && cfg.Source != "" {
		o.probe.Source = cfg.Source
	}
	if !o.changed("webhook-url") && cfg.WebhookURL != "" {
		o.probe.WebhookURL = cfg.WebhookURL
	}
	targets := o.targets
	if !o.changed("target") {
		targets = cfg.Targets
	}
	failOn := pick("fail-on", o.failOn, cfg.FailOn)
	p.failOn = checklist.Severity(strings.ToLower(failOn))
	if p.failOn.Rank() == 0 {
		return nil, usageErr("", "--fail-on must be critical, high, medium or low, got %q", failOn)
	}
	p.outDir = pick("out", o.outDir, cfg.Output)
	p.signKey = pick("sign-key", o.signKey, cfg.SignKey)

	clName := pick("checklist", o.checklist, cfg.Checklist)
	if clName == "" {
		return nil, usageErr("pass --checklist ID|FILE ("+strings.Join(checklist.BuiltinIDs(), ", ")+"), or run 'selfassess init' to write selfassess.yaml",
			"no checklist chosen")
	}
	p.cl, err = checklist.Resolve(clName)
	if err != nil {
		from := "--checklist"
		if !o.changed("checklist") {
			from = cfg.Path + ": checklist"
		}
		var nf *checklist.NotFoundError
		if errors.As(err, &nf) {
			return nil, usageErr(nf.Hint(), "%s: %v", from, err)
		}
		return nil, inputErrors(o.ios, err, from)
	}

	if p.probeCfg, err = o.probe.config(o.ios); err != nil {
		return nil, err
	}
	if p.targets, err = o.probe.targets(targets); err != nil {
		return nil, err
	}

	ci := o.ci || !o.ios.CanPrompt()
	p.interact = !ci
	ansPath := pick("answers", o.answersPath, cfg.Answers)
	p.ans, err = answers.LoadFor(ansPath, p.cl)
	switch {
	case answers.IsNotExist(err):
		if ci && o.changed("answers") {
			return nil, usageErr("", "--answers %s: file not found", ansPath)
		}
		if ci && !o.allowUnanswered {
			where, _ := filepath.Abs(filepath.Dir(ansPath))
			return nil, usageErr("the questionnaire writes it: run 'selfassess run' in a terminal; or pass --answers FILE, or --allow-unanswered to record every control as not_tested",
				"no answers file: %s does not exist in %s", filepath.Base(ansPath), where)
		}
		if ci {
			fmt.Fprintf(o.ios.ErrOut, "note: %s does not exist; every question is unanswered\n", ansPath)
		} else if fi, err := os.Stat(filepath.Dir(ansPath)); err != nil || !fi.IsDir() {
			// Found now, not when saving the first answer.
			return nil, usageErr("create the directory, or pass --answers FILE", "--answers %s: directory %s does not exist", ansPath, filepath.Dir(ansPath))
		}
		p.ans = answers.New(ansPath, p.cl.ID)
		if err := answers.Validate(p.ans, p.cl); err != nil { // records the checklist order for saving
			return nil, inputErrors(o.ios, err, "--answers")
		}
	case err != nil:
		return nil, inputErrors(o.ios, err, "--answers")
	}

	if excPath := pick("exceptions", o.exceptionsPath, cfg.Exceptions); excPath != "" {
		p.exceptions, err = assessment.LoadExceptions(excPath, p.cl)
		if err != nil {
			return nil, inputErrors(o.ios, err, "--exceptions")
		}
	}

	// Fail on missing files now, not after minutes of questions and probes.
	for _, f := range []struct{ flag, path string }{{"--previous", o.previous}, {"--sign-key", p.signKey}, {"--template-dir", o.templateDir}} {
		if f.path == "" {
			continue
		}
		if _, err := os.Stat(f.path); err != nil {
			return nil, usageErr("", "%s: %v", f.flag, pathErr(err))
		}
	}

	if ci {
		missing := answers.Unanswered(p.cl, p.ans)
		if len(missing) > 0 && !o.allowUnanswered {
			for _, id := range missing {
				ctl, _ := p.cl.Control(id)
				what := answers.MissingQuestions(ctl, p.ans.Controls[id])
				for _, e := range answers.MissingEvidence(ctl, p.ans.Controls[id]) {
					what = append(what, "evidence "+e)
				}
				fmt.Fprintf(o.ios.ErrOut, "unanswered: %s (%s)\n", id, strings.Join(what, ", "))
			}
			return nil, usageErr("answer them in "+p.ans.Path+", run 'selfassess run' in a terminal, or pass --allow-unanswered to record them as not_tested",
				"%d of %d controls are not answered in %s", len(missing), len(p.cl.Controls()), p.ans.Path)
		}
	}
	return p, nil
}

// inputErrors turns a bad input file into exit 2. For *checklist.Errors it
// prints every problem as its own `selfassess: error: FILE:LINE:COL: …` line
// and returns a count, as `checklist validate` does; flag names the flag or
// setting for other errors (file not readable).
func inputErrors(ios *IOStreams, err error, flag string) error {
	var ee *ExitError
	if errors.As(err, &ee) {
		return err
	}
	if summary, ok := printErrorList(ios, err, "nothing was run or changed; fix the file and run again"); ok {
		return summary
	}
	if flag != "" {
		return usageErr("", "%s: %v", flag, pathErr(err))
	}
	return usageErr("", "%v", pathErr(err))
}

// probedControls counts the controls that probes verify.
func probedControls(cl *checklist.Checklist) int {
	n := 0
	for _, sc := range cl.Controls() {
		if len(sc.Control.Probes) > 0 {
			n++
		}
	}
	return n
}

// probeTracker follows probe progress: it prints plain progress lines and
// answers the questionnaire's "has this control's probe failed?".
type probeTracker struct {
	mu       sync.Mutex
	silent   bool
	started  int
	finished int
	failed   map[string][]string // probe id → "target: summary" of failing results
	byCtl    map[string][]string // control id → probe ids
	lines    []string            // progress held back while quiet
	out      func(string)
}

func newProbeTracker(cl *checklist.Checklist) *probeTracker {
	t := &probeTracker{failed: map[string][]string{}, byCtl: map[string][]string{}}
	for _, sc := range cl.Controls() {
		t.byCtl[sc.Control.ID] = sc.Control.Probes
	}
	return t
}

func (t *probeTracker) event(e probes.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !e.Done {
		t.started++
		return
	}
	t.finished++
	for _, r := range e.Results {
		if r.Status == probes.Fail {
			t.failed[r.ID] = append(t.failed[r.ID], r.Target+": "+oneLine(r.Summary))
		}
	}
	line := progressLine(e)
	if t.silent {
		t.lines = append(t.lines, line)
	} else if t.out != nil {
		t.out(line)
	}
}

func (t *probeTracker) quiet(q bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.silent = q
	if !q && t.out != nil {
		for _, l := range t.lines {
			t.out(l)
		}
		t.lines = nil
	}
}

// waiting says that the run now waits for probes still running. It writes
// under the tracker's lock, as progress lines do from the probes' goroutines.
func (t *probeTracker) waiting() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n := t.started - t.finished; n > 0 && t.out != nil {
		t.out(fmt.Sprintf("waiting for the probes to finish (%d running)", n))
	}
}

func (t *probeTracker) pending() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.started - t.finished
}

// note says which of the control's probes already failed, for the
// questionnaire; while nothing failed and probes still run, it says how far
// they are (the progress lines are held while the form is on screen).
func (t *probeTracker) note(controlID string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var parts []string
	for _, id := range t.byCtl[controlID] {
		for _, f := range t.failed[id] {
			parts = append(parts, id+" failed on "+f)
		}
	}
	if len(parts) == 0 && len(t.byCtl[controlID]) > 0 && t.started > t.finished {
		return fmt.Sprintf("still running in the background (%d checks finished, %d running)", t.finished, t.started-t.finished)
	}
	return strings.Join(parts, "; ")
}

// printRunSummary ends a run: counts by section, the verdict, the top
// findings with their remediation, and where the results are.
func printRunSummary(ios *IOStreams, res *assessment.Results, out outputSummary, written bool) {
	w := ios.Out
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SECTION\tPASS\tFAIL\tPARTIAL\tN/A\tNOT TESTED\tERROR\tEXCEPTED")
	for _, s := range res.Sections {
		c := s.Counts
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", s.Title, c[assessment.ControlPass], c[assessment.ControlFail], c[assessment.ControlPartial],
			c[assessment.ControlNotApplicable], c[assessment.ControlNotTested], c[assessment.ControlError], c[assessment.ControlExcepted])
	}
	s := res.Summary
	fmt.Fprintf(tw, "TOTAL (%d)\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", s.Total, s.Pass, s.Fail, s.Partial, s.NotApplicable, s.NotTested, s.Error, s.Excepted)
	tw.Flush()

	fmt.Fprintf(w, "\nVerdict: %s (score %d/100, gate: fail on %s and above", strings.ToUpper(s.Verdict), s.Score, res.Gate.FailOn)
	if res.Gate.AllowUnanswered {
		fmt.Fprint(w, ", unanswered allowed")
	}
	fmt.Fprintln(w, ")")
	for _, r := range res.Gate.Reasons {
		fmt.Fprintf(w, "  - %s\n", r)
	}
	for _, e := range res.ExpiredExceptions {
		fmt.Fprintf(w, "  - exception for %s expired on %s and was ignored\n", e.Control, e.Expires)
	}

	findings := res.Findings()
	top := findings[:min(len(findings), 5)]
	if len(top) > 0 {
		fmt.Fprintln(w, "\nTop findings:")
		for _, c := range top {
			fmt.Fprintf(w, "  %s [%s, %s] %s\n", c.ID, c.Severity, c.Status, c.Title)
			if e, ok := c.WorstReason(); ok {
				fmt.Fprintf(w, "      found: %s: %s\n", e.Source, oneLine(e.Message))
			}
			if c.Remediation != "" {
				fmt.Fprintf(w, "      fix:   %s\n", firstSentence(c.Remediation))
			}
		}
		if n := len(findings); n > len(top) {
			fmt.Fprintf(w, "  … and %d more in the report\n", n-len(top))
		}
	}
	if written {
		fmt.Fprintf(w, "\nResults written to %s", out.Dir)
		if len(out.Files) > 0 {
			names := make([]string, len(out.Files))
			for i, f := range out.Files {
				names[i] = filepath.Base(f)
				if rel, err := filepath.Rel(out.Dir, f); err == nil {
					names[i] = filepath.ToSlash(rel) // evidence/ID/file, not a bare name
				}
			}
			fmt.Fprintf(w, " (%s)", strings.Join(names, ", "))
		}
		fmt.Fprintln(w)
		if out.Zip != "" {
			fmt.Fprintf(w, "Package: %s\n", out.Zip)
		}
		if out.Signer != "" {
			fmt.Fprintf(w, "Signed by %s\n", out.Signer)
		}
	}
}

func firstSentence(s string) string {
	s = oneLine(s)
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i+1]
	}
	return s
}
