package interview

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/answers"
)

// runAccessibleLines runs the questionnaire in accessible mode on the given
// input lines through huh's real line prompts.
func runAccessibleLines(t *testing.T, ans *answers.File, opts Options, lines ...string) (string, int, error) {
	t.Helper()
	var out bytes.Buffer
	saves := 0
	opts.Accessible = true
	opts.In = strings.NewReader(strings.Join(lines, ""))
	opts.Out = &out
	opts.Now = func() time.Time { return fixedNow }
	if opts.Save == nil {
		opts.Save = func(*answers.File) error { saves++; return nil }
	}
	err := Run(context.Background(), testChecklist(), ans, opts)
	return out.String(), saves, err
}

func TestAccessibleWholeChecklist(t *testing.T) {
	ans := newAnswers(t)
	out, saves, err := runAccessibleLines(t, ans, Options{},
		// C1: confirm yes, conditional text, note
		"y\n", "totp\n", "\n",
		// C2: select 2 (env), multiselect toggles 1 and 3 then 0 to finish, note, owner, due (bad, then good)
		"2\n", "1\n", "3\n", "0\n", "rotate soon\n", "bob\n", "2026-13-01\n", "2026-06-30\n",
		// C3: applies, number (bad, then good), date, evidence (missing, then present), note
		"y\n", "many\n", "90\n", "2025-11-02\n", "nope.pdf\n", "report.pdf\n", "\n",
	)
	require.NoError(t, err, out)
	assert.Equal(t, 3, saves)
	assert.Contains(t, out, "Section 1 of 2 · Access · Control 1 of 3 · answered 0/3")
	assert.Contains(t, out, "Section 2 of 2 · Operations · Control 3 of 3 · answered 2/3")
	assert.Contains(t, out, `"2026-13-01" is not a date`)
	assert.Contains(t, out, `"many" is not a number`)
	assert.Contains(t, out, "nope.pdf: no such file")
	assert.Equal(t, map[string]any{"mfa": true, "mfa_how": "totp"}, ans.Controls["C1"].Answers)
	assert.Equal(t, map[string]any{"storage": "env", "methods": []string{"rotation", "audit"}}, ans.Controls["C2"].Answers)
	assert.Equal(t, "bob", ans.Controls["C2"].Owner)
	assert.Equal(t, "2026-06-30", ans.Controls["C2"].Due)
	assert.Equal(t, map[string]any{"retention": 90.0, "last_test": "2025-11-02"}, ans.Controls["C3"].Answers)
	assert.Equal(t, []string{"report.pdf"}, ans.Controls["C3"].Evidence)
}

func TestAccessibleConditionalHiddenAndNotApplicable(t *testing.T) {
	ans := newAnswers(t)
	out, _, err := runAccessibleLines(t, ans, Options{},
		"n\n", "\n", "\n", "\n", // C1: no; the conditional question is not asked; note, owner, due
		"1\n", "0\n", "\n", // C2: vault, nothing else, note
		"n\n", "\n", "we host nothing\n", "\n", // C3: not applicable, empty justification refused, then given
	)
	require.NoError(t, err, out)
	assert.NotContains(t, out, "Which second factor?")
	assert.Contains(t, out, "an answer is required")
	assert.Equal(t, map[string]any{"mfa": false}, ans.Controls["C1"].Answers)
	assert.Equal(t, "we host nothing", ans.Controls["C3"].NotApplicable)
	assert.Empty(t, ans.Controls["C3"].Answers)
}

func TestAccessibleEndOfInputLosesOnlyTheCurrentControl(t *testing.T) {
	ans := newAnswers(t)
	out, saves, err := runAccessibleLines(t, ans, Options{},
		"y\n", "totp\n", "\n", // C1 complete
		"1\n", // C2 half answered, then the input ends
	)
	require.ErrorIs(t, err, ErrInterrupted)
	assert.Equal(t, 1, saves)
	assert.Contains(t, ans.Controls, "C1")
	assert.NotContains(t, ans.Controls, "C2", "a half-answered control is not recorded")
	assert.Contains(t, out, "Input ended")

	// Resuming starts at C2.
	out, _, err = runAccessibleLines(t, ans, Options{}, "1\n", "0\n", "\n")
	require.ErrorIs(t, err, ErrInterrupted) // input ends again, at C3
	assert.Contains(t, out, "Control 2 of 3 · answered 1/3")
	assert.NotContains(t, out, "Do all admins use MFA?")
	assert.Equal(t, "vault", ans.Controls["C2"].Answers["storage"])
}

func TestAccessibleReviewKeepsDefaultsOnEmptyLines(t *testing.T) {
	ans := newAnswers(t)
	ans.Controls = map[string]*answers.Control{
		"C1": {Answers: map[string]any{"mfa": true, "mfa_how": "webauthn"}},
		"C2": {Answers: map[string]any{"storage": "file", "methods": []string{}}, Owner: "ops", Due: "2026-09-01"},
		"C3": {NotApplicable: "no servers"},
	}
	// Every prompt answered with an empty line keeps the previous answer;
	// the multiselect needs an explicit 0 to finish.
	out, saves, err := runAccessibleLines(t, ans, Options{Review: true},
		"\n", "\n", "\n", // C1
		"\n", "0\n", "\n", "\n", "\n", // C2: storage, methods, note, owner, due
		"\n", "\n", "\n", // C3: applies (default: not applicable), justification, note
	)
	require.NoError(t, err, out)
	assert.Equal(t, 3, saves)
	assert.Equal(t, map[string]any{"mfa": true, "mfa_how": "webauthn"}, ans.Controls["C1"].Answers)
	assert.Equal(t, "file", ans.Controls["C2"].Answers["storage"])
	assert.Equal(t, "ops", ans.Controls["C2"].Owner)
	assert.Equal(t, "2026-09-01", ans.Controls["C2"].Due)
	assert.Equal(t, "no servers", ans.Controls["C3"].NotApplicable)
}

func TestAccessibleSaveFailureStops(t *testing.T) {
	ans := newAnswers(t)
	_, _, err := runAccessibleLines(t, ans, Options{Save: func(*answers.File) error { return errors.New("disk full") }},
		"y\n", "totp\n", "\n", "1\n", "0\n", "\n")
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrInterrupted)
	assert.Equal(t, "saving answers: disk full", err.Error())
}

func TestTUIEndOfInputStops(t *testing.T) {
	ans := newAnswers(t)
	d := startTUI(t, testChecklist(), ans, Options{})
	answerC1(d)
	d.at("C2", "storage")
	require.NoError(t, d.keys.Close()) // the terminal went away
	require.ErrorIs(t, d.end(), ErrInterrupted)
	assert.Contains(t, ans.Controls, "C1")
	assert.NotContains(t, ans.Controls, "C2")
}

func TestAskProjectAccessible(t *testing.T) {
	var out bytes.Buffer
	in := strings.NewReader(strings.Join([]string{
		"\n", "ACME Ltd\n", // organisation: empty refused
		"Checkout\n",
		"sec@acme, x\n", "sec@acme.example, ops@acme.example\n", // bad addresses, then good
		"1\n", // first built-in checklist
		"ftp://x\n", "https://pay.acme.example, https://api.acme.example/v1\n",
		"no-such-dir\n", ".\n", // source: a directory that exists
		"4\n", // signing key: not now
	}, ""))
	p, err := AskProject(context.Background(), Options{Accessible: true, In: in, Out: &out}, Project{})
	require.NoError(t, err, out.String())
	assert.Equal(t, Project{Organisation: "ACME Ltd", Integration: "Checkout",
		Contacts:  []string{"sec@acme.example", "ops@acme.example"},
		Checklist: "finhub",
		Targets:   []string{"https://pay.acme.example", "https://api.acme.example/v1"}, Source: ".", KeyAction: KeyNone}, p)
	assert.Contains(t, out.String(), "an answer is required")
	assert.Contains(t, out.String(), `"x" is not an e-mail address`)
	assert.Contains(t, out.String(), `"ftp://x" is not a URL`)
	assert.Contains(t, out.String(), `"no-such-dir" is not a directory`)

	// Defaults are kept on empty lines; the input ending early interrupts.
	key := filepath.Join(t.TempDir(), "team_ed25519")
	require.NoError(t, os.WriteFile(key, []byte("x"), 0o600))
	def := Project{Organisation: "ACME", Integration: "Pay", Contacts: []string{"a@b.example"}, Checklist: "turris", SignKey: key}
	p, err = AskProject(context.Background(), Options{Accessible: true, In: strings.NewReader("\n\n\n\n\n\n\n\n"), Out: &out}, def)
	require.NoError(t, err)
	def.KeyAction = KeyFile // a given key is an existing key
	assert.Equal(t, def, p)
	_, err = AskProject(context.Background(), Options{Accessible: true, In: strings.NewReader("ACME\n"), Out: &out}, Project{})
	require.ErrorIs(t, err, ErrInterrupted)
}

func TestValidators(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "doc.md"), []byte("x"), 0o600))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o700))
	empty := ""
	yes := func() bool { return true }
	ev := validateEvidence(dir, yes, &empty)
	assert.NoError(t, ev("doc.md"))
	assert.NoError(t, ev(filepath.Join(dir, "doc.md")))
	assert.EqualError(t, ev("doc.md, gone.md"), "gone.md: no such file")
	assert.EqualError(t, ev("sub"), "sub: is a directory, not a file")
	assert.EqualError(t, ev(" "), "this evidence is required for a passing answer: give the path to the file")
	assert.NoError(t, validateEvidence(dir, func() bool { return false }, &empty)(""))
	if os.Geteuid() != 0 { // root reads anything
		require.NoError(t, os.WriteFile(filepath.Join(dir, "secret.md"), []byte("x"), 0o000))
		assert.EqualError(t, ev("secret.md"), "secret.md: cannot read it")
	}

	date := validateDate(false, &empty)
	assert.NoError(t, date("2024-02-29"))
	assert.Error(t, date("2023-02-29"), "not a leap year")
	assert.Error(t, date("31/12/2024"))
	assert.ErrorIs(t, date(""), errRequired)
	assert.NoError(t, validateDate(true, &empty)(""))

	num := validateNumber(false, &empty)
	assert.NoError(t, num("1e3"))
	assert.NoError(t, num(" -2.5 "))
	assert.Error(t, num("12 days"))
	assert.ErrorIs(t, num(""), errRequired)
	def := "30"
	assert.NoError(t, validateNumber(false, &def)(""), "an empty line keeps the default")
}
