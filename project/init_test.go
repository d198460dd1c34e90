package project

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/input"
	"github.com/selfassess/selfassess/submission"
)

// problem asserts err is the user's to fix and returns its hint.
func problem(t *testing.T, err error, msg string) string {
	t.Helper()
	var p *input.Problem
	require.ErrorAs(t, err, &p)
	assert.Equal(t, msg, err.Error())
	return p.Hint
}

func TestFind(t *testing.T) {
	t.Chdir(t.TempDir())
	c, err := Find("")
	require.NoError(t, err)
	assert.Equal(t, &Config{}, c, "no ./selfassess.yaml: no settings")

	hint := problem(t, func() error { _, err := Find("other.yaml"); return err }(), "--config: other.yaml: no such file or directory")
	assert.Equal(t, "create one with 'selfassess init'", hint)

	require.NoError(t, os.WriteFile(DefaultFile, []byte("checklist: fincode\n"), 0o644))
	c, err = Find("")
	require.NoError(t, err)
	assert.Equal(t, "fincode", c.Checklist)

	require.NoError(t, os.WriteFile("bad.yaml", []byte("colour: blue\nfail_on: x\n"), 0o644))
	_, err = Find("bad.yaml")
	var ce *input.Errors
	require.ErrorAs(t, err, &ce, "every problem of the file, positioned")
	assert.Len(t, ce.List, 2)
}

func TestFlagFor(t *testing.T) {
	for setting, flag := range map[string]string{
		"contacts[1]": "--contact", "targets[0]": "--target", "output": "--out",
		"fail_on": "--fail-on", "sign_key": "--sign-key", "webhook_url": "--webhook-url", "organisation": "--organisation",
	} {
		assert.Equal(t, flag, FlagFor(setting), setting)
	}
}

func TestCheckFlags(t *testing.T) {
	hint := problem(t, (&Config{Organisation: "X"}).CheckFlags(), "missing --integration, --checklist, --contact")
	assert.Contains(t, hint, "in CI mode every setting comes from flags")
	assert.NoError(t, (&Config{Organisation: "X", Integration: "Y", Checklist: "finhub", Contacts: []string{"a@b.example"}}).CheckFlags())
}

func TestCheckChecklist(t *testing.T) {
	dir := t.TempDir()
	assert.NoError(t, CheckChecklist("finhub"))

	hint := problem(t, CheckChecklist("finhubb"), `--checklist: "finhubb" is neither a built-in checklist nor a file`)
	assert.Contains(t, hint, "built-in checklists: finhub, fincode")

	good := filepath.Join(dir, "mine.yaml")
	src, err := checklist.BuiltinSource("baseline")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(good, src, 0o644))
	assert.NoError(t, CheckChecklist(good))

	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("id: x\nbogus: 1\n"), 0o644))
	err = CheckChecklist(bad)
	var p *input.Problem
	require.ErrorAs(t, err, &p)
	assert.True(t, strings.HasPrefix(err.Error(), "--checklist "+bad+": "+bad+":"), err.Error())
	assert.Equal(t, "check it with 'selfassess checklist validate "+bad+"'", p.Hint)
}

// Encode writes what Parse reads back, and refuses, by its flag, what run
// would refuse.
func TestEncode(t *testing.T) {
	t.Chdir(t.TempDir())
	c := Config{Organisation: "Acme", Integration: "Checkout", Contacts: []string{"a@b.example"}, Checklist: "finhub",
		Targets: []string{"https://x.example"}, Output: "reports"}
	data, err := c.Encode(filepath.Join("sub", DefaultFile))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join("..", "reports"), c.Output, "paths are rewritten relative to the file")
	back, err := Parse(filepath.Join("sub", DefaultFile), data)
	require.NoError(t, err)
	assert.Equal(t, []string{"https://x.example"}, back.Targets)

	for _, bad := range []struct {
		c    Config
		want string
	}{
		{Config{Contacts: []string{"a@b.example", "nobody"}}, `--contact: "nobody" is not an e-mail address`},
		{Config{Targets: []string{"ftp://host"}}, `--target: "ftp://host": scheme must be https or http`},
		{Config{FailOn: "severe"}, `--fail-on: must be one of critical, high, medium, low, got "severe"`},
		{Config{WebhookURL: "https://u:p@x.example"}, `--webhook-url: "https://u:p@x.example": credentials in URLs are not accepted; use --header-env`},
	} {
		_, err := bad.c.Encode(DefaultFile)
		problem(t, err, bad.want)
	}
	_, err = (&Config{SignKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHiddenKeyMaterialXyZ"}).Encode(DefaultFile)
	var p *input.Problem
	require.ErrorAs(t, err, &p)
	assert.True(t, strings.HasPrefix(err.Error(), "--sign-key: holds a key, not a path"), err.Error())
	assert.NotContains(t, err.Error(), "HiddenKeyMaterial")
}

func TestDefaultSource(t *testing.T) {
	t.Chdir(t.TempDir())
	assert.Equal(t, "", DefaultSource(""), "not a git checkout")
	assert.Equal(t, "src", DefaultSource("src"))
	require.NoError(t, os.Mkdir(".git", 0o755))
	assert.Equal(t, ".", DefaultSource(""))
	assert.Equal(t, "src", DefaultSource("src"), "the flag wins")
}

// writeKey makes a key pair at path, returning its public key.
func writeKey(t *testing.T, path string) ssh.PublicKey {
	t.Helper()
	kp, err := submission.NewKey{Path: path, Type: submission.KeyEd25519}.Write(nil)
	require.NoError(t, err)
	k, _, _, _, err := ssh.ParseAuthorizedKey(kp.Public)
	require.NoError(t, err)
	return k
}

func TestSigningKeyCreates(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	k, err := SigningKey(KeyCreate, "~/.ssh/selfassess")
	require.NoError(t, err)
	assert.True(t, k.Created)
	fi, err := os.Stat(filepath.Join(home, ".ssh", "selfassess"))
	require.NoError(t, err, "~/ is the home directory")
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	pub, err := os.ReadFile(filepath.Join(home, ".ssh", "selfassess.pub"))
	require.NoError(t, err)
	pk, _, _, _, err := ssh.ParseAuthorizedKey(pub)
	require.NoError(t, err)
	assert.Equal(t, ssh.KeyAlgoECDSA256, pk.Type(), "the key keygen makes by default")
	assert.Equal(t, ssh.FingerprintSHA256(pk), k.Fingerprint)
	assert.Equal(t, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk))), k.Public)

	// an existing key is never replaced
	_, err = SigningKey(KeyCreate, "~/.ssh/selfassess")
	problem(t, err, filepath.Join(home, ".ssh", "selfassess")+" already exists")
}

func TestSigningKeyReadsThePublicHalf(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "team")
	pk := writeKey(t, key)
	for _, c := range []struct{ action, path string }{
		{KeyFile, key}, {KeyAgent, key + ".pub"}, {KeyReference, key}, {KeyReference, key + ".pub"},
	} {
		k, err := SigningKey(c.action, c.path)
		require.NoError(t, err, "%q %s", c.action, c.path)
		assert.Equal(t, ssh.FingerprintSHA256(pk), k.Fingerprint, "%q %s", c.action, c.path)
		assert.False(t, k.Created || k.NoPublic)
	}

	// a private key without its .pub: a note, not an error
	require.NoError(t, os.Remove(key+".pub"))
	k, err := SigningKey(KeyFile, key)
	require.NoError(t, err)
	assert.True(t, k.NoPublic)
	assert.Empty(t, k.Public)

	// a reference may live elsewhere (a CI secret): nothing to show, no error
	k, err = SigningKey(KeyReference, filepath.Join(dir, "elsewhere"))
	require.NoError(t, err)
	assert.Equal(t, &SignKey{}, k)
}

func TestSigningKeyProblems(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope")
	hint := problem(t, func() error { _, err := SigningKey(KeyFile, missing); return err }(), "--sign-key: "+missing+": no such file or directory")
	assert.Contains(t, hint, "create one with 'selfassess keygen'")
	problem(t, func() error { _, err := SigningKey(KeyAgent, missing+".pub"); return err }(), "--sign-key: "+missing+".pub: no such file or directory")

	junk := filepath.Join(dir, "junk.pub")
	require.NoError(t, os.WriteFile(junk, []byte("not a key\n"), 0o644))
	hint = problem(t, func() error { _, err := SigningKey(KeyAgent, junk); return err }(), junk+": not an SSH public key")
	assert.Equal(t, "give the key's .pub file", hint)

	// nothing given, or key material (Encode refuses it): nothing done
	for _, p := range []string{"", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHidden"} {
		k, err := SigningKey(KeyCreate, p)
		require.NoError(t, err)
		assert.Equal(t, &SignKey{}, k)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "only junk.pub: nothing was created")
}
