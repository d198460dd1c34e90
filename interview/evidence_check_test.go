package interview

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/answers"
)

// Options.CheckEvidence refuses a path when it is entered (issue 10.2),
// with the path as the answers file will hold it and the team's opt-in.
func TestAccessibleEvidenceVettedWhenEntered(t *testing.T) {
	ans := newAnswers(t)
	dir := filepath.Dir(ans.Path)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "key.pem"), []byte("x"), 0o600))
	type call struct {
		control, path string
		allow         bool
	}
	var calls []call
	check := func(control, p string, allow bool) error {
		calls = append(calls, call{control, p, allow})
		if p == "key.pem" && !allow {
			return errors.New("key.pem: holds a private key (line 1); a key is never evidence")
		}
		return nil
	}
	out, _, err := runAccessibleLines(t, ans, Options{CheckEvidence: check},
		"y\n", "totp\n", "\n",
		"2\n", "1\n", "3\n", "0\n", "\n", "bob\n", "2026-06-30\n",
		// C3: the key is refused where it is typed (given as an absolute path), then the report
		"y\n", "90\n", "2025-11-02\n", filepath.Join(dir, "key.pem")+"\n", "report.pdf\n", "\n",
	)
	require.NoError(t, err, out)
	assert.Contains(t, out, "key.pem: holds a private key (line 1); a key is never evidence")
	assert.Equal(t, []string{"report.pdf"}, ans.Controls["C3"].Evidence)
	assert.Contains(t, calls, call{"C3", "key.pem", false}, "the path is checked as the answers file stores it")
	assert.Contains(t, calls, call{"C3", "report.pdf", false})
}

// A file the team listed under evidence_with_secrets is accepted, and the
// opt-in is kept with it when the control is answered again.
func TestAccessibleEvidenceOptInKept(t *testing.T) {
	ans := newAnswers(t)
	dir := filepath.Dir(ans.Path)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "key.pem"), []byte("x"), 0o600))
	ans.Controls["C3"] = &answers.Control{Evidence: []string{"key.pem"}, EvidenceWithSecrets: []string{"key.pem", "gone.pem"}}
	check := func(control, p string, allow bool) error {
		if !allow {
			return errors.New("refused")
		}
		return nil
	}
	out, _, err := runAccessibleLines(t, ans, Options{CheckEvidence: check},
		"y\n", "totp\n", "\n",
		"2\n", "1\n", "3\n", "0\n", "\n", "bob\n", "2026-06-30\n",
		"y\n", "90\n", "2025-11-02\n", "\n", "\n", // the evidence as it was
	)
	require.NoError(t, err, out)
	assert.NotContains(t, out, "refused")
	assert.Equal(t, []string{"key.pem"}, ans.Controls["C3"].Evidence)
	assert.Equal(t, []string{"key.pem"}, ans.Controls["C3"].EvidenceWithSecrets, "kept for the file still given, dropped for the one gone")
}
