package cmd

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

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

// Runs started together on one --out (issue 10.5): each either writes the
// package or is refused (exit 2, naming the holder); the package left is
// always whole: folder and zip verify.
func TestConcurrentRunsOnOneOut(t *testing.T) {
	dir := t.TempDir()
	cl := filepath.Join(dir, "acme.yaml")
	require.NoError(t, os.WriteFile(cl, []byte(ownerChecklist), 0o644))
	ans := filepath.Join(dir, "answers.yaml")
	require.NoError(t, os.WriteFile(ans, []byte("schema: selfassess/answers/v1\nchecklist: acme\ncontrols:\n  ACME-OWNER:\n    answers: {owner: Head of Platform}\n  ACME-REVIEW:\n    answers: {reviewed: true}\n"), 0o644))
	// a larger evidence file makes each build take a while
	require.NoError(t, os.WriteFile(filepath.Join(dir, "big.bin"), bytes.Repeat([]byte("evidence\n"), 2<<20), 0o644))
	kp, err := submission.GenerateKey(nil, "")
	require.NoError(t, err)
	key := filepath.Join(dir, "team")
	require.NoError(t, submission.WriteKeyPair(key, kp, false))
	pub, _, _, _, err := ssh.ParseAuthorizedKey(kp.Public)
	require.NoError(t, err)
	out := filepath.Join(dir, "out")
	args := []string{"run", "--checklist", cl, "--answers", ans, "--sign-key", key, "--out", out}
	refused := 0
	for round := 0; round < 3; round++ {
		var wg sync.WaitGroup
		codes := make([]int, 3)
		errs := make([]*bytes.Buffer, 3)
		for i := range codes {
			wg.Add(1)
			errs[i] = &bytes.Buffer{}
			go func() {
				defer wg.Done()
				codes[i] = MainWith(args, TestIO(nil, io.Discard, errs[i], nil))
			}()
		}
		wg.Wait()
		wrote := 0
		for i, c := range codes {
			switch c {
			case ExitOK:
				wrote++
			case ExitUsage:
				refused++
				assert.Regexp(t, `--out .*out is in use by another selfassess session \(pid \d+`, errs[i].String())
			default:
				t.Fatalf("exit %d: %s", c, errs[i])
			}
		}
		assert.GreaterOrEqual(t, wrote, 1)
		for _, p := range []string{out, out + ".zip"} {
			res, err := submission.Verify(p, submission.TrustedKeys{Keys: []ssh.PublicKey{pub}})
			require.NoError(t, err)
			assert.True(t, res.OK(), "round %d, %s: %+v", round, p, res)
		}
	}
	t.Logf("%d of 9 runs were refused by the lock", refused)
}
