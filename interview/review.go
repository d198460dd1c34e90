package interview

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/review"
)

// ReviewOptions configure the reviewer's form.
type ReviewOptions struct {
	In  io.Reader // default os.Stdin
	Out io.Writer // default os.Stdout
	// Save persists the decisions so far; called after every step, so an
	// interrupted review resumes where it stopped.
	Save func(*review.Decisions) error
	// DefaultDue is the due date offered for a finding of a severity.
	DefaultDue func(severity string) string
	// Accessible: line-based prompts (screen readers, TERM=dumb).
	Accessible bool
}

// reviewStep is one screen: a control, "accept the rest", a claim, or the
// overall decision. Its fields are bound to the form.
type reviewStep struct {
	kind  string // "control", "accept-rest", "claim", "overall"
	ctl   review.ControlView
	claim review.ClaimView
	rest  []review.ControlView // accept-rest: the passing controls left

	decision, finding, severity, due, question, reason string
	acceptAll                                          bool
	validUntil, condText, condDue                      string
	defaultDue                                         string

	fields map[huh.Field]string // field → name, for the test hook
}

// reviewSession is the bubbletea model of an interactive review.
type reviewSession struct {
	d     *review.Decisions
	opts  ReviewOptions
	steps []*reviewStep
	formSteps

	observe func(*reviewSession) // tests: after every update
}

// reviewHook, when set (tests), sees every review session before it starts.
var reviewHook func(*reviewSession)

// RunReview walks the controls that need attention (fail, partial, not
// tested, excepted, not applicable) first, then offers to accept all
// remaining passing controls at once, then each false-positive claim, then
// the overall decision. Decisions already in d are not asked again (resume);
// d is saved after every step. It returns ErrInterrupted when the reviewer
// stopped early.
func RunReview(ctx context.Context, controls []review.ControlView, claims []review.ClaimView, d *review.Decisions, opts ReviewOptions) error {
	s := newReviewSession(controls, claims, d, opts)
	if reviewHook != nil {
		reviewHook(s)
	}
	if len(s.steps) == 0 {
		return nil
	}
	if s.opts.Accessible {
		return s.runAccessible(ctx)
	}
	return runFullScreen(ctx, s, s.opts.In, s.opts.Out, "review", func() (bool, error) { return s.done, s.err })
}

func newReviewSession(controls []review.ControlView, claims []review.ClaimView, d *review.Decisions, opts ReviewOptions) *reviewSession {
	o := Options{In: opts.In, Out: opts.Out}
	o.defaults()
	opts.In, opts.Out = o.In, o.Out
	if opts.Save == nil {
		opts.Save = func(*review.Decisions) error { return nil }
	}
	if opts.DefaultDue == nil {
		opts.DefaultDue = func(string) string { return "" }
	}
	if d.Controls == nil {
		d.Controls = map[string]review.ControlDecision{}
	}
	if d.FalsePositives == nil {
		d.FalsePositives = map[string]review.FalsePositiveReply{}
	}
	s := &reviewSession{d: d, opts: opts}
	var rest []review.ControlView
	for _, c := range controls {
		if _, done := d.Controls[c.ID]; done {
			continue
		}
		if c.Needs {
			s.steps = append(s.steps, s.controlStep(c))
		} else if d.Default == "" {
			rest = append(rest, c)
		}
	}
	if len(rest) > 0 {
		s.steps = append(s.steps, &reviewStep{kind: "accept-rest", rest: rest, acceptAll: true})
	}
	for _, c := range claims {
		if _, done := d.FalsePositives[c.Fingerprint]; !done {
			s.steps = append(s.steps, &reviewStep{kind: "claim", claim: c, decision: review.Accepted})
		}
	}
	if d.Overall.Decision == "" {
		s.steps = append(s.steps, &reviewStep{kind: "overall", decision: review.OverallChanges})
	}
	return s
}

func (s *reviewSession) controlStep(c review.ControlView) *reviewStep {
	due := s.opts.DefaultDue(c.Severity)
	return &reviewStep{kind: "control", ctl: c, decision: review.Accepted, severity: c.Severity, due: due, defaultDue: due}
}

func nonEmpty(what string) func(string) error {
	return func(v string) error {
		if strings.TrimSpace(v) == "" {
			return errors.New(what + " is required")
		}
		return nil
	}
}

func dateOrEmpty(v string) error {
	if v = strings.TrimSpace(v); v != "" && !answers.IsDate(v) {
		return errors.New("a date YYYY-MM-DD")
	}
	return nil
}

func date(v string) error {
	if !answers.IsDate(strings.TrimSpace(v)) {
		return errors.New("a date YYYY-MM-DD")
	}
	return nil
}

// rpage is one page of a step: its fields, shown unless hidden.
type rpage struct {
	fields []huh.Field
	hidden func() bool
}

func rp(fields ...huh.Field) rpage { return rpage{fields: fields} }

func (p rpage) unless(hidden func() bool) rpage { p.hidden = hidden; return p }

// formOf is the full-screen form of pages.
func formOf(pages []rpage) *huh.Form {
	var groups []*huh.Group
	for _, p := range pages {
		g := huh.NewGroup(p.fields...)
		if p.hidden != nil {
			g = g.WithHideFunc(p.hidden)
		}
		groups = append(groups, g)
	}
	return huh.NewForm(groups...).WithShowHelp(true)
}

// askAccessible asks the pages field by field with huh's line prompts
// (huh's accessible form ignores hide functions, so pages are walked here).
func askAccessible(ctx context.Context, in *lineReader, out io.Writer, pages []rpage) error {
	for _, pg := range pages {
		if pg.hidden != nil && pg.hidden() {
			continue
		}
		for _, f := range pg.fields {
			form := huh.NewForm(huh.NewGroup(f)).WithAccessible(true).WithInput(in).WithOutput(out)
			if err := form.RunWithContext(ctx); err != nil {
				if errors.Is(err, huh.ErrUserAborted) {
					return ErrInterrupted
				}
				return err
			}
			if in.ended() {
				fmt.Fprintln(out, "Input ended: this step was not saved.")
				return ErrInterrupted
			}
		}
	}
	return nil
}

// buildForm makes the step's form.
func (st *reviewStep) buildForm() *huh.Form { return formOf(st.pages()) }

// pages are the step's pages.
func (st *reviewStep) pages() []rpage {
	st.fields = map[huh.Field]string{}
	named := func(f huh.Field, name string) huh.Field { st.fields[f] = name; return f }
	opts := func(vals ...string) []huh.Option[string] {
		var out []huh.Option[string]
		for _, v := range vals {
			out = append(out, huh.NewOption(v, v))
		}
		return out
	}
	switch st.kind {
	case "control":
		c := st.ctl
		return []rpage{
			rp(
				named(huh.NewNote().Title(fmt.Sprintf("%s · %s · %s · %s", c.ID, c.Title, c.Severity, strings.ToUpper(c.Status))).
					Description(strings.Join(c.Details, "\n")), "details"),
				named(huh.NewSelect[string]().Title("Decision").Options(opts(review.Accepted, review.ChangesRequested, review.Question)...).Value(&st.decision), "decision"),
			),
			rp(
				named(huh.NewInput().Title("Finding: what must change").Value(&st.finding).Validate(nonEmpty("the finding")), "finding"),
				named(huh.NewSelect[string]().Title("Severity").Options(opts("critical", "high", "medium", "low")...).Value(&st.severity), "severity"),
				named(huh.NewInput().Title("Due (YYYY-MM-DD; empty: "+st.defaultDue+")").Value(&st.due).Validate(dateOrEmpty), "due"),
			).unless(func() bool { return st.decision != review.ChangesRequested }),
			rp(
				named(huh.NewInput().Title("Question for the team").Value(&st.question).Validate(nonEmpty("the question")), "question"),
			).unless(func() bool { return st.decision != review.Question }),
		}
	case "accept-rest":
		var ids []string
		for _, c := range st.rest {
			ids = append(ids, c.ID)
		}
		return []rpage{rp(
			named(huh.NewConfirm().Title(fmt.Sprintf("Accept all %d remaining passing controls?", len(st.rest))).
				Description(strings.Join(ids, ", ")).Affirmative("Accept all").Negative("One by one").Value(&st.acceptAll), "accept-rest"),
		)}
	case "claim":
		c := st.claim
		return []rpage{
			rp(
				named(huh.NewNote().Title("False-positive claim on "+c.Control).
					Description(fmt.Sprintf("%s\n%s %s\nThe team: %s", c.Fingerprint, c.Message, c.Location, c.Justification)), "details"),
				named(huh.NewSelect[string]().Title("Decision").Options(opts(review.Accepted, review.Rejected)...).Value(&st.decision), "decision"),
			),
			rp(
				named(huh.NewInput().Title("Why it is rejected").Value(&st.reason).Validate(nonEmpty("the reason")), "reason"),
			).unless(func() bool { return st.decision != review.Rejected }),
		}
	}
	return []rpage{
		rp(
			named(huh.NewSelect[string]().Title("Overall decision").
				Options(opts(review.OverallChanges, review.Approved, review.ApprovedWithConditions, review.OverallRejected)...).Value(&st.decision), "decision"),
		),
		rp(
			named(huh.NewInput().Title("Valid until (YYYY-MM-DD; empty: --valid-for)").Value(&st.validUntil).Validate(dateOrEmpty), "valid_until"),
		).unless(func() bool { return st.decision != review.Approved && st.decision != review.ApprovedWithConditions }),
		rp(
			named(huh.NewInput().Title("Condition").Value(&st.condText).Validate(nonEmpty("the condition")), "condition"),
			named(huh.NewInput().Title("Condition due (YYYY-MM-DD)").Value(&st.condDue).Validate(date), "condition_due"),
		).unless(func() bool { return st.decision != review.ApprovedWithConditions }),
	}
}

// commit records a completed step in the decisions and saves them.
func (s *reviewSession) commit(st *reviewStep) error {
	switch st.kind {
	case "control":
		cd := review.ControlDecision{Decision: st.decision}
		switch st.decision {
		case review.ChangesRequested:
			cd.Finding, cd.Severity, cd.Due = strings.TrimSpace(st.finding), st.severity, strings.TrimSpace(st.due)
			if cd.Due == "" {
				cd.Due = s.opts.DefaultDue(st.severity)
			}
		case review.Question:
			cd.Question = strings.TrimSpace(st.question)
		}
		s.d.Controls[st.ctl.ID] = cd
	case "accept-rest":
		if st.acceptAll {
			s.d.Default = review.Accepted
		} else {
			// One by one: a step per passing control, next.
			var more []*reviewStep
			for _, c := range st.rest {
				more = append(more, s.controlStep(c))
			}
			s.steps = append(s.steps[:s.pos+1], append(more, s.steps[s.pos+1:]...)...)
		}
	case "claim":
		r := review.FalsePositiveReply{Decision: st.decision}
		if st.decision == review.Rejected {
			r.Reason = strings.TrimSpace(st.reason)
		}
		s.d.FalsePositives[st.claim.Fingerprint] = r
	case "overall":
		o := review.Overall{Decision: st.decision}
		if st.decision == review.Approved || st.decision == review.ApprovedWithConditions {
			o.ValidUntil = strings.TrimSpace(st.validUntil)
		}
		if st.decision == review.ApprovedWithConditions {
			o.Conditions = []review.Condition{{Text: strings.TrimSpace(st.condText), Due: strings.TrimSpace(st.condDue)}}
		}
		s.d.Overall = o
	}
	if err := s.opts.Save(s.d); err != nil {
		return fmt.Errorf("saving the decisions: %w", err)
	}
	return nil
}

// runAccessible walks the steps with line prompts, saving after each.
func (s *reviewSession) runAccessible(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	in := newLineReader(ctx, s.opts.In)
	for ; s.pos < len(s.steps); s.pos++ {
		fmt.Fprintf(s.opts.Out, "\nReview · step %d of %d\n", s.pos+1, len(s.steps))
		if err := askAccessible(ctx, in, s.opts.Out, s.steps[s.pos].pages()); err != nil {
			return err
		}
		if err := s.commit(s.steps[s.pos]); err != nil {
			return err
		}
	}
	s.done = true
	return nil
}

func (s *reviewSession) startForm() tea.Cmd {
	var cmd tea.Cmd
	s.form, cmd = initForm(s.steps[s.pos].buildForm(), s.size)
	return cmd
}

func (s *reviewSession) Init() tea.Cmd { return s.startForm() }

func (s *reviewSession) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if s.finished() {
		return s, nil
	}
	cmd := s.update(msg, func() (int, error) { return len(s.steps), s.commit(s.steps[s.pos]) }, s.startForm)
	if s.observe != nil {
		s.observe(s)
	}
	return s, cmd
}

func (s *reviewSession) View() string {
	if s.finished() || s.form == nil {
		return ""
	}
	return fmt.Sprintf("Review · step %d of %d\n\n%s", s.pos+1, len(s.steps), s.form.View())
}

// focus names the step and focused field, for the test hook.
func (s *reviewSession) focus() (step, field string) {
	if s.pos >= len(s.steps) || s.form == nil {
		return "", ""
	}
	st := s.steps[s.pos]
	step = st.kind
	switch st.kind {
	case "control":
		step = st.ctl.ID
	case "claim":
		step = st.claim.Fingerprint
	}
	if f := s.form.GetFocusedField(); f != nil {
		field = st.fields[f]
	}
	return step, field
}
