package submission

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"
)

// What verify prints: an intact package by a trusted key, the same
// against its own allowed_signers only, and a tampered one with a file
// whose name would drive the terminal.
func TestWriteReport(t *testing.T) {
	s := testSigner(t)
	dir, _ := buildPackage(t, s)
	fp := ssh.FingerprintSHA256(s.PublicKey())
	report := func(trust TrustedKeys) string {
		res, err := Verify(dir, trust)
		require.NoError(t, err)
		var b strings.Builder
		res.WriteReport(&b)
		return b.String()
	}
	out := report(trustOf(s))
	assert.Contains(t, out, "files:   6 of 6 listed files match SHA256SUMS\n")
	assert.Contains(t, out, "signature: valid, by "+s.PublicKey().Type()+" key "+fp+" (checked against test key)\n")
	assert.True(t, strings.HasSuffix(out, "result:  OK — intact and signed by a key you trust\n"), out)
	assert.True(t, strings.HasSuffix(report(TrustedKeys{}), "result:  OK — intact, but checked only against the key the package names itself\n"))

	require.NoError(t, os.WriteFile(filepath.Join(dir, "report.md"), []byte("changed"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "x\x1b[2Jy"), []byte("extra"), 0o644))
	out = report(trustOf(s))
	assert.Contains(t, out, "MODIFIED  report.md (hash does not match SHA256SUMS)\n")
	assert.Contains(t, out, "EXTRA     \"x\\x1b[2Jy\" (not listed in SHA256SUMS)\n")
	assert.Contains(t, out, "files:   5 of 6 listed files match SHA256SUMS\n")
	assert.True(t, strings.HasSuffix(out, "result:  FAILED — do not trust this package\n"), out)
}
