package submission

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/selfassess/selfassess/internal/evidence"
	"github.com/selfassess/selfassess/internal/input"
)

func isProblem(t *testing.T, err error) *input.Problem {
	t.Helper()
	var p *input.Problem
	require.True(t, errors.As(err, &p), "want an input problem (exit 2), got %T %v", err, err)
	return p
}

func writeFile(t *testing.T, name string, b []byte) string {
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, b, 0o600))
	return p
}

func TestLoadTrust(t *testing.T) {
	s := testSigner(t)
	pub := writeFile(t, "team.pub", ssh.MarshalAuthorizedKey(s.PublicKey()))
	allowed := writeFile(t, "allowed_signers", AllowedSignersLineFor(s.PublicKey(), "selfassess", ""))

	tr, err := LoadTrust("", "")
	require.NoError(t, err)
	assert.Empty(t, tr.Keys, "neither: the package's own allowed_signers")
	assert.Empty(t, tr.Signers)

	tr, err = LoadTrust(pub, "")
	require.NoError(t, err)
	assert.Len(t, tr.Keys, 1)
	assert.Equal(t, "--signer "+pub, tr.Source)

	tr, err = LoadTrust("", allowed)
	require.NoError(t, err)
	assert.Len(t, tr.Signers, 1)
	assert.Equal(t, "--allowed-signers "+allowed, tr.Source)

	missing := filepath.Join(t.TempDir(), "none.pub")
	garbage := writeFile(t, "garbage", []byte("not a key\n"))
	ca := writeFile(t, "ca", []byte("selfassess cert-authority "+string(ssh.MarshalAuthorizedKey(s.PublicKey()))))
	for _, c := range []struct {
		signer, allowed, want, hint string
	}{
		{pub, allowed, "use --signer or --allowed-signers, not both", ""},
		{missing, "", "--signer: " + missing + ": no such file or directory", ""},
		{garbage, "", "--signer " + garbage + ": ", "give the team's .pub file"},
		{"", missing, "--allowed-signers: " + missing + ": no such file or directory", ""},
		{"", ca, "--allowed-signers " + ca + ":1: cert-authority lines are not supported; list the signing key itself", ""},
		{"", garbage, "--allowed-signers " + garbage + ":1: ", "each line is PRINCIPALS [OPTIONS] KEYTYPE KEY; a single .pub file goes to --signer"},
	} {
		_, err := LoadTrust(c.signer, c.allowed)
		require.Error(t, err, c.want)
		assert.Contains(t, err.Error(), c.want)
		assert.Equal(t, c.hint, isProblem(t, err).Hint, c.want)
	}
}

// The package decides: an encrypted one needs --identity, a plain one
// refuses it; an encrypted SSH key's passphrase comes from the
// environment, else the prompt.
func TestVerifyPackage(t *testing.T) {
	s := testSigner(t)
	_, plain := buildPackage(t, s)
	res, err := VerifyPackage(plain, trustOf(s), IdentitySource{})
	require.NoError(t, err)
	assert.True(t, res.OK())
	assert.False(t, res.Decrypted)

	_, err = VerifyPackage(plain, trustOf(s), IdentitySource{Path: "id"})
	assert.EqualError(t, err, "--identity: "+plain+" is not encrypted")
	isProblem(t, err)

	missing := filepath.Join(t.TempDir(), "none.zip")
	_, err = VerifyPackage(missing, trustOf(s), IdentitySource{})
	require.Error(t, err)
	isProblem(t, err)

	// Encrypted to an age identity and to a passphrase-protected SSH key.
	ageID, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	edPub, edPriv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	sshPub, err := ssh.NewPublicKey(edPub)
	require.NoError(t, err)
	block, err := ssh.MarshalPrivateKeyWithPassphrase(edPriv, "", []byte("s3cret"))
	require.NoError(t, err)
	recipients, err := ParseRecipients("r", []byte(ageID.Recipient().String()+"\n"+string(ssh.MarshalAuthorizedKey(sshPub))))
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "pkg")
	pkg, err := Build(dir, []File{{Name: "results.json", Data: []byte("{}\n")}}, nil, Options{Signer: s, Date: date, Zip: ZipPathFor(dir), EncryptTo: recipients})
	require.NoError(t, err)

	_, err = VerifyPackage(pkg.Encrypted, trustOf(s), IdentitySource{})
	assert.EqualError(t, err, pkg.Encrypted+" is encrypted with age")
	assert.Contains(t, isProblem(t, err).Hint, "--identity KEY")

	ageKey := writeFile(t, "age.key", []byte(ageID.String()+"\n"))
	res, err = VerifyPackage(pkg.Encrypted, trustOf(s), IdentitySource{Path: ageKey})
	require.NoError(t, err)
	assert.True(t, res.OK() && res.Decrypted)

	sshKey := writeFile(t, "id_ed25519", pem.EncodeToMemory(block))
	env := func(k string) string {
		if k == EnvPassphrase {
			return "s3cret"
		}
		return ""
	}
	res, err = VerifyPackage(pkg.Encrypted, trustOf(s), IdentitySource{Path: sshKey, Getenv: env})
	require.NoError(t, err)
	assert.True(t, res.Decrypted)

	var asked string
	prompt := func(p string) ([]byte, error) { asked = p; return []byte("s3cret"), nil }
	res, err = VerifyPackage(pkg.Encrypted, trustOf(s), IdentitySource{Path: sshKey, Getenv: func(string) string { return "" }, Prompt: prompt})
	require.NoError(t, err)
	assert.True(t, res.Decrypted)
	assert.Equal(t, "Passphrase for "+sshKey+": ", asked)

	_, err = VerifyPackage(pkg.Encrypted, trustOf(s), IdentitySource{Path: sshKey})
	require.Error(t, err, "no passphrase source")
	isProblem(t, err)

	_, err = VerifyPackage(pkg.Encrypted, trustOf(s), IdentitySource{Path: missing})
	assert.EqualError(t, err, "--identity: "+missing+": no such file or directory")
}

// The questionnaire's check of one evidence file: one line naming it,
// with the fix when there is one.
func TestCheckEvidenceFile(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(root, "policy.pdf"), []byte("%PDF-1.4 policy"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(outside, "other.pdf"), []byte("%PDF-1.4 other"), 0o644))
	chk, err := evidence.NewChecker(root)
	require.NoError(t, err)
	ctx := context.Background()
	assert.NoError(t, CheckEvidenceFile(ctx, chk, root, "policy.pdf", false))

	far := filepath.Join(outside, "other.pdf")
	_, want := chk.Check(ctx, root, far, false)
	var e *evidence.Error
	require.ErrorAs(t, want, &e)
	require.NotEmpty(t, e.Hint)
	assert.EqualError(t, CheckEvidenceFile(ctx, chk, root, far, false), far+": "+e.Msg+"; "+e.Hint)

	_, want = chk.Check(ctx, root, "none.pdf", false)
	require.ErrorAs(t, want, &e)
	msg := "none.pdf: " + e.Msg
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	assert.EqualError(t, CheckEvidenceFile(ctx, chk, root, "none.pdf", false), msg)
}

func TestSourceDate(t *testing.T) {
	def := time.Date(2026, 12, 4, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == EnvSourceDate {
				return v
			}
			return ""
		}
	}
	got, err := SourceDate(env(""), def)
	require.NoError(t, err)
	assert.Equal(t, def, got, "unset: the default as given")
	got, err = SourceDate(env(" 1700000000\n"), def)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC), got)
	assert.Equal(t, time.UTC, got.Location())
	for _, bad := range []string{"-1", "yesterday", "1.5"} {
		_, err = SourceDate(env(bad), def)
		assert.EqualError(t, err, `SOURCE_DATE_EPOCH="`+bad+`" is not a number of seconds`)
		assert.Contains(t, isProblem(t, err).Hint, "seconds since 1970")
	}
}

// A run's evidence may come from the answers' folder, the settings
// file's, or an --evidence-root; nowhere else.
func TestEvidenceChecker(t *testing.T) {
	project, config, extra, outside := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	chk, err := EvidenceChecker(filepath.Join(project, "answers.yaml"), filepath.Join(config, "selfassess.yaml"), []string{extra})
	require.NoError(t, err)
	want := []string{}
	for _, d := range []string{project, extra, config} {
		abs, err := filepath.EvalSymlinks(d)
		require.NoError(t, err)
		want = append(want, abs)
	}
	assert.Equal(t, want, chk.Roots())

	chk, err = EvidenceChecker(filepath.Join(project, "answers.yaml"), "", nil)
	require.NoError(t, err)
	assert.Len(t, chk.Roots(), 1, "no settings file: the answers' folder only")

	missing := filepath.Join(outside, "none")
	_, err = EvidenceChecker(filepath.Join(project, "answers.yaml"), "", []string{missing})
	assert.EqualError(t, err, "--evidence-root: evidence root "+missing+": no such file or directory")
	isProblem(t, err)
}
