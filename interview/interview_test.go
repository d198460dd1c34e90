package interview

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/checklist"
)

// Key bytes as a terminal sends them.
const (
	keyEnter = "\r"
	keyCtrlC = "\x03"
	keyDown  = "\x1b[B"
	keyCtrlU = "\x15" // delete to the start of the line
)

func ptr[T any](v T) *T { return &v }

var fixedNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// testChecklist has every question type, a conditional question, a
// not-applicable control with evidence and a probe-only control.
func testChecklist() *checklist.Checklist {
	return &checklist.Checklist{
		Schema: checklist.SchemaID, ID: "demo", Title: "Demo", Version: "1",
		Sections: []checklist.Section{
			{ID: "access", Title: "Access", Controls: []checklist.Control{
				{ID: "C1", Title: "Admin MFA", Requirement: "Admins use MFA.", Severity: checklist.High,
					Questions: []checklist.Question{
						{ID: "mfa", Prompt: "Do all admins use MFA?", Type: checklist.Confirm, Pass: &checklist.PassCriteria{Equals: ptr(true)}},
						{ID: "mfa_how", Prompt: "Which second factor?", Type: checklist.Text,
							When: &checklist.Condition{Question: "mfa", Equals: ptr(true)}},
					}},
				{ID: "C2", Title: "Key storage", Requirement: "Keys live in a vault.", Severity: checklist.Critical,
					Questions: []checklist.Question{
						{ID: "storage", Prompt: "Where are API keys stored?", Type: checklist.Select,
							Options: []checklist.Option{{Value: "vault", Label: "A secrets vault"}, {Value: "env"}, {Value: "file"}},
							Pass:    &checklist.PassCriteria{AnyOf: []string{"vault"}}},
						{ID: "methods", Prompt: "Which methods protect them?", Type: checklist.MultiSelect,
							Options: []checklist.Option{{Value: "rotation"}, {Value: "encryption"}, {Value: "audit"}}},
					}},
			}},
			{ID: "ops", Title: "Operations", Controls: []checklist.Control{
				{ID: "C3", Title: "Pen test", Requirement: "Yearly penetration test.", Severity: checklist.Medium,
					AllowNotApplicable: true,
					Questions: []checklist.Question{
						{ID: "retention", Prompt: "Log retention (days)?", Type: checklist.Number, Pass: &checklist.PassCriteria{Min: ptr(30.0)}},
						{ID: "last_test", Prompt: "Date of the last test?", Type: checklist.Date},
					},
					Evidence: []checklist.Evidence{{ID: "report", Description: "Pen test report", Required: true}}},
				{ID: "P1", Title: "TLS", Requirement: "TLS 1.2+.", Severity: checklist.High, Probes: []string{"tls.versions"}},
			}},
		},
	}
}

// snapshot is what the test sees of the running questionnaire after an update.
type snapshot struct {
	control, field, err, view string
	saves                     int
}

// tui runs the real Run with the real bubbletea program reading key bytes
// from an os.Pipe, as it would read a terminal.
type tui struct {
	t      *testing.T
	keys   *os.File
	snaps  chan snapshot
	last   snapshot
	result chan error
	out    *bytes.Buffer
	saved  []*answers.File // copies, one per Save call
	mu     sync.Mutex
}

func startTUI(t *testing.T, cl *checklist.Checklist, ans *answers.File, opts Options) *tui {
	t.Helper()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	d := &tui{t: t, keys: w, snaps: make(chan snapshot, 100000), result: make(chan error, 1), out: &bytes.Buffer{}}
	ctx, cancel := context.WithCancel(context.Background())
	finished := make(chan struct{})
	t.Cleanup(func() {
		cancel() // stops a questionnaire a failed test left running
		<-finished
		r.Close()
		w.Close()
		sessionHook = nil
	})
	saves := 0
	opts.In, opts.Out = r, d.out
	opts.Now = func() time.Time { return fixedNow }
	opts.Save = func(f *answers.File) error {
		saves++
		d.mu.Lock()
		d.saved = append(d.saved, clone(f))
		d.mu.Unlock()
		return nil
	}
	sessionHook = func(s *session) {
		// the terminal of the walk-through; a pipe reports no size
		s.size = &tea.WindowSizeMsg{Width: 120, Height: 40}
		s.observe = func(s *session) {
			snap := snapshot{control: s.cur.ctl.ID, view: s.form.View(), saves: saves}
			if f := s.form.GetFocusedField(); f != nil {
				snap.field = s.cur.focusName(f)
				if f.Error() != nil {
					snap.err = f.Error().Error()
				}
			}
			select {
			case d.snaps <- snap:
			default:
				panic("test snapshot buffer full")
			}
		}
	}
	go func() {
		defer close(finished)
		d.result <- Run(ctx, cl, ans, opts)
	}()
	return d
}

func clone(f *answers.File) *answers.File {
	c := *f
	c.Controls = map[string]*answers.Control{}
	for k, v := range f.Controls {
		cv := *v
		c.Controls[k] = &cv
	}
	return &c
}

// waitFor consumes snapshots until one satisfies ok.
func (d *tui) waitFor(what string, ok func(snapshot) bool) snapshot {
	d.t.Helper()
	timeout := time.After(20 * time.Second) // a deadlock guard, not a speed assertion
	for {
		select {
		case s := <-d.snaps:
			d.last = s
			if ok(s) {
				return s
			}
		case err := <-d.result:
			d.t.Fatalf("questionnaire ended (%v) while waiting for %s; last: %s/%s", err, what, d.last.control, d.last.field)
		case <-timeout:
			d.t.Fatalf("timed out waiting for %s; last: %s/%s err=%q", what, d.last.control, d.last.field, d.last.err)
		}
	}
}

// at waits until the field (control/field) has the focus.
func (d *tui) at(control, field string) snapshot {
	d.t.Helper()
	return d.waitFor(control+"/"+field, func(s snapshot) bool { return s.control == control && s.field == field })
}

// errorAt waits until the focused field shows an error containing msg.
func (d *tui) errorAt(control, field, msg string) {
	d.t.Helper()
	d.waitFor("error "+msg, func(s snapshot) bool {
		return s.control == control && s.field == field && strings.Contains(s.err, msg)
	})
}

func (d *tui) press(keys ...string) {
	d.t.Helper()
	for _, k := range keys {
		_, err := d.keys.WriteString(k)
		require.NoError(d.t, err)
	}
}

func (d *tui) end() error {
	d.t.Helper()
	select {
	case err := <-d.result:
		return err
	case <-time.After(20 * time.Second):
		d.t.Fatalf("questionnaire did not end; last: %s/%s", d.last.control, d.last.field)
		return nil
	}
}

func newAnswers(t *testing.T) *answers.File {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "report.pdf"), []byte("%PDF-1.4"), 0o600))
	return answers.New(filepath.Join(dir, "answers.yaml"), "demo")
}

// answerC1 answers the first control: yes, then the conditional question.
func answerC1(d *tui) {
	d.at("C1", "mfa")
	d.press("y")
	d.at("C1", "mfa_how")
	d.press("totp", keyEnter)
	d.at("C1", "note")
	d.press(keyEnter)
}

func TestEveryQuestionType(t *testing.T) {
	ans := newAnswers(t)
	d := startTUI(t, testChecklist(), ans, Options{AnsweredBy: "alice"})

	first := d.at("C1", "mfa")
	assert.Contains(t, first.view, "Section 1 of 2 · Access · Control 1 of 3 · answered 0/3")
	assert.Contains(t, first.view, "Admins use MFA.")
	answerC1(d)

	// C2 is shown only after C1 was saved.
	s := d.at("C2", "storage")
	assert.Equal(t, 1, s.saves, "C1 must be saved before C2 is shown")
	assert.Contains(t, s.view, "Control 2 of 3 · answered 1/3")
	d.press(keyDown, keyEnter) // env: fails the control
	d.at("C2", "methods")
	d.press(" ", keyDown, keyDown, " ", keyEnter) // rotation + audit
	d.at("C2", "note")
	d.press("keys move to a vault in Q3", keyEnter)
	d.at("C2", "owner") // the answers fail, so an owner is asked for
	d.press("bob", keyEnter)
	d.at("C2", "due")
	d.press("2026-02-30", keyEnter)
	d.errorAt("C2", "due", "not a date")
	d.press(keyCtrlU, "2026-06-30", keyEnter)

	s = d.at("C3", "applies")
	assert.Contains(t, s.view, "Section 2 of 2 · Operations · Control 3 of 3 · answered 2/3")
	d.press("y")
	d.at("C3", "retention")
	d.press("ninety", keyEnter)
	d.errorAt("C3", "retention", "not a number")
	d.press(keyCtrlU, "90", keyEnter)
	d.at("C3", "last_test")
	d.press("2025-11-02", keyEnter)
	d.at("C3", "evidence:report")
	d.press("missing.pdf", keyEnter)
	d.errorAt("C3", "evidence:report", "missing.pdf: no such file")
	d.press(keyCtrlU, "report.pdf", keyEnter)
	d.at("C3", "note")
	d.press(keyEnter)
	require.NoError(t, d.end())

	require.Len(t, d.saved, 3, "one save per control; the probe-only control is not asked")
	c1 := ans.Controls["C1"]
	assert.Equal(t, map[string]any{"mfa": true, "mfa_how": "totp"}, c1.Answers)
	assert.Equal(t, "alice", c1.AnsweredBy)
	assert.Equal(t, fixedNow, c1.AnsweredAt)
	c2 := ans.Controls["C2"]
	assert.Equal(t, map[string]any{"storage": "env", "methods": []string{"rotation", "audit"}}, c2.Answers)
	assert.Equal(t, "keys move to a vault in Q3", c2.Note)
	assert.Equal(t, "bob", c2.Owner)
	assert.Equal(t, "2026-06-30", c2.Due)
	c3 := ans.Controls["C3"]
	assert.Equal(t, map[string]any{"retention": 90.0, "last_test": "2025-11-02"}, c3.Answers)
	assert.Equal(t, []string{"report.pdf"}, c3.Evidence)
	assert.Empty(t, c3.NotApplicable)
	assert.NotContains(t, ans.Controls, "P1")
}

func TestConditionalQuestionHidden(t *testing.T) {
	ans := newAnswers(t)
	d := startTUI(t, testChecklist(), ans, Options{})
	d.at("C1", "mfa")
	d.press("n")
	// "Which second factor?" is skipped: the next field is the note.
	s := d.waitFor("the field after mfa", func(s snapshot) bool { return s.field != "mfa" })
	assert.Equal(t, "C1/note", s.control+"/"+s.field)
	assert.NotContains(t, s.view, "Which second factor?")
	d.press(keyEnter)
	// the answers fail, so owner/due follow
	d.at("C1", "owner")
	d.press(keyEnter)
	d.at("C1", "due")
	d.press(keyEnter)
	d.at("C2", "storage")
	d.press(keyCtrlC)
	require.ErrorIs(t, d.end(), ErrInterrupted)
	assert.Equal(t, map[string]any{"mfa": false}, ans.Controls["C1"].Answers)
}

func TestInterruptThenResume(t *testing.T) {
	ans := newAnswers(t)
	d := startTUI(t, testChecklist(), ans, Options{})
	answerC1(d)
	d.at("C2", "storage")
	d.press(keyDown) // half-answered control on screen: lost on Ctrl-C
	d.press(keyCtrlC)
	require.ErrorIs(t, d.end(), ErrInterrupted)
	require.Len(t, d.saved, 1)
	assert.NotContains(t, ans.Controls, "C2")

	// The second run starts at C2 and keeps C1's answers.
	c1 := ans.Controls["C1"]
	d = startTUI(t, testChecklist(), ans, Options{})
	s := d.waitFor("the first control", func(snapshot) bool { return true })
	assert.Equal(t, "C2", s.control)
	s = d.at("C2", "storage")
	assert.Contains(t, s.view, "Control 2 of 3 · answered 1/3")
	d.press(keyEnter) // vault
	d.at("C2", "methods")
	d.press(keyEnter)
	d.at("C2", "note")
	d.press(keyEnter)
	d.at("C3", "applies")
	d.press(keyCtrlC)
	require.ErrorIs(t, d.end(), ErrInterrupted)
	assert.Same(t, c1, ans.Controls["C1"], "C1 was not asked again")
	assert.Equal(t, map[string]any{"storage": "vault", "methods": []string{}}, ans.Controls["C2"].Answers)
	assert.Equal(t, map[string]any{"mfa": true, "mfa_how": "totp"}, d.saved[0].Controls["C1"].Answers)
}

func TestReviewUsesPreviousAnswersAsDefaults(t *testing.T) {
	ans := newAnswers(t)
	old := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	ans.Controls = map[string]*answers.Control{
		"C1": {Answers: map[string]any{"mfa": true, "mfa_how": "webauthn"}, Note: "hardware keys", AnsweredAt: old},
		"C2": {Answers: map[string]any{"storage": "vault", "methods": []any{"encryption"}}, AnsweredAt: old},
		"C3": {Answers: map[string]any{"retention": 365, "last_test": "2025-10-01"}, Evidence: []string{"report.pdf"}, AnsweredAt: old},
	}
	d := startTUI(t, testChecklist(), ans, Options{Review: true})
	s := d.at("C1", "mfa")
	assert.Contains(t, s.view, "answered 3/3")
	d.press(keyEnter) // keep "yes"
	d.at("C1", "mfa_how")
	d.press(keyEnter)
	d.at("C1", "note")
	d.press(keyEnter)
	d.at("C2", "storage")
	d.press(keyEnter)
	d.at("C2", "methods")
	d.press(keyEnter)
	d.at("C2", "note")
	d.press(keyEnter)
	d.at("C3", "applies")
	d.press(keyEnter)
	d.at("C3", "retention")
	d.press(keyEnter)
	d.at("C3", "last_test")
	d.press(keyEnter)
	d.at("C3", "evidence:report")
	d.press(keyEnter)
	d.at("C3", "note")
	d.press(keyEnter)
	require.NoError(t, d.end())

	assert.Equal(t, map[string]any{"mfa": true, "mfa_how": "webauthn"}, ans.Controls["C1"].Answers)
	assert.Equal(t, "hardware keys", ans.Controls["C1"].Note)
	assert.Equal(t, map[string]any{"storage": "vault", "methods": []string{"encryption"}}, ans.Controls["C2"].Answers)
	assert.Equal(t, map[string]any{"retention": 365.0, "last_test": "2025-10-01"}, ans.Controls["C3"].Answers)
	assert.Equal(t, []string{"report.pdf"}, ans.Controls["C3"].Evidence)
	assert.Equal(t, fixedNow, ans.Controls["C3"].AnsweredAt)
}

func TestNotApplicableNeedsJustification(t *testing.T) {
	ans := newAnswers(t)
	ans.Controls = map[string]*answers.Control{
		"C1": {Answers: map[string]any{"mfa": false}, AnsweredAt: fixedNow},
		"C2": {Answers: map[string]any{"storage": "vault", "methods": []string{}}, AnsweredAt: fixedNow},
	}
	d := startTUI(t, testChecklist(), ans, Options{
		ProbeNote: func(id string) string {
			if id == "C3" {
				return "tls.versions failed: TLS1.0 offered"
			}
			return ""
		},
	})
	s := d.at("C3", "applies")
	assert.Contains(t, s.view, "tls.versions failed: TLS1.0 offered")
	d.press("n")
	d.at("C3", "not_applicable")
	d.press(keyEnter)
	d.errorAt("C3", "not_applicable", "an answer is required")
	d.press("we never run pen tests: no infrastructure of our own", keyEnter)
	d.at("C3", "note")
	d.press(keyEnter)
	require.NoError(t, d.end())
	c3 := ans.Controls["C3"]
	assert.Equal(t, "we never run pen tests: no infrastructure of our own", c3.NotApplicable)
	assert.Empty(t, c3.Answers)
	assert.Empty(t, c3.Evidence)
}

func TestNothingToAsk(t *testing.T) {
	ans := newAnswers(t)
	ans.Controls = map[string]*answers.Control{
		"C1": {Answers: map[string]any{"mfa": false}, AnsweredAt: fixedNow},
		"C2": {Answers: map[string]any{"storage": "vault", "methods": []string{}}, AnsweredAt: fixedNow},
		"C3": {NotApplicable: "no", AnsweredAt: fixedNow},
	}
	var out bytes.Buffer
	saves := 0
	err := Run(context.Background(), testChecklist(), ans, Options{Out: &out, In: strings.NewReader(""),
		Save: func(*answers.File) error { saves++; return nil }})
	require.NoError(t, err)
	assert.Equal(t, 0, saves)
	assert.Contains(t, out.String(), "All 3 controls that need an answer are answered")
}

func TestHiddenConditionalHidesNothingElse(t *testing.T) {
	cl := &checklist.Checklist{ID: "c", Sections: []checklist.Section{{ID: "s", Title: "S", Controls: []checklist.Control{
		{ID: "K", Title: "Keys", Severity: checklist.Low, Requirement: "r",
			Questions: []checklist.Question{
				{ID: "a", Prompt: "A?", Type: checklist.Confirm},
				{ID: "c", Prompt: "C?", Type: checklist.Select, Options: []checklist.Option{{Value: "x"}, {Value: "y"}},
					When: &checklist.Condition{Question: "a", Equals: ptr(false)}},
				{ID: "b", Prompt: "B?", Type: checklist.Text, When: &checklist.Condition{Question: "a", Equals: ptr(true)}},
				{ID: "d", Prompt: "D?", Type: checklist.Confirm},
			},
			Evidence: []checklist.Evidence{{ID: "doc", Description: "A document"}}},
	}}}}
	ans := newAnswers(t)
	d := startTUI(t, cl, ans, Options{})
	d.at("K", "a")
	d.press("n")
	d.at("K", "c")
	d.press(keyDown, keyEnter)
	d.at("K", "d") // b is skipped; d, after it, is still asked
	d.press("y")
	d.at("K", "evidence:doc")
	// an absolute path inside the answers file's directory is stored relative to it
	d.press(filepath.Join(filepath.Dir(ans.Path), "report.pdf"), keyEnter)
	d.at("K", "note")
	d.press(keyEnter)
	require.NoError(t, d.end())
	assert.Equal(t, map[string]any{"a": false, "c": "y", "d": true}, ans.Controls["K"].Answers)
	assert.Equal(t, []string{"report.pdf"}, ans.Controls["K"].Evidence)
}
