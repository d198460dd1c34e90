package submission

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/selfassess/selfassess/internal/input"
)

func noEnv(string) string { return "" }

// What keygen refuses is the user's to fix (exit 2), named by its flag,
// and nothing is written.
func TestNewKeyRefusesBadRequests(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		key  NewKey
		want string
	}{
		{"a .pub private key", NewKey{Path: filepath.Join(dir, "k.pub")},
			"--out " + filepath.Join(dir, "k.pub") + ": the private key's path must not end in .pub"},
		{"passphrase variable unset", NewKey{Path: filepath.Join(dir, "k"), PassphraseEnv: "NOPE"},
			"--passphrase-env: NOPE is not set or empty"},
		{"unknown type", NewKey{Path: filepath.Join(dir, "k"), Type: "dsa"},
			`--type "dsa": want one of ecdsa, ed25519, rsa`},
		{"no type", NewKey{Path: filepath.Join(dir, "k")}, `--type "": want one of ecdsa, ed25519, rsa`},
	} {
		_, err := c.key.Write(noEnv)
		var p *input.Problem
		if assert.ErrorAs(t, err, &p, c.name) {
			assert.Equal(t, c.want, err.Error(), c.name)
		}
		assert.NoFileExists(t, c.key.Path, c.name)
	}
}

func TestNewKeyWritesThePair(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keys", "team")
	kp, err := NewKey{Path: path, Type: KeyEd25519, Comment: "ci@acme"}.Write(noEnv)
	require.NoError(t, err)
	priv, err := os.ReadFile(path)
	require.NoError(t, err)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	pub, err := os.ReadFile(path + ".pub")
	require.NoError(t, err)
	assert.Equal(t, kp.Public, pub)
	k, comment, _, _, err := ssh.ParseAuthorizedKey(pub)
	require.NoError(t, err)
	assert.Equal(t, ssh.KeyAlgoED25519, k.Type())
	assert.Equal(t, "ci@acme", comment)
	_, err = ssh.ParseRawPrivateKey(priv)
	assert.NoError(t, err, "no passphrase: not encrypted")

	// existing files are kept unless Force
	_, err = NewKey{Path: path, Type: KeyECDSA}.Write(noEnv)
	var p *input.Problem
	require.ErrorAs(t, err, &p)
	assert.Equal(t, path+" already exists", err.Error())
	again, err := NewKey{Path: path, Type: KeyECDSA, Force: true}.Write(noEnv)
	require.NoError(t, err)
	assert.NotEqual(t, kp.Public, again.Public)
	k, _, _, _, err = ssh.ParseAuthorizedKey(again.Public)
	require.NoError(t, err)
	assert.Equal(t, ssh.KeyAlgoECDSA256, k.Type(), "the default type")
}

func TestNewKeyEncryptsWithThePassphraseFromTheEnvironment(t *testing.T) {
	path := filepath.Join(t.TempDir(), "enc")
	env := map[string]string{"KEYPASS": "open-sesame-4711"}
	_, err := NewKey{Path: path, Type: KeyECDSA, PassphraseEnv: "KEYPASS"}.Write(func(k string) string { return env[k] })
	require.NoError(t, err)
	priv, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.NotContains(t, string(priv), "open-sesame")
	_, err = ssh.ParseRawPrivateKey(priv)
	var missing *ssh.PassphraseMissingError
	require.ErrorAs(t, err, &missing)
	_, err = ssh.ParseRawPrivateKeyWithPassphrase(priv, []byte("open-sesame-4711"))
	assert.NoError(t, err)
}

// A file where the key's folder should be is a failure to write, not a
// request to fix (exit 3), and names the key.
func TestNewKeyWriteFailureIsNotAProblem(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "file"), nil, 0o644))
	path := filepath.Join(dir, "file", "key")
	_, err := NewKey{Path: path, Type: KeyECDSA}.Write(noEnv)
	require.Error(t, err)
	var p *input.Problem
	assert.False(t, errors.As(err, &p), "%v", err)
	assert.Contains(t, err.Error(), "writing "+path+": ")
}
