package interview

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/answers"
)

// Two questionnaires on one answers file: the second is refused while the
// first runs, and one started before the first finished keeps what the
// first saved instead of writing its stale copy over it.
func TestTwoSessionsOnOneAnswersFile(t *testing.T) {
	cl := testChecklist()
	ansA := newAnswers(t)
	path := ansA.Path

	// Session A answers C1 (saved through the real answers.Save), then waits at C2.
	in, keys := io.Pipe()
	saved := make(chan struct{}, 10)
	done := make(chan error, 1)
	var outA bytes.Buffer
	go func() {
		done <- Run(context.Background(), cl, ansA, Options{Accessible: true, In: in, Out: &outA,
			Now: func() time.Time { return fixedNow },
			Save: func(f *answers.File) error {
				err := answers.Save(f)
				saved <- struct{}{}
				return err
			}})
	}()
	t.Cleanup(func() { keys.Close() })
	fmt.Fprint(keys, "y\n", "totp\n", "\n")
	select {
	case <-saved:
	case <-time.After(20 * time.Second):
		t.Fatal("session A did not save C1")
	}
	assert.FileExists(t, answers.LockPath(path))

	// Session B loads the file as it is now (C1 only) and is refused.
	ansB, err := answers.LoadFor(path, cl)
	require.NoError(t, err)
	require.Len(t, ansB.Controls, 1)
	_, savesB, err := runAccessibleLines(t, ansB, Options{Save: answers.Save}, "n\n", "\n")
	var locked *answers.LockedError
	require.True(t, errors.As(err, &locked), "%v", err)
	assert.Contains(t, err.Error(), path+" is in use by another selfassess session (pid ")
	assert.Zero(t, savesB)

	// A finishes every control.
	fmt.Fprint(keys, "1\n", "0\n", "\n", "y\n", "90\n", "2025-11-02\n", "report.pdf\n", "\n")
	select {
	case err := <-done:
		require.NoError(t, err, outA.String())
	case <-time.After(20 * time.Second):
		t.Fatal("session A did not finish")
	}
	assert.NoFileExists(t, answers.LockPath(path), "the lock ends with the session")

	// B's copy is stale (C1 only); run now, it works from what A saved.
	out, savesB, err := runAccessibleLines(t, ansB, Options{Save: answers.Save})
	require.NoError(t, err, out)
	assert.Zero(t, savesB)
	assert.Contains(t, out, "All 3 controls that need an answer are answered")
	onDisk, err := answers.LoadFor(path, cl)
	require.NoError(t, err)
	assert.Len(t, onDisk.Controls, 3, "no answer lost")
	assert.Equal(t, map[string]any{"mfa": true, "mfa_how": "totp"}, onDisk.Controls["C1"].Answers)
	assert.Equal(t, map[string]any{"storage": "vault", "methods": []string{}}, onDisk.Controls["C2"].Answers)
	_, err = os.Stat(answers.LockPath(path))
	assert.True(t, os.IsNotExist(err))
}
