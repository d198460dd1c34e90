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
	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/checklist"
)

// ResponseItem is a reviewer's finding or question the team responds to.
type ResponseItem struct {
	Control, Title, Text, Severity, Due string
	Question                            bool
}

// ResponseItems are the review's items with their controls' titles from cl.
func ResponseItems(items []assessment.ReviewItem, cl *checklist.Checklist) []ResponseItem {
	var out []ResponseItem
	for _, it := range items {
		title := ""
		if ctl, _ := cl.Control(it.Control); ctl != nil {
			title = ctl.Title
		}
		out = append(out, ResponseItem{Control: it.Control, Title: title, Text: it.Text, Severity: it.Severity, Due: it.Due, Question: it.Question})
	}
	return out
}

// ResponseOptions configure the team's responses.
type ResponseOptions struct {
	In         io.Reader
	Out        io.Writer
	Accessible bool
	// Save persists the answers file after every response.
	Save func(*answers.File) error
}

// defaults fills in the terminal and a Save that keeps nothing, and gives
// ans a controls map to record into.
func (opts *ResponseOptions) defaults(ans *answers.File) {
	o := Options{In: opts.In, Out: opts.Out}
	o.defaults()
	opts.In, opts.Out = o.In, o.Out
	if opts.Save == nil {
		opts.Save = func(*answers.File) error { return nil }
	}
	if ans.Controls == nil {
		ans.Controls = map[string]*answers.Control{}
	}
}

// responseStep holds one item's bound values.
type responseStep struct {
	it                      ResponseItem
	kind, text, date, owner string
}

func (st *responseStep) pages() []rpage {
	opts := []huh.Option[string]{huh.NewOption("fixed: say what changed", answers.RespFixed),
		huh.NewOption("will fix: by a date no later than the due date", answers.RespWillFix),
		huh.NewOption("disputed: say why", answers.RespDisputed)}
	title := fmt.Sprintf("Reviewer's finding on %s · %s · %s · due %s", st.it.Control, st.it.Title, st.it.Severity, st.it.Due)
	if st.it.Question {
		opts = []huh.Option[string]{huh.NewOption("answer the question", answers.RespAnswered), huh.NewOption("disputed: say why", answers.RespDisputed)}
		title = fmt.Sprintf("Reviewer's question on %s · %s", st.it.Control, st.it.Title)
	}
	due := st.it.Due
	return []rpage{
		rp(
			huh.NewNote().Title(title).Description(st.it.Text),
			huh.NewSelect[string]().Title("Your response").Options(opts...).Value(&st.kind),
		),
		rp(
			huh.NewInput().Title("What changed, why, or the answer").Value(&st.text).Validate(nonEmpty("the text")),
		).unless(func() bool { return st.kind == answers.RespWillFix }),
		rp(
			huh.NewInput().Title("Fixed by (YYYY-MM-DD, no later than "+due+")").Value(&st.date).Validate(func(v string) error {
				if err := date(v); err != nil {
					return err
				}
				if due != "" && strings.TrimSpace(v) > due {
					return errors.New("no later than the due date " + due)
				}
				return nil
			}),
			huh.NewInput().Title("Owner").Value(&st.owner),
		).unless(func() bool { return st.kind != answers.RespWillFix }),
	}
}

// RunResponses asks the team's response to each reviewer finding and
// question not yet answered in ans (review_response), saving after each.
// It returns ErrInterrupted when stopped early.
func RunResponses(ctx context.Context, items []ResponseItem, ans *answers.File, opts ResponseOptions) error {
	opts.defaults(ans)
	var steps []*responseStep
	for _, it := range items {
		if c := ans.Controls[it.Control]; c != nil && c.ReviewResponse != nil {
			continue
		}
		kind := answers.RespFixed
		if it.Question {
			kind = answers.RespAnswered
		}
		steps = append(steps, &responseStep{it: it, kind: kind})
	}
	if len(steps) == 0 {
		return nil
	}
	commit := func(st *responseStep) error {
		c := ans.Controls[st.it.Control]
		if c == nil {
			c = &answers.Control{}
			ans.Controls[st.it.Control] = c
		}
		r := &answers.ReviewResponse{Kind: st.kind}
		if st.kind == answers.RespWillFix {
			r.Date, r.Owner = strings.TrimSpace(st.date), strings.TrimSpace(st.owner)
		} else {
			r.Text = strings.TrimSpace(st.text)
		}
		c.ReviewResponse = r
		if err := opts.Save(ans); err != nil {
			return fmt.Errorf("saving answers: %w", err)
		}
		return nil
	}
	var fs []formStep
	for _, st := range steps {
		fs = append(fs, st)
	}
	return runSteps(ctx, fs, "Responses to the review", opts.In, opts.Out, opts.Accessible, func(st formStep) ([]formStep, error) {
		return nil, commit(st.(*responseStep))
	})
}

// formStep is one screen of a small stepped form.
type formStep interface{ pages() []rpage }

// runSteps shows the steps one at a time (full screen, or line prompts when
// accessible); commit records a completed step and may add steps after it.
func runSteps(ctx context.Context, steps []formStep, title string, in io.Reader, out io.Writer, accessible bool, commit func(formStep) ([]formStep, error)) error {
	if accessible {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		lines := newLineReader(ctx, in)
		for i := 0; i < len(steps); i++ {
			fmt.Fprintf(out, "\n%s · %d of %d\n", title, i+1, len(steps))
			if err := askAccessible(ctx, lines, out, steps[i].pages()); err != nil {
				return err
			}
			more, err := commit(steps[i])
			if err != nil {
				return err
			}
			steps = append(steps[:i+1], append(more, steps[i+1:]...)...)
		}
		return nil
	}
	m := &stepsModel{steps: steps, commit: commit, title: title}
	return runFullScreen(ctx, m, in, out, strings.ToLower(title), func() (bool, error) { return m.done, m.err })
}

// stepsModel shows one step's form at a time.
type stepsModel struct {
	steps  []formStep
	commit func(formStep) ([]formStep, error)
	title  string
	formSteps
}

func (m *stepsModel) start() tea.Cmd {
	var cmd tea.Cmd
	m.form, cmd = initForm(formOf(m.steps[m.pos].pages()), m.size)
	return cmd
}

func (m *stepsModel) Init() tea.Cmd { return m.start() }

func (m *stepsModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m.finished() {
		return m, nil
	}
	return m, m.update(msg, func() (int, error) {
		more, err := m.commit(m.steps[m.pos])
		m.steps = append(m.steps[:m.pos+1], append(more, m.steps[m.pos+1:]...)...) // a step may add steps after it
		return len(m.steps), err
	}, m.start)
}

func (m *stepsModel) View() string {
	if m.finished() || m.form == nil {
		return ""
	}
	return fmt.Sprintf("%s · %d of %d\n\n%s", m.title, m.pos+1, len(m.steps), m.form.View())
}
