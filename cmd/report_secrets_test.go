package cmd

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/selfassess/selfassess/submission"
)

// A known passphrase and key are planted; neither may appear in stdout,
// stderr, or any file written (folder and zip).
func TestSigningSecretsNeverAppear(t *testing.T) {
	const passphrase = "Planted-Passphrase-7f3a9c"
	fixture, err := filepath.Abs("../testdata/results/finhub-acme.json")
	require.NoError(t, err)
	encrypted := encryptedTestKey(t, passphrase)
	plain, err := submission.GenerateKey(nil, "planted")
	require.NoError(t, err)

	// Secret needles: the passphrase, the PEM bodies, and the raw private key.
	needles := []string{passphrase}
	for _, k := range []*submission.KeyPair{encrypted, plain} {
		for _, line := range strings.Split(string(k.PrivatePEM), "\n") {
			// An OpenSSH private key file also holds the public key; a line of
			// it that is part of the public key is not a secret.
			if len(line) >= 40 && !strings.HasPrefix(line, "-----") && !strings.Contains(string(k.Public), line) {
				needles = append(needles, line)
			}
		}
	}
	raw, err := ssh.ParseRawPrivateKey(plain.PrivatePEM)
	require.NoError(t, err)
	var secret []byte // the default key is ECDSA: its scalar; an Ed25519 one: its seed
	switch k := raw.(type) {
	case *ecdsa.PrivateKey:
		secret, err = k.Bytes()
		require.NoError(t, err)
	case interface{ Seed() []byte }:
		secret = k.Seed()
	}
	require.NotEmpty(t, secret)
	// hex too: report.pdf carries its signature as hex
	needles = append(needles, string(secret), base64.StdEncoding.EncodeToString(secret), hex.EncodeToString(secret))

	run := func(t *testing.T, env map[string]string, args ...string) (int, string, string, string) {
		dir := t.TempDir()
		keyPath := filepath.Join(dir, "key")
		require.NoError(t, os.WriteFile(keyPath, encrypted.PrivatePEM, 0o600))
		var out, errOut bytes.Buffer
		full := append([]string{"report", fixture, "--package", "--out", filepath.Join(dir, "pkg")}, args...)
		for i, a := range full {
			full[i] = strings.ReplaceAll(a, "$KEY", keyPath)
		}
		code := MainWith(full, TestIO(strings.NewReader(""), &out, &errOut, env))
		return code, out.String(), errOut.String(), dir
	}
	assertClean := func(t *testing.T, stdout, stderr, dir string) {
		t.Helper()
		var blobs []string
		blobs = append(blobs, stdout, stderr)
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && filepath.Base(p) != "key" {
				b, err := os.ReadFile(p)
				require.NoError(t, err)
				blobs = append(blobs, string(b))
			}
			return nil
		})
		for _, b := range blobs {
			for _, n := range needles {
				assert.NotContains(t, b, n, "secret material leaked")
			}
		}
	}

	t.Run("key file with passphrase from the environment", func(t *testing.T) {
		t.Parallel()
		code, stdout, stderr, dir := run(t, map[string]string{submission.EnvPassphrase: passphrase}, "--sign-key", "$KEY")
		require.Equal(t, 0, code, stderr)
		assert.Contains(t, stdout, "signed:  "+encrypted.Fingerprint)
		assertClean(t, stdout, stderr, dir)
		assert.FileExists(t, filepath.Join(dir, "pkg.zip"))
	})
	t.Run("wrong passphrase", func(t *testing.T) {
		t.Parallel()
		wrong := "Wrong-" + passphrase
		code, stdout, stderr, dir := run(t, map[string]string{submission.EnvPassphrase: wrong}, "--sign-key", "$KEY")
		assert.Equal(t, ExitUsage, code)
		assert.Regexp(t, `(?m)^selfassess: error: wrong passphrase for \S+/key$`, stderr)
		assert.NotContains(t, stderr, wrong)
		assertClean(t, stdout, stderr, dir)
		assert.NoDirExists(t, filepath.Join(dir, "pkg"), "nothing written when the key cannot be loaded")
	})
	t.Run("key itself in SELFASSESS_SIGNING_KEY", func(t *testing.T) {
		code, stdout, stderr, dir := run(t, map[string]string{submission.EnvSigningKey: string(plain.PrivatePEM)})
		require.Equal(t, 0, code, stderr)
		assert.Contains(t, stdout, "signed:  "+plain.Fingerprint+" ($SELFASSESS_SIGNING_KEY)")
		assertClean(t, stdout, stderr, dir)
	})
	t.Run("garbage in SELFASSESS_SIGNING_KEY is not echoed", func(t *testing.T) {
		code, stdout, stderr, dir := run(t, map[string]string{submission.EnvSigningKey: passphrase})
		assert.Equal(t, ExitUsage, code)
		assert.Contains(t, stderr, "SELFASSESS_SIGNING_KEY does not hold an OpenSSH private key")
		assertClean(t, stdout, stderr, dir)
	})
	t.Run("encrypted key with no passphrase and no terminal", func(t *testing.T) {
		code, _, stderr, _ := run(t, nil, "--sign-key", "$KEY")
		assert.Equal(t, ExitUsage, code)
		assert.Contains(t, stderr, "is protected by a passphrase")
		assert.Contains(t, stderr, "selfassess: hint: set SELFASSESS_KEY_PASSPHRASE or run in a terminal to be asked")
	})
	t.Run("key readable by others is refused", func(t *testing.T) {
		dir := t.TempDir()
		keyPath := filepath.Join(dir, "loose")
		require.NoError(t, os.WriteFile(keyPath, plain.PrivatePEM, 0o644))
		require.NoError(t, os.Chmod(keyPath, 0o644))
		var out, errOut bytes.Buffer
		code := MainWith([]string{"report", fixture, "--package", "--sign-key", keyPath, "--out", filepath.Join(dir, "pkg")},
			TestIO(strings.NewReader(""), &out, &errOut, nil))
		assert.Equal(t, ExitUsage, code)
		assert.Contains(t, errOut.String(), "private key is accessible by group or others (mode 0644)")
		assert.Contains(t, errOut.String(), "selfassess: hint: chmod 600 "+keyPath)
	})
}

// encryptedTestKey is a passphrase-protected ed25519 key. ssh-keygen -a 1
// makes one with a single KDF round, which keeps -race runs fast; without
// ssh-keygen our own (16-round) keygen is used.
func encryptedTestKey(t *testing.T, passphrase string) *submission.KeyPair {
	if path, err := exec.LookPath("ssh-keygen"); err == nil {
		p := filepath.Join(t.TempDir(), "k")
		out, err := exec.Command(path, "-q", "-t", "ed25519", "-a", "1", "-N", passphrase, "-C", "planted", "-f", p).CombinedOutput()
		require.NoError(t, err, string(out))
		priv, err := os.ReadFile(p)
		require.NoError(t, err)
		pub, err := os.ReadFile(p + ".pub")
		require.NoError(t, err)
		pk, _, _, _, err := ssh.ParseAuthorizedKey(pub)
		require.NoError(t, err)
		return &submission.KeyPair{PrivatePEM: priv, Public: pub, Fingerprint: ssh.FingerprintSHA256(pk)}
	}
	kp, err := submission.GenerateKey([]byte(passphrase), "planted")
	require.NoError(t, err)
	return kp
}
