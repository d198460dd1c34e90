package submission

import (
	"archive/zip"
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/selfassess/selfassess/internal/testenv"
)

var date = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)

func requireTool(t *testing.T, name string) string {
	t.Helper()
	return testenv.RequireTool(t, name)
}

func testSigner(t testing.TB) *Signer {
	s, err := EphemeralSigner()
	require.NoError(t, err)
	return s
}

// buildPackage writes a small signed package with one evidence file.
func buildPackage(t *testing.T, s ssh.Signer) (dir, zipPath string) {
	t.Helper()
	root := t.TempDir()
	ev := filepath.Join(root, "diagram.pdf")
	require.NoError(t, os.WriteFile(ev, []byte("%PDF-1.4 data flow"), 0o644))
	dir = filepath.Join(root, "pkg")
	zipPath = ZipPathFor(dir)
	files := []File{
		{Name: "report.md", Data: []byte("# report\n")},
		{Name: "results.json", Data: []byte(`{"schema":"selfassess/results/v1"}` + "\n")},
		{Name: "answers.yaml", Data: []byte("schema: selfassess/answers/v1\n")},
	}
	_, err := Build(dir, files, []EvidenceFile{{Name: "FH-DATA-1/diagram.pdf", Src: ev}}, Options{Signer: s, Date: date, Zip: zipPath})
	require.NoError(t, err)
	return dir, zipPath
}

func trustOf(s ssh.Signer) TrustedKeys {
	return TrustedKeys{Keys: []ssh.PublicKey{s.PublicKey()}, Source: "test key"}
}

func TestBuildAndVerify(t *testing.T) {
	s := testSigner(t)
	dir, zipPath := buildPackage(t, s)
	for _, p := range []string{dir, zipPath} {
		res, err := Verify(p, trustOf(s))
		require.NoError(t, err)
		assert.True(t, res.OK(), "%s: %+v", p, res)
		assert.True(t, res.IdentityProven)
		assert.Equal(t, ssh.FingerprintSHA256(s.PublicKey()), res.KeyFP)
		assert.ElementsMatch(t, []string{"VERIFY.md", "allowed_signers", "answers.yaml", "evidence/FH-DATA-1/diagram.pdf", "report.md", "results.json"}, res.Checked)
	}
	// Without a trusted key, the package's own allowed_signers: integrity only.
	res, err := Verify(zipPath, TrustedKeys{})
	require.NoError(t, err)
	assert.True(t, res.OK())
	assert.False(t, res.IdentityProven)
	// Another key is not trusted.
	res, err = Verify(zipPath, trustOf(testSigner(t)))
	require.NoError(t, err)
	assert.False(t, res.OK())
	assert.Contains(t, strings.Join(res.Problems, ";"), "the signature is valid, but by SHA256:")
	assert.Contains(t, strings.Join(res.Problems, ";"), "not by the key you trust")
	assert.True(t, res.ValidUntrusted)
}

func TestZipIsReproducible(t *testing.T) {
	// The default key is ECDSA: loaded as the product loads it, it signs
	// with RFC 6979 nonces (x/crypto's own ECDSA signer would not).
	kp, err := GenerateKey(nil, "")
	require.NoError(t, err)
	signer, err := LoadSigner(KeySource{Getenv: func(k string) string {
		if k == EnvSigningKey {
			return string(kp.PrivatePEM)
		}
		return ""
	}})
	require.NoError(t, err)
	_, z1 := buildPackage(t, signer)
	_, z2 := buildPackage(t, signer)
	a, _ := os.ReadFile(z1)
	b, _ := os.ReadFile(z2)
	assert.True(t, bytes.Equal(a, b), "same files, key and date give the same zip")
	zr, err := zip.OpenReader(z1)
	require.NoError(t, err)
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		assert.True(t, f.Modified.Equal(date), f.Name)
	}
	assert.IsIncreasing(t, names)
}

// The tamper matrix: every change is caught by selfassess verify, and by
// the stock tools where they can catch it.
func TestTamperingIsDetected(t *testing.T) {
	s := testSigner(t)
	sshKeygen := requireTool(t, "ssh-keygen")
	sha256sum := requireTool(t, "sha256sum")

	stockOK := func(dir string) (sums, sig bool) {
		c := exec.Command(sha256sum, "-c", "--quiet", SumsFile)
		c.Dir = dir
		sums = c.Run() == nil
		in, err := os.Open(filepath.Join(dir, SumsFile))
		if err != nil {
			return sums, false
		}
		defer in.Close()
		allowed := filepath.Join(t.TempDir(), "allowed")
		require.NoError(t, os.WriteFile(allowed, AllowedSignersLine(s.PublicKey()), 0o644))
		c = exec.Command(sshKeygen, "-Y", "verify", "-f", allowed, "-I", Principal, "-n", Namespace, "-s", filepath.Join(dir, SigFile))
		c.Stdin = in
		sig = c.Run() == nil
		return sums, sig
	}

	dir, _ := buildPackage(t, s)
	sumsOK, sigOK := stockOK(dir)
	require.True(t, sumsOK, "sha256sum -c accepts the pristine package")
	require.True(t, sigOK, "ssh-keygen -Y verify accepts the pristine package")

	files, err := filepath.Glob(filepath.Join(dir, "*"))
	require.NoError(t, err)
	files = append(files, filepath.Join(dir, "evidence/FH-DATA-1/diagram.pdf"))
	for _, f := range files {
		if fi, _ := os.Stat(f); fi.IsDir() {
			continue
		}
		name, _ := filepath.Rel(dir, f)
		t.Run("flip byte in "+name, func(t *testing.T) {
			d, _ := buildPackage(t, s)
			p := filepath.Join(d, name)
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			b[len(b)/2] ^= 0x01
			require.NoError(t, os.WriteFile(p, b, 0o644))
			res, err := Verify(d, trustOf(s))
			require.NoError(t, err)
			assert.False(t, res.OK())
			sums, sig := stockOK(d)
			assert.False(t, sums && sig, "stock tools must notice a flipped byte in %s", name)
		})
		t.Run("remove "+name, func(t *testing.T) {
			d, _ := buildPackage(t, s)
			require.NoError(t, os.Remove(filepath.Join(d, name)))
			res, err := Verify(d, trustOf(s))
			if name == SumsFile {
				assert.Error(t, err) // no longer a package at all
			} else {
				require.NoError(t, err)
				assert.False(t, res.OK())
			}
			sums, sig := stockOK(d)
			assert.False(t, sums && sig, "stock tools must notice %s removed", name)
		})
	}
	t.Run("add a file", func(t *testing.T) {
		d, _ := buildPackage(t, s)
		require.NoError(t, os.WriteFile(filepath.Join(d, "extra.txt"), []byte("x"), 0o644))
		res, err := Verify(d, trustOf(s))
		require.NoError(t, err)
		assert.False(t, res.OK())
		assert.Equal(t, []string{"extra.txt"}, res.Extra)
		// sha256sum -c cannot notice an added file; VERIFY.md says so.
	})
	t.Run("swap the signature", func(t *testing.T) {
		d, _ := buildPackage(t, s)
		other, _ := buildPackage(t, testSigner(t))
		sig, err := os.ReadFile(filepath.Join(other, SigFile))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(d, SigFile), sig, 0o644))
		res, err := Verify(d, trustOf(s))
		require.NoError(t, err)
		assert.False(t, res.OK())
		_, sigOK := stockOK(d)
		assert.False(t, sigOK)
	})
	t.Run("signature by the same key over other content", func(t *testing.T) {
		d, _ := buildPackage(t, s)
		sig, err := Sign([]byte("something else\n"), s)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(d, SigFile), sig, 0o644))
		res, err := Verify(d, trustOf(s))
		require.NoError(t, err)
		assert.False(t, res.OK())
		assert.Contains(t, strings.Join(res.Problems, ";"), "does not match")
		_, sigOK := stockOK(d)
		assert.False(t, sigOK)
	})
}

func TestZipTamperAndTraversal(t *testing.T) {
	s := testSigner(t)
	_, zipPath := buildPackage(t, s)
	orig, err := os.ReadFile(zipPath)
	require.NoError(t, err)

	rewrite := func(t *testing.T, edit func(name string, data []byte) (string, []byte, os.FileMode)) string {
		zr, err := zip.NewReader(bytes.NewReader(orig), int64(len(orig)))
		require.NoError(t, err)
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, f := range zr.File {
			rc, err := f.Open()
			require.NoError(t, err)
			var b bytes.Buffer
			_, err = b.ReadFrom(rc)
			require.NoError(t, err)
			rc.Close()
			name, data, mode := edit(f.Name, b.Bytes())
			if name == "" {
				continue
			}
			h := &zip.FileHeader{Name: name, Method: zip.Deflate}
			h.SetMode(mode)
			w, err := zw.CreateHeader(h)
			require.NoError(t, err)
			w.Write(data)
		}
		require.NoError(t, zw.Close())
		p := filepath.Join(t.TempDir(), "t.zip")
		require.NoError(t, os.WriteFile(p, buf.Bytes(), 0o644))
		return p
	}
	cases := map[string]struct {
		edit   func(string, []byte) (string, []byte, os.FileMode)
		reject string
	}{
		"dot-dot entry": {func(n string, b []byte) (string, []byte, os.FileMode) {
			if strings.HasSuffix(n, "report.md") {
				return "pkg/../../evil.md", b, 0o644
			}
			return n, b, 0o644
		}, "escapes the package folder"},
		"absolute entry": {func(n string, b []byte) (string, []byte, os.FileMode) {
			if strings.HasSuffix(n, "report.md") {
				return "/etc/evil", b, 0o644
			}
			return n, b, 0o644
		}, "absolute path"},
		"symlink entry": {func(n string, b []byte) (string, []byte, os.FileMode) {
			if strings.HasSuffix(n, "report.md") {
				return n, []byte("/etc/passwd"), os.ModeSymlink | 0o777
			}
			return n, b, 0o644
		}, "symbolic link"},
		"modified entry": {func(n string, b []byte) (string, []byte, os.FileMode) {
			if strings.HasSuffix(n, "results.json") {
				return n, append(b, ' '), 0o644
			}
			return n, b, 0o644
		}, ""},
		"removed entry": {func(n string, b []byte) (string, []byte, os.FileMode) {
			if strings.HasSuffix(n, "answers.yaml") {
				return "", nil, 0
			}
			return n, b, 0o644
		}, ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			res, err := Verify(rewrite(t, c.edit), trustOf(s))
			require.NoError(t, err)
			assert.False(t, res.OK())
			if c.reject != "" {
				assert.Contains(t, strings.Join(res.Rejected, ";"), c.reject)
			}
		})
	}
}

func TestZipBombIsBounded(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("pkg/SHA256SUMS")
	require.NoError(t, err)
	w.Write([]byte(strings.Repeat("0", 64) + "  bomb\n"))
	w, err = zw.Create("pkg/bomb")
	require.NoError(t, err)
	zeros := make([]byte, 1<<20)
	for i := 0; i < 4; i++ { // 4 MiB of zeros compress to ~4 KiB
		w.Write(zeros)
	}
	require.NoError(t, zw.Close())
	p := filepath.Join(t.TempDir(), "bomb.zip")
	require.NoError(t, os.WriteFile(p, buf.Bytes(), 0o644))
	res, err := Verify(p, TrustedKeys{})
	require.NoError(t, err)
	assert.False(t, res.OK())
	assert.Contains(t, strings.Join(res.Rejected, ";"), "larger than")
}

func TestNotAPackage(t *testing.T) {
	_, err := Verify(t.TempDir(), TrustedKeys{})
	assert.ErrorContains(t, err, "no SHA256SUMS")
	p := filepath.Join(t.TempDir(), "x.zip")
	require.NoError(t, os.WriteFile(p, []byte("not a zip"), 0o644))
	_, err = Verify(p, TrustedKeys{})
	assert.ErrorContains(t, err, "not a zip file")
	_, err = Verify(filepath.Join(t.TempDir(), "missing"), TrustedKeys{})
	assert.ErrorContains(t, err, "no such file")
}

func TestUnsignedPackage(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pkg")
	_, err := Build(dir, []File{{Name: "report.md", Data: []byte("x")}}, nil, Options{Date: date})
	require.NoError(t, err)
	md, err := os.ReadFile(filepath.Join(dir, VerifyFile))
	require.NoError(t, err)
	assert.Contains(t, string(md), "NOT signed")
	res, err := Verify(dir, TrustedKeys{})
	require.NoError(t, err)
	assert.False(t, res.OK(), "an unsigned package does not verify")
	assert.Empty(t, res.Mismatched)
	assert.Contains(t, strings.Join(res.Problems, ";"), "not signed")
}

func TestRebuildRemovesOnlyOwnStaleFiles(t *testing.T) {
	s := testSigner(t)
	dir := filepath.Join(t.TempDir(), "pkg")
	_, err := Build(dir, []File{{Name: "changes.md", Data: []byte("x")}, {Name: "report.md", Data: []byte("a")}}, nil, Options{Signer: s})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644))
	pkg, err := Build(dir, []File{{Name: "report.md", Data: []byte("b")}}, nil, Options{Signer: s})
	require.NoError(t, err)
	assert.NoFileExists(t, filepath.Join(dir, "changes.md"), "a file of the previous package is removed")
	assert.FileExists(t, filepath.Join(dir, "notes.txt"), "the user's own file is kept")
	assert.Equal(t, []string{"notes.txt"}, pkg.Foreign)
}

func TestEvidenceMustBeRegularFile(t *testing.T) {
	root := t.TempDir()
	target := filepath.Join(root, "secret")
	require.NoError(t, os.WriteFile(target, []byte("x"), 0o600))
	link := filepath.Join(root, "link.pdf")
	require.NoError(t, os.Symlink(target, link))
	_, err := Build(filepath.Join(root, "pkg"), nil, []EvidenceFile{{Name: "C/link.pdf", Src: link}}, Options{})
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	assert.Contains(t, err.Error(), "not a regular file")
}

// A name given twice, or one that would leave the package, is refused
// before anything is written; the message says which list it came from.
func TestBuildRefusesDuplicateAndUnsafeNames(t *testing.T) {
	root := t.TempDir()
	ev := filepath.Join(root, "doc.pdf")
	require.NoError(t, os.WriteFile(ev, []byte("%PDF-1.4"), 0o600))
	for _, tc := range []struct {
		name     string
		files    []File
		evidence []EvidenceFile
		want     string
	}{
		{"package file twice", []File{{"report.md", []byte("a")}, {"report.md", []byte("b")}}, nil, "package file report.md given twice"},
		{"evidence file twice", nil, []EvidenceFile{{Name: "C/doc.pdf", Src: ev}, {Name: "C/doc.pdf", Src: ev}}, "evidence file evidence/C/doc.pdf given twice"},
		{"package file outside", []File{{"../x.md", []byte("a")}}, nil, `unsafe package path "../x.md"`},
		{"evidence file outside", nil, []EvidenceFile{{Name: "../../x.pdf", Src: ev}}, `unsafe package path "../x.pdf"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(root, "pkg")
			_, err := Build(dir, tc.files, tc.evidence, Options{})
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
			assert.NoDirExists(t, dir)
		})
	}
}

func TestKeyLoading(t *testing.T) {
	dir := t.TempDir()
	const pass = "correct horse battery staple 42"
	kp := encryptedKey(t, pass)
	keyPath := filepath.Join(dir, "id")
	require.NoError(t, WriteKeyPair(keyPath, kp, false))
	fi, err := os.Stat(keyPath)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	fi, err = os.Stat(keyPath + ".pub")
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
	assert.ErrorContains(t, WriteKeyPair(keyPath, kp, false), "already exists")

	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

	s, err := LoadSigner(KeySource{Path: keyPath, Getenv: env(map[string]string{EnvPassphrase: pass})})
	require.NoError(t, err)
	assert.Equal(t, kp.Fingerprint, s.Fingerprint())

	_, err = LoadSigner(KeySource{Path: keyPath, Getenv: env(nil)})
	assert.ErrorContains(t, err, "protected by a passphrase")

	prompted := false
	_, err = LoadSigner(KeySource{Path: keyPath, Getenv: env(nil), Prompt: func(string) ([]byte, error) { prompted = true; return []byte("wrong " + pass), nil }})
	assert.ErrorContains(t, err, "wrong passphrase")
	assert.True(t, prompted)

	require.NoError(t, os.Chmod(keyPath, 0o640))
	_, err = LoadSigner(KeySource{Path: keyPath, Getenv: env(map[string]string{EnvPassphrase: pass})})
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	assert.Contains(t, err.Error(), "accessible by group or others (mode 0640)")
	assert.Equal(t, "chmod 600 "+keyPath, ie.Hint)

	// The key itself in the environment (CI secret stores).
	plain, err := GenerateKey(nil, "")
	require.NoError(t, err)
	s, err = LoadSigner(KeySource{Getenv: env(map[string]string{EnvSigningKey: string(plain.PrivatePEM)})})
	require.NoError(t, err)
	assert.Equal(t, plain.Fingerprint, s.Fingerprint())
	assert.Equal(t, "$"+EnvSigningKey, s.From)
	_, err = LoadSigner(KeySource{Getenv: env(map[string]string{EnvSigningKey: "hunter2-not-a-key"})})
	assert.ErrorContains(t, err, "does not hold an OpenSSH private key")
	assert.NotContains(t, err.Error(), "hunter2")

	// No key configured at all: unsigned, no error.
	s, err = LoadSigner(KeySource{Getenv: env(nil)})
	require.NoError(t, err)
	assert.Nil(t, s)
}

// ssh-agent: --sign-key names the public key; the agent signs. The agent is
// x/crypto's real agent protocol served on a unix socket.
func TestAgentSigner(t *testing.T) {
	kp, err := GenerateKey(nil, "agent")
	require.NoError(t, err)
	raw, err := ssh.ParseRawPrivateKey(kp.PrivatePEM)
	require.NoError(t, err)
	keyring := agent.NewKeyring()
	require.NoError(t, keyring.Add(agent.AddedKey{PrivateKey: raw}))
	sock := filepath.Join(shortTemp(t), "agent.sock")
	l, err := net.Listen("unix", sock)
	require.NoError(t, err)
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { agent.ServeAgent(keyring, c); c.Close() }()
		}
	}()
	pub := filepath.Join(t.TempDir(), "id.pub")
	require.NoError(t, os.WriteFile(pub, kp.Public, 0o644))
	env := func(k string) string {
		if k == EnvAuthSock {
			return sock
		}
		return ""
	}
	s, err := LoadSigner(KeySource{Path: pub, Getenv: env})
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, "ssh-agent", s.From)
	dir, zipPath := buildPackage(t, s)
	res, err := Verify(zipPath, TrustedKeys{Keys: []ssh.PublicKey{s.PublicKey()}})
	require.NoError(t, err)
	assert.True(t, res.OK(), "%+v", res)
	_ = dir

	other, err := GenerateKey(nil, "")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(pub, other.Public, 0o644))
	_, err = LoadSigner(KeySource{Path: pub, Getenv: env})
	assert.ErrorContains(t, err, "ssh-agent does not hold the key")
	_, err = LoadSigner(KeySource{Path: pub, Getenv: func(string) string { return "" }})
	assert.ErrorContains(t, err, "SSH_AUTH_SOCK is not set")
}

// shortTemp: unix socket paths must stay under ~100 bytes.
func shortTemp(t *testing.T) string {
	d, err := os.MkdirTemp("", "sa")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// encryptedKey is a passphrase-protected key made by ssh-keygen with one KDF
// round (fast under -race), or by GenerateKey when ssh-keygen is missing.
func encryptedKey(t *testing.T, pass string) *KeyPair {
	if path, err := exec.LookPath("ssh-keygen"); err == nil {
		p := filepath.Join(t.TempDir(), "k")
		out, err := exec.Command(path, "-q", "-t", "ed25519", "-a", "1", "-N", pass, "-C", "test", "-f", p).CombinedOutput()
		require.NoError(t, err, string(out))
		priv, err := os.ReadFile(p)
		require.NoError(t, err)
		pub, err := os.ReadFile(p + ".pub")
		require.NoError(t, err)
		pk, _, _, _, err := ssh.ParseAuthorizedKey(pub)
		require.NoError(t, err)
		return &KeyPair{PrivatePEM: priv, Public: pub, Fingerprint: ssh.FingerprintSHA256(pk)}
	}
	kp, err := GenerateKey([]byte(pass), "test")
	require.NoError(t, err)
	return kp
}

// ssh-keygen reads the keys keygen writes, with and without a passphrase.
func TestGeneratedKeysWorkWithSSHKeygen(t *testing.T) {
	sshKeygen := requireTool(t, "ssh-keygen")
	const pass = "gen-pass-123"
	for _, p := range []string{"", pass} {
		kp, err := GenerateKey([]byte(p), "c")
		require.NoError(t, err)
		path := filepath.Join(t.TempDir(), "id")
		require.NoError(t, WriteKeyPair(path, kp, false))
		out, err := exec.Command(sshKeygen, "-y", "-P", p, "-f", path).CombinedOutput()
		require.NoError(t, err, string(out))
		assert.Equal(t, strings.Fields(string(kp.Public))[1], strings.Fields(string(out))[1])
		if p != "" {
			assert.Error(t, exec.Command(sshKeygen, "-y", "-P", "wrong", "-f", path).Run())
		}
	}
}
