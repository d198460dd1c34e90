package cmd

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/submission"
)

// A key others can read is refused before the first question, not after
// the whole questionnaire (issue 10.11).
func TestRunInteractiveChecksKeyBeforeFirstQuestion(t *testing.T) {
	dir := t.TempDir()
	cl := filepath.Join(dir, "acme.yaml")
	require.NoError(t, os.WriteFile(cl, []byte(ownerChecklist), 0o644))
	kp, err := submission.GenerateKey(nil, "")
	require.NoError(t, err)
	key := filepath.Join(dir, "team")
	require.NoError(t, submission.WriteKeyPair(key, kp, false))
	require.NoError(t, os.Chmod(key, 0o640))
	ansPath := filepath.Join(dir, "answers.yaml")
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	code := MainWith([]string{"run", "--checklist", cl, "--answers", ansPath, "--sign-key", key, "--out", filepath.Join(dir, "out")},
		terminalIO("Head of Platform\n\ny\n\n", out, errOut))
	assert.Equal(t, ExitUsage, code)
	assert.Contains(t, errOut.String(), "private key is accessible by group or others (mode 0640)")
	assert.NotContains(t, out.String(), "Who owns security findings", "no question before the key is checked")
	assert.NoFileExists(t, ansPath)

	// the same run with the key fixed asks and signs
	require.NoError(t, os.Chmod(key, 0o600))
	out.Reset()
	errOut.Reset()
	code = MainWith([]string{"run", "--checklist", cl, "--answers", ansPath, "--sign-key", key, "--out", filepath.Join(dir, "out")},
		terminalIO("Head of Platform\n\ny\n\n", out, errOut))
	assert.Equal(t, ExitOK, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Contains(t, out.String(), "Who owns security findings")
	assert.Contains(t, out.String(), "Signed by "+kp.Fingerprint)
}
