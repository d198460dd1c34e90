package submission

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reviewerKeys makes the reviewer's keys with the stock tools: ssh-ed25519
// and ssh-rsa with ssh-keygen, an X25519 identity with age-keygen. It
// returns private key path → public recipient line.
func reviewerKeys(t *testing.T) map[string]string {
	t.Helper()
	sshKeygen := requireTool(t, "ssh-keygen")
	ageKeygen := requireTool(t, "age-keygen")
	dir := t.TempDir()
	keys := map[string]string{}
	for _, typ := range []string{"ed25519", "rsa"} {
		p := filepath.Join(dir, "id_"+typ)
		out, err := exec.Command(sshKeygen, "-q", "-t", typ, "-N", "", "-C", "reviewer", "-f", p).CombinedOutput()
		require.NoError(t, err, string(out))
		pub, err := os.ReadFile(p + ".pub")
		require.NoError(t, err)
		keys[p] = strings.TrimSpace(string(pub))
	}
	p := filepath.Join(dir, "age.key")
	out, err := exec.Command(ageKeygen, "-o", p).CombinedOutput()
	require.NoError(t, err, string(out))
	pub, err := exec.Command(ageKeygen, "-y", p).Output()
	require.NoError(t, err)
	keys[p] = strings.TrimSpace(string(pub))
	return keys
}

// TestEncryptedPackageOpensWithStockAge: a package encrypted to three
// reviewer keys leaves only PACKAGE.zip.age; stock `age -d -i KEY` opens it
// with each key into the zip verify accepts, and VerifyEncrypted checks it
// in memory with each key.
func TestEncryptedPackageOpensWithStockAge(t *testing.T) {
	ageBin := requireTool(t, "age")
	keys := reviewerKeys(t)
	var lines []string
	for _, pub := range keys {
		lines = append(lines, pub)
	}
	recipients, err := ParseRecipients("reviewers.txt", []byte("# the provider's reviewers\n\n"+strings.Join(lines, "\n")+"\n"))
	require.NoError(t, err)
	require.Len(t, recipients, 3)

	s := testSigner(t)
	root := t.TempDir()
	dir := filepath.Join(root, "pkg")
	zipPath := ZipPathFor(dir)
	pkg, err := Build(dir, []File{{Name: "results.json", Data: []byte("{}\n")}}, nil, Options{Signer: s, Date: date, Zip: zipPath, EncryptTo: recipients})
	require.NoError(t, err)
	assert.Equal(t, zipPath+".age", pkg.Encrypted)
	assert.Empty(t, pkg.Zip)
	assert.NoFileExists(t, zipPath, "no plain zip without --keep-plain")
	require.FileExists(t, pkg.Encrypted)
	assert.True(t, IsEncrypted(pkg.Encrypted))
	verifyMD, err := os.ReadFile(filepath.Join(dir, VerifyFile))
	require.NoError(t, err)
	assert.Contains(t, string(verifyMD), "age -d -i ~/.ssh/id_ed25519 pkg.zip.age > pkg.zip")
	assert.Contains(t, string(verifyMD), "selfassess verify pkg.zip.age --identity")

	for key := range keys {
		t.Run(filepath.Base(key), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "pkg.zip")
			cmd := exec.Command("sh", "-c", `"$0" -d -i "$1" "$2" > "$3"`, ageBin, key, pkg.Encrypted, out)
			b, err := cmd.CombinedOutput()
			require.NoError(t, err, string(b))
			res, err := Verify(out, trustOf(s))
			require.NoError(t, err)
			assert.True(t, res.OK(), "%+v", res.Problems)

			kb, err := os.ReadFile(key)
			require.NoError(t, err)
			ids, err := ParseIdentity(key, kb, nil)
			require.NoError(t, err)
			res, err = VerifyEncrypted(pkg.Encrypted, ids, trustOf(s))
			require.NoError(t, err)
			assert.True(t, res.OK() && res.Decrypted, "%+v", res.Problems)
			assert.Contains(t, res.Checked, "results.json")
		})
	}

	// Another reviewer's key cannot open it.
	other := reviewerKeys(t)
	for key := range other {
		kb, err := os.ReadFile(key)
		require.NoError(t, err)
		ids, err := ParseIdentity(key, kb, nil)
		require.NoError(t, err)
		_, err = VerifyEncrypted(pkg.Encrypted, ids, trustOf(s))
		assert.True(t, errors.Is(err, ErrNotForIdentity), "%v", err)
		break
	}

	// --keep-plain keeps both; a later unencrypted build removes the stale .age.
	_, err = Build(dir, []File{{Name: "results.json", Data: []byte("{}\n")}}, nil, Options{Signer: s, Date: date, Zip: zipPath, EncryptTo: recipients, KeepPlain: true})
	require.NoError(t, err)
	assert.FileExists(t, zipPath)
	assert.FileExists(t, zipPath+".age")
	_, err = Build(dir, []File{{Name: "results.json", Data: []byte("{}\n")}}, nil, Options{Signer: s, Date: date, Zip: zipPath})
	require.NoError(t, err)
	assert.NoFileExists(t, zipPath+".age")
}

// TestEncryptedPackageTamperDetected: a changed ciphertext byte never
// yields a package that verifies.
func TestEncryptedPackageTamperDetected(t *testing.T) {
	keys := reviewerKeys(t)
	var key, pub string
	for k, p := range keys {
		if strings.HasPrefix(p, "ssh-ed25519") {
			key, pub = k, p
		}
	}
	r, err := ParseRecipient(pub)
	require.NoError(t, err)
	s := testSigner(t)
	dir := filepath.Join(t.TempDir(), "pkg")
	big := make([]byte, 200<<10) // several 64 KiB age chunks
	for i := range big {
		big[i] = byte(i * 7)
	}
	pkg, err := Build(dir, []File{{Name: "results.json", Data: []byte("{}\n")}, {Name: "blob.bin", Data: big}}, nil,
		Options{Signer: s, Date: date, Zip: ZipPathFor(dir), EncryptTo: []Recipient{r}})
	require.NoError(t, err)
	enc, err := os.ReadFile(pkg.Encrypted)
	require.NoError(t, err)
	kb, err := os.ReadFile(key)
	require.NoError(t, err)
	ids, err := ParseIdentity(key, kb, nil)
	require.NoError(t, err)
	for _, at := range []int{len(enc) / 3, len(enc) / 2, len(enc) - 5} {
		bad := append([]byte(nil), enc...)
		bad[at] ^= 0x40
		p := filepath.Join(t.TempDir(), "pkg.zip.age")
		require.NoError(t, os.WriteFile(p, bad, 0o644))
		res, err := VerifyEncrypted(p, ids, trustOf(s))
		if err == nil {
			assert.False(t, res.OK(), "byte %d changed but the package verified", at)
		}
	}
}

func TestParseRecipientsErrors(t *testing.T) {
	for in, want := range map[string]string{
		"":                   "no recipient",
		"# only a comment\n": "no recipient",
		"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBzM6K4Lz8Zq3ytB3jOb1wZ5o2pF7qsXcYb0o1a2b3c4 r\necdsa-sha2-nistp256 AAAAE2VjZHNh x\n": "reviewers.txt:2: age cannot encrypt to ECDSA",
		"AGE-SECRET-KEY-1QQQQ\n": "reviewers.txt:1: this is a private key",
		"age1notakey\n":          "reviewers.txt:1: not an age recipient",
		"hello\n":                "reviewers.txt:1: not a recipient",
	} {
		_, err := ParseRecipients("reviewers.txt", []byte(in))
		assert.ErrorContains(t, err, want, "input %q", in)
		if err != nil {
			assert.NotContains(t, err.Error(), "AGE-SECRET-KEY-1QQQQ", "a private key is never echoed")
		}
	}
}
