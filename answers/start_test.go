package answers

import (
	"errors"
	"os"
	"os/user"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/internal/input"
)

// A missing answers file: refused in CI (named or not) unless unanswered
// controls are allowed; outside CI a fresh file, if its folder exists.
func TestStartMissingFile(t *testing.T) {
	cl := testChecklist()
	dir := t.TempDir()
	missing := filepath.Join(dir, "answers.yaml")
	abs, _ := filepath.Abs(dir)

	_, _, err := Start(missing, cl, StartOptions{CI: true, Named: true, AllowUnanswered: true})
	assert.EqualError(t, err, "--answers "+missing+": file not found")
	assert.True(t, errors.As(err, new(*input.Problem)))

	_, _, err = Start(missing, cl, StartOptions{CI: true})
	assert.EqualError(t, err, "no answers file: answers.yaml does not exist in "+abs)
	var p *input.Problem
	require.ErrorAs(t, err, &p)
	assert.Contains(t, p.Hint, "--allow-unanswered")

	f, note, err := Start(missing, cl, StartOptions{CI: true, AllowUnanswered: true})
	require.NoError(t, err)
	assert.Equal(t, missing+" does not exist; every question is unanswered", note)
	assert.Equal(t, missing, f.Path)
	assert.Empty(t, f.Controls)

	f, note, err = Start(missing, cl, StartOptions{})
	require.NoError(t, err)
	assert.Empty(t, note)
	assert.Equal(t, cl.ID, f.Checklist)
	require.NoError(t, Save(f), "the fresh file knows the checklist order")
	_, err = os.Stat(missing)
	assert.NoError(t, err)

	noDir := filepath.Join(dir, "nodir", "answers.yaml")
	_, _, err = Start(noDir, cl, StartOptions{})
	assert.EqualError(t, err, "--answers "+noDir+": directory "+filepath.Dir(noDir)+" does not exist")
	assert.True(t, errors.As(err, new(*input.Problem)))
}

// An existing file is loaded; its problems are LoadFor's, not a Problem.
func TestStartExistingFile(t *testing.T) {
	cl := testChecklist()
	p := filepath.Join(t.TempDir(), "answers.yaml")
	require.NoError(t, os.WriteFile(p, []byte("schema: selfassess/answers/v1\nchecklist: demo\ncontrols:\n  C-1: {not_applicable: no payments here}\n"), 0o644))
	f, note, err := Start(p, cl, StartOptions{CI: true, Named: true})
	require.NoError(t, err)
	assert.Empty(t, note)
	assert.Equal(t, "no payments here", f.Controls["C-1"].NotApplicable)

	require.NoError(t, os.WriteFile(p, []byte("schema: selfassess/answers/v1\nchecklist: demo\ncontrols:\n  C-9: {}\n"), 0o644))
	_, _, err = Start(p, cl, StartOptions{CI: true})
	var errs *Errors
	assert.ErrorAs(t, err, &errs)
}

func TestAuthor(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	assert.Equal(t, "ana", Author(env(map[string]string{"USER": "ana", "LOGNAME": "bo"})))
	assert.Equal(t, "bo", Author(env(map[string]string{"LOGNAME": "bo"})))
	want := ""
	if u, err := user.Current(); err == nil {
		want = u.Username
	}
	assert.Equal(t, want, Author(env(nil)))
}
