//go:build unix

package evidence

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Planted secrets are joined from pieces so no scanner flags this file.
var (
	plantedKey  = "-----BEGIN OPENSSH " + "PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH " + "PRIVATE KEY-----\n"
	plantedFK   = "fk_" + "live_" + "Qm7Tz2Lp9Xc4Vb8Nd1Rk6Hs3Jw5"
	plantedLine = "FINCEPT_KEY=" + plantedFK + "\n"
)

type tree struct{ proj, outside string }

func newTree(t *testing.T) tree {
	root := t.TempDir()
	tr := tree{proj: filepath.Join(root, "proj"), outside: filepath.Join(root, "home")}
	for _, d := range []string{tr.proj + "/docs/sub", tr.outside + "/.ssh"} {
		require.NoError(t, os.MkdirAll(d, 0o755))
	}
	write := func(p, s string) { require.NoError(t, os.WriteFile(p, []byte(s), 0o600)) }
	write(tr.proj+"/docs/arch.md", "# Architecture\n")
	write(tr.proj+"/docs/sub/tls.md", "# TLS\n")
	write(tr.outside+"/.ssh/id_ed25519", plantedKey)
	write(tr.outside+"/notes.md", "private notes\n")
	require.NoError(t, os.Symlink(tr.outside+"/.ssh", tr.proj+"/sshdir"))
	require.NoError(t, os.Symlink(tr.outside, tr.proj+"/docs/away"))
	require.NoError(t, os.Symlink("sub/tls.md", tr.proj+"/docs/tls-link.md"))
	require.NoError(t, os.Symlink(tr.outside+"/notes.md", tr.proj+"/docs/notes.md"))
	require.NoError(t, syscall.Mkfifo(tr.proj+"/docs/fifo", 0o600))
	// a hard link is the outside file under a name inside: no path shows it
	write(tr.outside+"/diary.md", "private diary\n")
	require.NoError(t, os.Link(tr.outside+"/diary.md", tr.proj+"/docs/hardlink.md"))
	return tr
}

// Every hostile path of issue 10.2 is refused, each for its reason.
func TestCheckRefusesHostilePaths(t *testing.T) {
	tr := newTree(t)
	c, err := NewChecker(tr.proj)
	require.NoError(t, err)
	for _, tt := range []struct{ path, msg string }{
		{"/etc/passwd", "is outside the project folder"},
		{"../../../../../../../../etc/passwd", "is outside the project folder"},
		{"/etc/shadow", "outside the project folder"},
		{"/proc/self/environ", "files under /proc are never evidence"},
		{"/sys/kernel/notes", "files under /sys are never evidence"},
		{"/dev/zero", "files under /dev are never evidence"},
		{"sshdir/id_ed25519", "resolves to " + tr.outside + "/.ssh/id_ed25519, outside the project folder"},
		{"docs/away/notes.md", "outside the project folder"},
		{"docs/notes.md", "resolves to " + tr.outside + "/notes.md, outside"},
		{"docs/sub/../../../home/notes.md", "is outside the project folder"},
		{"docs/fifo", "is a FIFO (named pipe), not a regular file"},
		{"docs/hardlink.md", "has 2 hard links: another name of it may be outside the project folder"},
		{"docs", "is a folder, not a regular file"},
		{"docs/missing.md", "no such file"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			start := time.Now()
			_, err := c.Check(context.Background(), tr.proj, tt.path, true)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Contains(t, e.Msg, tt.msg)
			assert.False(t, e.Secret)
			assert.Equal(t, tt.path, e.Path)
			assert.NotContains(t, err.Error(), "\n")
			assert.Less(t, time.Since(start), time.Second, "a FIFO must not block")
		})
	}
}

func TestCheckAcceptsFilesInsideAndWidenedRoots(t *testing.T) {
	tr := newTree(t)
	c, err := NewChecker(tr.proj)
	require.NoError(t, err)
	f, err := c.Check(context.Background(), tr.proj, "docs/arch.md", false)
	require.NoError(t, err)
	assert.Equal(t, tr.proj+"/docs/arch.md", f.Real)
	f, err = c.Check(context.Background(), tr.proj, "docs/tls-link.md", false)
	require.NoError(t, err, "a link that stays inside the project is fine")
	assert.Equal(t, tr.proj+"/docs/sub/tls.md", f.Real)
	f, err = c.Check(context.Background(), tr.proj, tr.proj+"/docs/arch.md", false)
	require.NoError(t, err, "an absolute path inside the project")
	assert.Equal(t, tr.proj+"/docs/arch.md", f.Real)

	// --evidence-root widens the folder explicitly; a key stays a key
	wide, err := NewChecker(tr.proj, tr.outside)
	require.NoError(t, err)
	f, err = wide.Check(context.Background(), tr.proj, "docs/notes.md", false)
	require.NoError(t, err)
	assert.Equal(t, tr.outside+"/notes.md", f.Real)
	_, err = wide.Check(context.Background(), tr.proj, "sshdir/id_ed25519", false)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.True(t, e.Secret)
	assert.Contains(t, e.Msg, "holds a private key (line 1)")

	// /proc stays refused whatever the root
	all, err := NewChecker("/")
	require.NoError(t, err)
	_, err = all.Check(context.Background(), tr.proj, "/proc/self/environ", true)
	require.ErrorAs(t, err, &e)
	assert.Contains(t, e.Msg, "never evidence")

	_, err = NewChecker(filepath.Join(tr.proj, "nope"))
	assert.Error(t, err)
}

// A private key or a detected secret is refused unless the team opts in
// for that file; the message never holds the secret.
func TestCheckRefusesSecretsUnlessOptedIn(t *testing.T) {
	tr := newTree(t)
	write := func(name, s string) {
		require.NoError(t, os.WriteFile(filepath.Join(tr.proj, name), []byte(s), 0o600))
	}
	write("deploy.pem", "notes\n"+plantedKey)
	write("config.env", "# settings\nDEBUG=false\n"+plantedLine)
	putty := "PuTTY-User-Key-File-" + "3: ssh-ed25519\nEncryption: none\n"
	write("key.ppk", putty)
	c, err := NewChecker(tr.proj)
	require.NoError(t, err)
	for _, tt := range []struct{ path, msg string }{
		{"deploy.pem", "holds a private key (line 2); a key is never evidence"},
		{"key.ppk", "holds a private key (line 1)"},
		{"config.env", "holds a secret (provider:fincept-api-key at line 3: FINCEPT_KEY=fk_live_Qm***)"},
	} {
		_, err := c.Check(context.Background(), tr.proj, tt.path, false)
		var e *Error
		require.ErrorAs(t, err, &e, tt.path)
		assert.True(t, e.Secret)
		assert.Contains(t, e.Msg, tt.msg)
		assert.Contains(t, e.Hint, OptInField)
		assert.NotContains(t, err.Error(), plantedFK)
		assert.NotContains(t, err.Error(), plantedFK[8:20])
		// the remembered result says the same for the same file
		_, err2 := c.Check(context.Background(), tr.proj, "./"+tt.path, false)
		require.Error(t, err2)
		assert.Contains(t, err2.Error(), tt.msg)

		f, err := c.Check(context.Background(), tr.proj, tt.path, true)
		require.NoError(t, err, "opted in")
		assert.Equal(t, filepath.Join(tr.proj, tt.path), f.Real)
	}

	// the same file, cleaned: accepted (the remembered verdict is per version)
	time.Sleep(10 * time.Millisecond)
	write("config.env", "# settings\nDEBUG=false\n")
	_, err = c.Check(context.Background(), tr.proj, "config.env", false)
	require.NoError(t, err)
}

// The scan reads big files in chunks: a secret across a chunk boundary, or
// at the end of a multi-megabyte single line, is still found.
func TestCheckFindsSecretsAcrossChunks(t *testing.T) {
	tr := newTree(t)
	c, err := NewChecker(tr.proj)
	require.NoError(t, err)
	for name, content := range map[string]string{
		"boundary.txt": strings.Repeat("x\n", chunk/2-10) + plantedLine,
		"oneline.js":   strings.Repeat("var a=1;", 3*chunk/8) + plantedKey,
		"late.txt":     strings.Repeat("lorem ipsum dolor sit amet\n", 3*chunk/27) + plantedLine,
	} {
		require.NoError(t, os.WriteFile(filepath.Join(tr.proj, name), []byte(content), 0o600))
		_, err := c.Check(context.Background(), tr.proj, name, false)
		var e *Error
		require.ErrorAs(t, err, &e, name)
		assert.True(t, e.Secret, name)
	}
	_, err = c.Check(context.Background(), tr.proj, "late.txt", false)
	assert.Contains(t, err.Error(), "at line 116509:", "line numbers count across chunks")
}

// A large binary document is scanned in bounded time, and a cancelled
// context stops the scan.
func TestCheckLargeBinaryBoundedAndCancellable(t *testing.T) {
	tr := newTree(t)
	b := make([]byte, 16<<20)
	_, err := rand.Read(b)
	require.NoError(t, err)
	p := filepath.Join(tr.proj, "scan.bin")
	require.NoError(t, os.WriteFile(p, b, 0o600))
	c, err := NewChecker(tr.proj)
	require.NoError(t, err)
	start := time.Now()
	_, err = c.Check(context.Background(), tr.proj, "scan.bin", false)
	require.NoError(t, err)
	t.Logf("16 MiB random binary scanned in %s", time.Since(start))
	// A guard against a hang or a quadratic scan (a linear one takes about
	// a second here, 10-25 s under the race detector on a loaded machine),
	// not a speed target.
	assert.Less(t, time.Since(start), 2*time.Minute)

	c2, _ := NewChecker(tr.proj)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c2.Check(ctx, tr.proj, "scan.bin", false)
	assert.True(t, errors.Is(err, context.Canceled), "%v", err)
}
