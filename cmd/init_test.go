package cmd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/selfassess/selfassess/project"
)

func TestInitInteractiveAsksAndWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "selfassess.yaml")
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	// organisation, integration, contacts, checklist (accessible select: the
	// option number; 1 is finhub), targets, source (none), signing key (4: not now)
	code := MainWith([]string{"init", "--config", path},
		terminalIO("Acme Ltd\nAcme Checkout\nsecurity@acme.example\n1\nhttps://checkout.acme.example\n\n4\n", out, errOut))
	require.Equal(t, ExitOK, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	cfg, err := project.Parse(path, b)
	require.NoError(t, err)
	assert.Equal(t, "Acme Ltd", cfg.Organisation)
	assert.Equal(t, "Acme Checkout", cfg.Integration)
	assert.Equal(t, []string{"security@acme.example"}, cfg.Contacts)
	assert.Equal(t, "finhub", cfg.Checklist)
	assert.Equal(t, []string{"https://checkout.acme.example"}, cfg.Targets)
	assert.Empty(t, cfg.Source)
	assert.Empty(t, cfg.SignKey)
	assert.Contains(t, errOut.String(), "selfassess: warning: no signing key: packages will be unsigned")

	// interrupted (input ends): nothing written
	path2 := filepath.Join(t.TempDir(), "selfassess.yaml")
	code = MainWith([]string{"init", "--config", path2}, terminalIO("Acme Ltd\n", out, errOut))
	assert.Equal(t, ExitUsage, code)
	assert.NoFileExists(t, path2)
}

// init offers to create the signing key, writes its path into
// selfassess.yaml and prints the public key and fingerprint for the
// provider; or it references an existing key (here: one in ssh-agent).
func TestInitCreatesOrReferencesTheSigningKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "selfassess.yaml")
	key := filepath.Join(dir, "keys", "team_ed25519")
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	code := MainWith([]string{"init", "--config", path},
		terminalIO("Acme Ltd\nAcme Checkout\nsecurity@acme.example\n1\n\n\n1\n"+key+"\n", out, errOut))
	require.Equal(t, ExitOK, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	cfg, err := project.Load(path)
	require.NoError(t, err)
	assert.Equal(t, key, cfg.SignKey)
	fi, err := os.Stat(key)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	pub, err := os.ReadFile(key + ".pub")
	require.NoError(t, err)
	k, _, _, _, err := ssh.ParseAuthorizedKey(pub)
	require.NoError(t, err)
	assert.Contains(t, out.String(), "Send this public key to the provider's reviewer")
	assert.Contains(t, out.String(), strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))))
	assert.Contains(t, out.String(), "fingerprint: "+ssh.FingerprintSHA256(k))
	assert.NotContains(t, out.String()+errOut.String(), "PRIVATE KEY")

	// the same key again, now as a reference to a key held by ssh-agent
	path2 := filepath.Join(dir, "other.yaml")
	out.Reset()
	code = MainWith([]string{"init", "--config", path2},
		terminalIO("Acme Ltd\nAcme Checkout\nsecurity@acme.example\n1\n\n\n3\n"+key+".pub\n", out, errOut))
	require.Equal(t, ExitOK, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	cfg, err = project.Load(path2)
	require.NoError(t, err)
	assert.Equal(t, key+".pub", cfg.SignKey)
	assert.Contains(t, out.String(), "fingerprint: "+ssh.FingerprintSHA256(k))
}
