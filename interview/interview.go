// Package interview is the terminal questionnaire (the only package that
// imports huh): one form step per control, saved after every control.
package interview

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/checklist"
)

// ErrInterrupted is returned when the user pressed Ctrl-C (or the input
// ended, or ctx was cancelled); answers given before it are already saved.
var ErrInterrupted = errors.New("questionnaire interrupted")

// Options configure a questionnaire session.
type Options struct {
	In         io.Reader // default os.Stdin
	Out        io.Writer // default os.Stdout
	Accessible bool      // screen-reader friendly prompts (also when TERM=dumb)
	Review     bool      // walk every control again with previous answers as defaults
	AnsweredBy string
	Now        func() time.Time
	// Save persists the answers; called after every answered control.
	Save func(*answers.File) error
	// ProbeNote, when set, returns a line about the control's probes that
	// already finished (e.g. "tls.versions failed: TLS1.0 offered"), or "".
	// It is called from the questionnaire's goroutine, once per control shown.
	// Probes, when set, supersedes it.
	ProbeNote func(controlID string) string
	// CheckEvidence, when set, vets an evidence path as the answers file
	// will hold it (the project folder, links, private keys and secrets);
	// allowSecret says the control lists it under evidence_with_secrets.
	// Its error is shown at the field, so a path is refused when entered.
	CheckEvidence func(controlID, path string, allowSecret bool) error
	// Probes follows the background probes: the control on screen shows
	// its probes' results as they finish, and a failing probe offers an
	// owner and due date like a failing answer.
	Probes *LiveProbes
}

func (o *Options) defaults() {
	if o.In == nil {
		o.In = os.Stdin
	}
	if o.Out == nil {
		o.Out = os.Stdout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Save == nil {
		o.Save = func(*answers.File) error { return nil }
	}
}

// Run asks every unanswered control (every control with Review) and saves
// after each one. It returns ErrInterrupted when the user stopped early.
//
// A session holds the answers file (answers.Lock): a second session on the
// same file gets an *answers.LockedError before asking anything.
func Run(ctx context.Context, cl *checklist.Checklist, ans *answers.File, opts Options) error {
	if ans.Path != "" {
		release, err := answers.Lock(ans, cl)
		if err != nil {
			return err
		}
		defer release()
	}
	s := newSession(cl, ans, opts)
	if sessionHook != nil {
		sessionHook(s)
	}
	if len(s.queue) == 0 {
		fmt.Fprintf(s.opts.Out, "All %d controls that need an answer are answered; use --revisit to walk them again.\n", len(s.items))
		return nil
	}
	if s.opts.Accessible {
		return s.runAccessible(ctx)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the wait for probe updates
	s.ctx = ctx
	return runFullScreen(ctx, s, s.opts.In, s.opts.Out, "questionnaire", func() (bool, error) { return s.done, s.err })
}

// runFullScreen runs the model m full screen until it quits; outcome gives
// the model's own result (finished, error) and what names the program in
// an error of bubbletea's.
func runFullScreen(ctx context.Context, m tea.Model, in io.Reader, out io.Writer, what string, outcome func() (bool, error)) error {
	var p *tea.Program
	r := notifyEOF(in, func() { go p.Send(inputEndedMsg{}) })
	p = tea.NewProgram(m, tea.WithInput(r), tea.WithOutput(out), tea.WithContext(ctx))
	_, err := p.Run()
	done, merr := outcome()
	switch {
	case merr != nil:
		return merr
	case errors.Is(err, tea.ErrInterrupted), errors.Is(err, tea.ErrProgramKilled):
		return ErrInterrupted
	case err != nil:
		return fmt.Errorf("%s: %w", what, err)
	case !done: // quit by a signal before the last step
		return ErrInterrupted
	}
	return nil
}

// session is the bubbletea model of a whole questionnaire: it shows one
// control's form at a time and saves when that form completes.
type session struct {
	cl      *checklist.Checklist
	ans     *answers.File
	opts    Options
	baseDir string
	items   []item
	queue   []int // indexes into items still to ask; formSteps.pos is the position in it
	cur     *step
	ctx     context.Context
	formSteps

	// observe, when set (tests), sees the session after every update; it
	// runs on the program's goroutine.
	observe func(*session)
}

// sessionHook, when set (tests), sees every session before it starts.
var sessionHook func(*session)

func newSession(cl *checklist.Checklist, ans *answers.File, opts Options) *session {
	opts.defaults()
	if ans.Controls == nil {
		ans.Controls = map[string]*answers.Control{}
	}
	s := &session{cl: cl, ans: ans, opts: opts, items: listItems(cl)}
	if ans.Path != "" {
		if abs, err := filepath.Abs(filepath.Dir(ans.Path)); err == nil {
			s.baseDir = abs
		}
	}
	for i, it := range s.items {
		if opts.Review || !isAnswered(it.sc.Control, ans.Controls[it.sc.Control.ID], opts.Now()) {
			s.queue = append(s.queue, i)
		}
	}
	return s
}

func (s *session) answeredCount() int {
	n := 0
	for _, it := range s.items {
		if isAnswered(it.sc.Control, s.ans.Controls[it.sc.Control.ID], s.opts.Now()) {
			n++
		}
	}
	return n
}

// nextStep builds the step for the control at s.pos.
func (s *session) nextStep() *step {
	it := s.items[s.queue[s.pos]]
	return newStep(it, s.ans.Controls[it.sc.Control.ID], s.answeredCount(), s.opts, s.baseDir)
}

// commit records the current step's answers and saves the file.
func (s *session) commit(st *step) error {
	s.ans.Controls[st.ctl.ID] = st.result(s.opts.Now())
	if err := s.opts.Save(s.ans); err != nil {
		return fmt.Errorf("saving answers: %w", err)
	}
	return nil
}

func (s *session) startForm() tea.Cmd {
	s.cur = s.nextStep()
	var cmd tea.Cmd
	s.form, cmd = initForm(s.cur.tuiForm(), s.size)
	return cmd
}

// initForm starts a new form; size, when known, is given to it at once
// (the new form must know the terminal's size now).
func initForm(f *huh.Form, size *tea.WindowSizeMsg) (*huh.Form, tea.Cmd) {
	cmd := f.Init()
	if size != nil {
		m, sizeCmd := f.Update(*size)
		f = m.(*huh.Form)
		cmd = tea.Batch(cmd, sizeCmd)
	}
	return f, cmd
}

// formSteps is what the full-screen models (questionnaire, review,
// responses and claims) share: one form at a time, the terminal's size,
// and how the walk ended.
type formSteps struct {
	pos  int // the step on screen
	form *huh.Form
	size *tea.WindowSizeMsg
	done bool
	err  error
}

func (f *formSteps) finished() bool { return f.done || f.err != nil }

// update passes msg to the form on screen. When the form completes, commit
// records its step and says how many steps there are now; start shows the
// next one. The walk quits at the last step or on an error.
func (f *formSteps) update(msg tea.Msg, commit func() (steps int, err error), start func() tea.Cmd) tea.Cmd {
	var cmd tea.Cmd
	if f.form, cmd, f.err = updateForm(f.form, &f.size, msg); f.err != nil {
		return tea.Quit
	}
	if f.form.State != huh.StateCompleted {
		return cmd
	}
	steps, err := commit()
	if err != nil {
		f.err = err
		return tea.Quit
	}
	if f.pos++; f.pos == steps {
		f.done = true
		return tea.Quit
	}
	return start()
}

// updateForm passes msg to a full-screen form, as every form model here
// does: it remembers the terminal size, stops when the input ended (bubbletea
// would wait for more input forever) or the user aborted, and otherwise
// returns the updated form; the caller acts on huh.StateCompleted.
func updateForm(form *huh.Form, size **tea.WindowSizeMsg, msg tea.Msg) (*huh.Form, tea.Cmd, error) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		*size = &msg
	case inputEndedMsg:
		return form, nil, fmt.Errorf("%w: the input ended", ErrInterrupted)
	}
	m, cmd := form.Update(msg)
	form = m.(*huh.Form)
	if form.State == huh.StateAborted {
		return form, nil, ErrInterrupted
	}
	return form, cmd, nil
}

func (s *session) Init() tea.Cmd { return tea.Batch(s.startForm(), s.waitProbes()) }

// probesChangedMsg: a probe started or finished; the probe note on screen
// is brought up to date.
type probesChangedMsg struct{}

// waitProbes waits for the next probe event (coalesced) while the
// questionnaire runs.
func (s *session) waitProbes() tea.Cmd {
	if s.opts.Probes == nil || s.ctx == nil {
		return nil
	}
	ch, ctx := s.opts.Probes.changed, s.ctx
	return func() tea.Msg {
		select {
		case <-ch:
			return probesChangedMsg{}
		case <-ctx.Done():
			return nil
		}
	}
}

func (s *session) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if s.finished() {
		return s, nil
	}
	switch msg := msg.(type) {
	case probesChangedMsg:
		var cmd tea.Cmd
		if s.cur.refreshBody() {
			var m tea.Model
			if s.size != nil { // the note's height changed: lay the form out again
				m, cmd = s.form.Update(*s.size)
			} else {
				m, cmd = s.form.Update(msg) // rebuilds the page's view
			}
			s.form = m.(*huh.Form)
		}
		if s.observe != nil {
			s.observe(s)
		}
		return s, tea.Batch(cmd, s.waitProbes())
	case tea.KeyMsg:
		s.cur.goingBack = msg.String() == "shift+tab"
	}
	cmd := s.update(msg, func() (int, error) { return len(s.queue), s.commit(s.cur) }, s.startForm)
	if s.observe != nil {
		s.observe(s)
	}
	return s, cmd
}

func (s *session) View() string {
	if s.finished() || s.form == nil {
		return ""
	}
	return s.form.View()
}

// inputEndedMsg tells the session its input reached end of file.
type inputEndedMsg struct{}

// notifyEOF wraps the input so that end of file is reported. An *os.File
// stays an *os.File underneath (bubbletea needs its descriptor for raw mode
// and for cancellable reads).
func notifyEOF(r io.Reader, onEOF func()) io.Reader {
	if f, ok := r.(*os.File); ok {
		return eofFile{File: f, onEOF: onEOF}
	}
	return eofReader{Reader: r, onEOF: onEOF}
}

type eofFile struct {
	*os.File
	onEOF func()
}

func (f eofFile) Read(p []byte) (int, error) {
	n, err := f.File.Read(p)
	if errors.Is(err, io.EOF) {
		f.onEOF()
	}
	return n, err
}

type eofReader struct {
	io.Reader
	onEOF func()
}

func (r eofReader) Read(p []byte) (int, error) {
	n, err := r.Reader.Read(p)
	if errors.Is(err, io.EOF) {
		r.onEOF()
	}
	return n, err
}
