package answers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/checklist"
)

func testChecklist() *checklist.Checklist {
	yes := true
	return &checklist.Checklist{ID: "demo", Sections: []checklist.Section{{ID: "auth", Controls: []checklist.Control{
		{ID: "C-2", Questions: []checklist.Question{
			{ID: "uses_cookies", Type: checklist.Confirm},
			{ID: "flags", Type: checklist.MultiSelect, When: &checklist.Condition{Question: "uses_cookies", Equals: &yes},
				Options: []checklist.Option{{Value: "secure"}, {Value: "httponly"}}},
			{ID: "comment", Type: checklist.Text, Optional: true},
		}},
		{ID: "C-1", AllowNotApplicable: true, Questions: []checklist.Question{
			{ID: "store", Type: checklist.Select, Options: []checklist.Option{{Value: "cookie"}, {Value: "memory"}}},
			{ID: "reviewed", Type: checklist.Date},
			{ID: "days", Type: checklist.Number},
		}},
		{ID: "P-1", Probes: []string{"tls.versions"}},
	}}}}
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func TestLoadValidateErrorsHavePositions(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "answers.yaml", `schema: selfassess/answers/v1
checklist: demo
controls:
  C-2:
    answers:
      uses_cookies: "yes"
      nope: 1
  C-1:
    answers:
      store: disk
      reviewed: 2026-13-01
      days: many
  C-9: {}
  P-1:
    not_applicable: no web front end
    evidence: [missing.pdf]
`)
	f, err := Load(p)
	require.NoError(t, err)
	err = Validate(f, testChecklist())
	require.Error(t, err)
	got := err.(*Errors).Lines()
	want := []string{
		p + `:6:21: controls.C-2.answers.uses_cookies: a yes/no question needs true or false, got "yes"`,
		p + `:7:13: controls.C-2.answers.nope: unknown question: control C-2 has questions [uses_cookies, flags, comment]`,
		p + `:10:14: controls.C-1.answers.store: "disk" is not an option; choose one of [cookie, memory]`,
		p + `:11:17: controls.C-1.answers.reviewed: a date question needs a date YYYY-MM-DD, got "2026-13-01"`,
		p + `:12:13: controls.C-1.answers.days: a number question needs a number, got "many"`,
		p + `:13:3: controls.C-9: unknown control: checklist demo has no control "C-9"`,
		p + `:15:21: controls.P-1.not_applicable: control P-1 cannot be not applicable; answer its questions`,
		p + `:16:16: controls.P-1.evidence[0]: evidence file missing.pdf not found`,
	}
	assert.Equal(t, want, got)
}

func TestParseStructuralErrorsAllAtOnce(t *testing.T) {
	_, err := Parse("a.yaml", []byte(`schema: selfassess/answers/v2
controls:
  C-1:
    answer: {}
    evidence: notalist
    due: tomorrow
  C-1: {}
extra: 1
`))
	require.Error(t, err)
	assert.Equal(t, strings.Join(err.(*Errors).Lines(), "\n"), strings.Join([]string{
		`a.yaml:1:9: schema: must be "selfassess/answers/v1", got "selfassess/answers/v2"`,
		`a.yaml:4:5: controls.C-1.answer: unknown field (known: answered_at, answered_by, answers, due, evidence, evidence_with_secrets, false_positives, not_applicable, note, owner, review_response)`,
		`a.yaml:5:15: controls.C-1.evidence: expected a list of file paths, got the string "notalist"`,
		`a.yaml:6:10: controls.C-1.due: must be a date YYYY-MM-DD, got "tomorrow"`,
		`a.yaml:7:3: controls.C-1: duplicate control`,
		`a.yaml:8:1: extra: unknown field (known: checklist, controls, schema)`,
		`a.yaml:1:1: checklist: missing; name the checklist id the answers are for (e.g. checklist: finhub)`,
	}, "\n"))
	assert.Contains(t, err.Error(), "(and 6 more errors)")
}

func TestParseSyntaxErrorAndEmpty(t *testing.T) {
	_, err := Parse("a.yaml", []byte("schema: x\n  bad: [\n"))
	require.Error(t, err)
	assert.EqualError(t, err, "a.yaml:2:6: invalid YAML: mapping values are not allowed in this context")
	// a parser error (yaml/v3 counts its lines from 0): the right line all the same
	_, err = Parse("b.yaml", []byte("schema: selfassess/answers/v1\ncontrols:\n  C-1:\n    evidence: [a.pdf, b.pdf\n"))
	assert.EqualError(t, err, `b.yaml:4:16: invalid YAML: did not find expected ',' or ']'`)
	_, err = Parse("e.yaml", nil)
	assert.EqualError(t, err, "e.yaml:1:1: file is empty; expected schema: selfassess/answers/v1")
}

func TestRoundTripStableAndOrdered(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "arch.pdf", "x")
	f := New(filepath.Join(dir, "answers.yaml"), "demo")
	f.Controls["C-1"] = &Control{Answers: map[string]any{"days": 30, "reviewed": "2026-01-31", "store": "cookie"},
		Evidence: []string{"arch.pdf"}, Note: "two\nlines", AnsweredBy: "ana", AnsweredAt: time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)}
	f.Controls["C-2"] = &Control{Answers: map[string]any{"uses_cookies": true, "flags": []string{"secure", "httponly"}, "comment": "yes"}}
	require.NoError(t, Validate(f, testChecklist()))
	require.NoError(t, Save(f))
	first, err := os.ReadFile(f.Path)
	require.NoError(t, err)
	// checklist order (C-2 before C-1), question order, a date quoted so
	// it reads back as text
	assert.Equal(t, `schema: selfassess/answers/v1
checklist: demo
controls:
  C-2:
    answers:
      uses_cookies: true
      flags: [secure, httponly]
      comment: yes
  C-1:
    answers:
      store: cookie
      reviewed: "2026-01-31"
      days: 30
    note: |-
      two
      lines
    evidence:
      - arch.pdf
    answered_by: ana
    answered_at: 2026-01-31T10:00:00Z
`, string(first))

	g, err := Load(f.Path)
	require.NoError(t, err)
	require.NoError(t, Validate(g, testChecklist()))
	assert.Equal(t, true, g.Controls["C-2"].Answers["uses_cookies"])
	assert.Equal(t, "yes", g.Controls["C-2"].Answers["comment"])
	assert.Equal(t, 30.0, g.Controls["C-1"].Answers["days"])
	assert.Equal(t, f.Controls["C-1"].AnsweredAt, g.Controls["C-1"].AnsweredAt)
	require.NoError(t, Save(g))
	second, err := os.ReadFile(f.Path)
	require.NoError(t, err)
	assert.Equal(t, string(first), string(second))
}

func TestSaveKeepsModeAndLeavesNoTempFiles(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "answers.yaml", "old")
	require.NoError(t, os.Chmod(p, 0o600))
	f := New(p, "demo")
	require.NoError(t, Save(f))
	st, err := os.Stat(p)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1)
	b, _ := os.ReadFile(p)
	assert.Equal(t, "schema: selfassess/answers/v1\nchecklist: demo\ncontrols: {}\n", string(b))

	// a directory that cannot be written: the old file is untouched
	f.Path = filepath.Join(dir, "nodir", "answers.yaml")
	assert.Error(t, Save(f))
}

func TestMissingQuestionsFollowsConditionsAndOptional(t *testing.T) {
	cl := testChecklist()
	c2, _ := cl.Control("C-2")
	c1, _ := cl.Control("C-1")
	tests := []struct {
		name string
		ctl  *checklist.Control
		ans  *Control
		want []string
	}{
		{"nothing answered: condition's question unanswered so flags not asked", c2, nil, []string{"uses_cookies"}},
		{"condition false: flags not needed", c2, &Control{Answers: map[string]any{"uses_cookies": false}}, nil},
		{"condition true: flags needed", c2, &Control{Answers: map[string]any{"uses_cookies": true}}, []string{"flags"}},
		{"optional never blocks", c2, &Control{Answers: map[string]any{"uses_cookies": true, "flags": []string{}}}, nil},
		{"not applicable where allowed", c1, &Control{NotApplicable: "no UI"}, nil},
		{"blank text is no answer", c1, &Control{Answers: map[string]any{"store": "cookie", "reviewed": " ", "days": 3.0}}, []string{"reviewed"}},
		{"partly answered", c1, &Control{Answers: map[string]any{"store": "cookie"}}, []string{"reviewed", "days"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, MissingQuestions(tt.ctl, tt.ans))
		})
	}
	f := New("", "demo")
	f.Controls["C-1"] = &Control{NotApplicable: "n/a"}
	assert.Equal(t, []string{"C-2"}, Unanswered(cl, f))
}

func TestLoadForReportsParseAndChecklistProblemsTogether(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "answers.yaml", `schema: selfassess/answers/v1
checklist: demo
controls:
  C-2:
    answers:
      uses_cookies: maybe
    colour: red
  C-1:
    answers:
      store: [cookie]
`)
	_, err := LoadFor(p, testChecklist())
	require.Error(t, err)
	assert.Equal(t, []string{
		p + `:6:21: controls.C-2.answers.uses_cookies: a yes/no question needs true or false, got "maybe"`,
		p + `:7:5: controls.C-2.colour: unknown field (known: answered_at, answered_by, answers, due, evidence, evidence_with_secrets, false_positives, not_applicable, note, owner, review_response)`,
		p + `:10:14: controls.C-1.answers.store: a select question needs one of [cookie, memory], got a list`,
	}, err.(*Errors).Lines())

	_, err = LoadFor(filepath.Join(dir, "none.yaml"), testChecklist())
	assert.True(t, IsNotExist(err))
}

func TestMultiselectErrorPointsAtTheWrongValue(t *testing.T) {
	p := write(t, t.TempDir(), "answers.yaml", `schema: selfassess/answers/v1
checklist: demo
controls:
  C-2:
    answers:
      uses_cookies: true
      flags:
        - secure
        - bogus
`)
	_, err := LoadFor(p, testChecklist())
	require.Error(t, err)
	assert.Equal(t, []string{p + `:9:11: controls.C-2.answers.flags[1]: "bogus" is not an option; choose from [secure, httponly]`},
		err.(*Errors).Lines())
}

// A missing answers file is told apart from a bad one.
func TestLoadMissing(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "none.yaml"))
	assert.True(t, IsNotExist(err))
}

// A hand-written file's comments survive a save by the questionnaire: they
// stay on the fields they were written next to, and a new answer slots in.
func TestSaveKeepsComments(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "answers.yaml", `# Answers for the demo review.
# Owner: platform team
schema: selfassess/answers/v1
checklist: demo
controls:
  # cookies: decided in ADR-12
  C-2:
    answers:
      uses_cookies: true # the session cookie only
      flags: [secure, httponly]
  C-1:
    answers:
      store: cookie
    note: ask security # before the review
`)
	f, err := LoadFor(p, testChecklist())
	require.NoError(t, err)
	f.Controls["C-1"].Answers["days"] = 30
	require.NoError(t, Save(f))
	got, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, `# Answers for the demo review.
# Owner: platform team
schema: selfassess/answers/v1
checklist: demo
controls:
  # cookies: decided in ADR-12
  C-2:
    answers:
      uses_cookies: true # the session cookie only
      flags: [secure, httponly]
  C-1:
    answers:
      store: cookie
      days: 30
    note: ask security # before the review
`, string(got))
	// and again: stable
	g, err := LoadFor(p, testChecklist())
	require.NoError(t, err)
	require.NoError(t, Save(g))
	again, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, string(got), string(again))
}

// A session starting on the file removes what a killed session's save left.
func TestLockRemovesStaleTemps(t *testing.T) {
	dir := t.TempDir()
	f := New(filepath.Join(dir, "answers.yaml"), "t")
	stale := filepath.Join(dir, ".answers.yaml.1234567.tmp")
	require.NoError(t, os.WriteFile(stale, []byte("half"), 0o644))
	old := time.Now().Add(-time.Hour)
	require.NoError(t, os.Chtimes(stale, old, old))
	release, err := Lock(f, &checklist.Checklist{ID: "t"})
	require.NoError(t, err)
	assert.NoFileExists(t, stale)
	require.NoError(t, release())
}
