package interview

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/probes"
)

const keyShiftTab = "\x1b[Z"

// docsChecklist: a yes/no control whose evidence is required, as
// FH-PROCESS-SECURITY-ARCHITECTURE-DOCS.
func docsChecklist() *checklist.Checklist {
	return &checklist.Checklist{ID: "docs", Title: "Docs", Version: "1", Sections: []checklist.Section{{ID: "p", Title: "Process",
		Controls: []checklist.Control{{ID: "DOCS", Title: "Architecture docs", Requirement: "A current security architecture document.",
			Severity: checklist.High,
			Questions: []checklist.Question{{ID: "current", Prompt: "Is the document current?", Type: checklist.Confirm,
				Pass: &checklist.PassCriteria{Equals: ptr(true)}}},
			Evidence: []checklist.Evidence{{ID: "security-architecture", Description: "Security architecture document", Required: true}},
		}}}}}
}

// An honest "No" is recorded without the evidence a passing answer needs,
// with an owner and a due date; a due date in the past is refused.
func TestHonestNoWithoutRequiredEvidence(t *testing.T) {
	ans := newAnswers(t)
	d := startTUI(t, docsChecklist(), ans, Options{})
	d.at("DOCS", "current")
	d.press("n")
	s := d.at("DOCS", "evidence:security-architecture")
	assert.Contains(t, s.view, "(required for a passing answer)")
	d.press(keyEnter) // no document exists: nothing to attach
	d.at("DOCS", "note")
	d.press("no architecture document yet", keyEnter)
	s = d.at("DOCS", "owner")
	assert.Contains(t, s.view, "will not pass")
	d.press("carol", keyEnter)
	s = d.at("DOCS", "due")
	assert.Contains(t, s.view, "2026-04-10", "the hint is a date after today")
	d.press("2026-03-09", keyEnter)
	d.errorAt("DOCS", "due", "2026-03-09 is in the past: give the date the fix will be done by, e.g. 2026-04-10")
	d.press(keyCtrlU, "2026-03-10", keyEnter) // today is fine
	require.NoError(t, d.end())

	c := ans.Controls["DOCS"]
	assert.Equal(t, map[string]any{"current": false}, c.Answers)
	assert.Empty(t, c.Evidence)
	assert.Equal(t, "carol", c.Owner)
	assert.Equal(t, "2026-03-10", c.Due)

	// Resuming does not ask it again: the control is answered.
	var out bytes.Buffer
	require.NoError(t, Run(context.Background(), docsChecklist(), ans, Options{Out: &out, In: strings.NewReader(""),
		Now: func() time.Time { return fixedNow }}))
	assert.Contains(t, out.String(), "All 1 controls that need an answer are answered")
}

// A passing answer still needs the evidence; shift+tab from the empty
// field with its error goes back to the question, and from there the
// answer can be changed to an honest "No".
func TestShiftTabFromEmptyEvidenceReachesTheQuestion(t *testing.T) {
	ans := newAnswers(t)
	d := startTUI(t, docsChecklist(), ans, Options{})
	d.at("DOCS", "current")
	d.press("y")
	d.at("DOCS", "evidence:security-architecture")
	d.press(keyEnter)
	d.errorAt("DOCS", "evidence:security-architecture", "required for a passing answer")
	d.press(keyShiftTab)
	d.at("DOCS", "current")
	d.press("n")
	d.at("DOCS", "evidence:security-architecture")
	d.press(keyEnter)
	d.at("DOCS", "note")
	d.press(keyShiftTab) // back within the control, across pages
	d.at("DOCS", "evidence:security-architecture")
	d.press(keyShiftTab)
	d.at("DOCS", "current")
	d.press(keyCtrlC)
	require.ErrorIs(t, d.end(), ErrInterrupted)
}

// Text from the checklist reaches huh's note literally: huh renders _ as
// italics, so "id_rsa" showed as "idrsa" with italics.
func TestChecklistTextIsNotMarkdown(t *testing.T) {
	cl := docsChecklist()
	ctl := &cl.Sections[0].Controls[0]
	ctl.Requirement = "No id_rsa, id_ed25519 or refresh_token in the *repository* `src`; C:\\keys"
	ctl.Probes = []string{"source.secrets"}
	live := NewLiveProbes(cl)
	live.Event(probes.Event{Done: true, Results: []probes.Result{{ID: "source.secrets", Target: "./src", Status: probes.Fail,
		Summary: "1 secret", Findings: []probes.Finding{{Status: probes.Fail, Message: "private key", Location: "deploy/id_rsa:1"}}}}})
	ans := newAnswers(t)
	d := startTUI(t, cl, ans, Options{Probes: live})
	s := d.at("DOCS", "current")
	for _, want := range []string{"id_rsa", "id_ed25519", "refresh_token", "*repository*", "`src`", `C:\keys`, "deploy/id_rsa:1"} {
		assert.Contains(t, s.view, want)
	}
	assert.NotContains(t, s.view, "\x1b[3m", "no italics")
	d.press(keyCtrlC)
	require.ErrorIs(t, d.end(), ErrInterrupted)
}

// With no target at all nothing will ever run: the probe line says so and
// how to give one, not "running (0 of 0 checks finished)".
func TestProbeLineWithNothingToProbe(t *testing.T) {
	cl := docsChecklist()
	ctl := &cl.Sections[0].Controls[0]
	ctl.Evidence = nil
	ctl.Probes = []string{"http.cookies", "source.token-storage"}
	live := NewLiveProbes(cl)
	live.NothingToProbe()
	d := startTUI(t, cl, newAnswers(t), Options{Probes: live})
	s := d.at("DOCS", "current")
	assert.Contains(t, s.view, "not run: http.cookies, source.token-storage (no --target, --source or --webhook-url)")
	assert.NotContains(t, s.view, "running")
	d.press(keyCtrlC)
	require.ErrorIs(t, d.end(), ErrInterrupted)
}

// The probe line follows the probes while the control is on screen: a
// failure shows with its first finding before the question is answered,
// passes show too, and a failing probe offers owner and due date even when
// the answers pass.
func TestProbeLineUpdatesLive(t *testing.T) {
	cl := docsChecklist()
	ctl := &cl.Sections[0].Controls[0]
	ctl.Evidence = nil
	ctl.Probes = []string{"http.cookies", "source.token-storage"}
	live := NewLiveProbes(cl)
	live.Event(probes.Event{Target: "./src", Family: "source"})
	live.Event(probes.Event{Target: "https://app.example", Family: "http"})
	ans := newAnswers(t)
	d := startTUI(t, cl, ans, Options{Probes: live})
	s := d.at("DOCS", "current")
	assert.Contains(t, s.view, "running: http.cookies, source.token-storage (0 of 2 checks finished)")

	live.Event(probes.Event{Target: "./src", Family: "source", Done: true, Results: []probes.Result{{ID: "source.token-storage",
		Target: "./src", Status: probes.Fail, Summary: "token in web storage",
		Findings: []probes.Finding{{Status: probes.Fail, Message: "localStorage.setItem of a token", File: "app.js", Line: 5}}}}})
	s = d.waitFor("the failure on screen", func(s snapshot) bool { return strings.Contains(s.view, "app.js:5") })
	assert.Contains(t, s.view, "source.token-storage FAILED on ./src: token in web storage (first at app.js:5: localStorage.setItem of a token)")
	assert.Equal(t, "current", s.field, "still on the question, unanswered")

	live.Event(probes.Event{Target: "https://app.example", Family: "http", Done: true, Results: []probes.Result{{ID: "http.cookies",
		Target: "https://app.example", Status: probes.Pass, Summary: "2 cookies, all Secure"}}})
	d.waitFor("the pass on screen", func(s snapshot) bool { return strings.Contains(s.view, "passed: http.cookies") })

	d.press("y") // the answer passes, the probe does not
	d.at("DOCS", "note")
	d.press(keyEnter)
	d.at("DOCS", "owner")
	d.press("dave", keyEnter)
	d.at("DOCS", "due")
	d.press("2026-04-01", keyEnter)
	require.NoError(t, d.end())
	assert.Equal(t, "dave", ans.Controls["DOCS"].Owner)
	assert.Equal(t, "2026-04-01", ans.Controls["DOCS"].Due)
}

// The whole FinHub questionnaire can be completed answering "No" (or a
// failing option) everywhere, leaving evidence, owner and due date empty.
func TestFinHubAnsweringNoEverywhere(t *testing.T) {
	cl, err := checklist.Builtin("finhub")
	require.NoError(t, err)
	ans := newAnswers(t)
	d := startTUI(t, cl, ans, Options{})
	handled := ""
	timeout := time.After(60 * time.Second) // a deadlock guard, not a speed assertion
	for done := false; !done; {
		select {
		case s := <-d.snaps:
			at := s.control + "/" + s.field
			if s.field == "" || at == handled {
				if s.err != "" {
					t.Fatalf("%s: %s", at, s.err)
				}
				continue
			}
			handled = at
			key := keyEnter
			if ctl, _ := cl.Control(s.control); ctl != nil {
				if q := ctl.Question(s.field); q != nil {
					switch q.Type {
					case checklist.Confirm:
						key = "n"
					case checklist.Select: // the first option that fails
						for i, o := range q.Options {
							if q.Pass != nil && !slices.Contains(q.Pass.AnyOf, o.Value) {
								key = strings.Repeat(keyDown, i) + keyEnter
								break
							}
						}
					case checklist.Text, checklist.Number, checklist.Date:
						if !q.Optional {
							t.Fatalf("%s: a required %s question after answering no", at, q.Type)
						}
					}
				}
			}
			d.press(key)
		case err := <-d.result:
			require.NoError(t, err)
			done = true
		case <-timeout:
			t.Fatalf("stuck at %s (err %q)", handled, d.last.err)
		}
	}
	items := listItems(cl)
	require.Len(t, ans.Controls, len(items), "every askable control answered")
	for _, it := range items {
		assert.True(t, isAnswered(it.sc.Control, ans.Controls[it.sc.Control.ID], fixedNow), it.sc.Control.ID)
	}
	assert.Empty(t, assessment.Unanswered(cl, ans, fixedNow), "CI mode takes these answers as given")
	res := assessment.Evaluate(cl, ans, nil, nil, assessment.Options{Now: fixedNow})
	for _, c := range res.Controls {
		if len(c.Answers) > 0 {
			assert.Equal(t, assessment.ControlFail, c.Status, c.ID)
		}
	}
}

// Probe text comes from servers and source files: escape codes in it are
// shown quoted on the probe line, never sent to the terminal.
func TestProbeLineQuotesControlCharacters(t *testing.T) {
	cl := docsChecklist()
	cl.Sections[0].Controls[0].Probes = []string{"source.secrets"}
	live := NewLiveProbes(cl)
	live.Event(probes.Event{Done: true, Results: []probes.Result{{ID: "source.secrets", Target: "./src", Status: probes.Fail,
		Summary: "1 secret", Findings: []probes.Finding{{Status: probes.Fail, Message: "key", Location: "evil\x1b]0;owned\a.js:1"}}}}})
	note := live.Note("DOCS")
	assert.NotContains(t, note, "\x1b")
	assert.Contains(t, note, `"evil\x1b]0;owned\a.js:1"`)
}
