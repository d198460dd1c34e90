//go:build unix

package submission

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"filippo.io/age"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/internal/filelock"
)

// buildVersion builds a signed package whose report.md says v, with a
// evidence file of size bytes.
func buildVersion(t *testing.T, dir string, s *Signer, v string, evidenceSize int) (*Package, error) {
	t.Helper()
	ev := filepath.Join(filepath.Dir(dir), "ev-"+v+".bin")
	require.NoError(t, os.WriteFile(ev, []byte(strings.Repeat(v, evidenceSize/len(v)+1)[:evidenceSize]), 0o644))
	files := []File{{Name: "report.md", Data: []byte("report " + v)}}
	if v == "v1" {
		files = append(files, File{Name: "changes.md", Data: []byte("only in v1")})
	}
	return Build(dir, files, []EvidenceFile{{Name: "C-1/doc.bin", Src: ev}}, Options{Signer: s, Date: date, Zip: ZipPathFor(dir)})
}

// checkIntact: the folder and the zip both verify, and both are version v.
func checkIntact(t *testing.T, dir string, s *Signer, v string) {
	t.Helper()
	for _, p := range []string{dir, ZipPathFor(dir)} {
		res, err := Verify(p, trustOf(s))
		require.NoError(t, err, p)
		assert.True(t, res.OK(), "%s: %+v", p, res)
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.md"))
	require.NoError(t, err)
	assert.Equal(t, "report "+v, string(b))
	z := unzipToMap(t, ZipPathFor(dir))
	assert.Equal(t, "report "+v, z[filepath.Base(dir)+"/report.md"])
}

// leftovers lists what is beside the package besides the folder, the zip,
// the evidence sources and the lock file.
func leftovers(t *testing.T, parent string) []string {
	t.Helper()
	ents, err := os.ReadDir(parent)
	require.NoError(t, err)
	var out []string
	for _, e := range ents {
		n := e.Name()
		if n == "pkg" || n == "pkg.zip" || strings.HasPrefix(n, "ev-") || n == ".pkg.lock" {
			continue
		}
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// A failure between any two steps of replacing a package leaves the
// previous package, folder and zip, exactly as it was, and nothing of the
// new one (issue 10.5, 10.10).
func TestBuildFailureBetweenStepsKeepsPreviousPackage(t *testing.T) {
	s := testSigner(t)
	for _, tc := range []struct {
		at       string
		exchange bool
	}{{"files", true}, {"zip", true}, {"swap", true}, {"swap", false}} {
		at := tc.at
		t.Run(fmt.Sprintf("%s/exchange=%v", at, tc.exchange), func(t *testing.T) {
			useExchange = tc.exchange
			t.Cleanup(func() { useExchange = true })
			parent := t.TempDir()
			dir := filepath.Join(parent, "pkg")
			_, err := buildVersion(t, dir, s, "v1", 1000)
			require.NoError(t, err)
			checkIntact(t, dir, s, "v1")

			injected := errors.New("injected failure at " + at)
			step = func(name string) error {
				if name == at {
					return injected
				}
				return nil
			}
			t.Cleanup(func() { step = func(string) error { return nil } })
			_, err = buildVersion(t, dir, s, "v2", 2000)
			require.ErrorIs(t, err, injected)
			checkIntact(t, dir, s, "v1")
			assert.FileExists(t, filepath.Join(dir, "changes.md"))
			assert.Empty(t, leftovers(t, parent))

			step = func(string) error { return nil }
			_, err = buildVersion(t, dir, s, "v2", 2000)
			require.NoError(t, err)
			checkIntact(t, dir, s, "v2")
			assert.NoFileExists(t, filepath.Join(dir, "changes.md"), "v1's own file is gone")
			assert.Empty(t, leftovers(t, parent))
		})
	}
}

// The zip cannot be renamed into place (a folder is in the way) after the
// folder was swapped: the folder is swapped back.
func TestBuildZipRenameFailsFolderSwappedBack(t *testing.T) {
	s := testSigner(t)
	parent := t.TempDir()
	dir := filepath.Join(parent, "pkg")
	_, err := buildVersion(t, dir, s, "v1", 10)
	require.NoError(t, err)
	v1, err := os.ReadFile(filepath.Join(dir, SumsFile))
	require.NoError(t, err)
	require.NoError(t, os.Remove(ZipPathFor(dir)))
	require.NoError(t, os.MkdirAll(filepath.Join(ZipPathFor(dir), "blocker"), 0o755))
	_, err = buildVersion(t, dir, s, "v2", 10)
	require.Error(t, err)
	got, err := os.ReadFile(filepath.Join(dir, SumsFile))
	require.NoError(t, err)
	assert.Equal(t, string(v1), string(got), "the folder is the previous package again")
	assert.Empty(t, leftovers(t, parent))
}

// Cancelling (Ctrl-C) while a large evidence file is copied stops the
// build at once and leaves the previous package.
func TestBuildCancelledKeepsPreviousPackage(t *testing.T) {
	s := testSigner(t)
	parent := t.TempDir()
	dir := filepath.Join(parent, "pkg")
	_, err := buildVersion(t, dir, s, "v1", 10)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ev := filepath.Join(parent, "ev-big.bin")
	require.NoError(t, os.WriteFile(ev, make([]byte, 8<<20), 0o644))
	_, err = BuildContext(ctx, dir, []File{{Name: "report.md", Data: []byte("report v2")}},
		[]EvidenceFile{{Name: "C-1/doc.bin", Src: ev}}, Options{Signer: s, Zip: ZipPathFor(dir)})
	require.ErrorIs(t, err, context.Canceled)
	checkIntact(t, dir, s, "v1")
	assert.Empty(t, leftovers(t, parent))
}

// A real full disk: the build runs in a child process whose file size
// limit (RLIMIT_FSIZE) is below the new evidence file, so a write fails
// (EFBIG) as it would on a full disk; the previous package survives.
func TestBuildFileSizeLimitKeepsPreviousPackage(t *testing.T) {
	if dir := os.Getenv("SELFASSESS_FSIZE_CHILD"); dir != "" {
		s := testSigner(t)
		lim := &syscall.Rlimit{Cur: 256 << 10, Max: 256 << 10}
		require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_FSIZE, lim))
		_, err := Build(dir, []File{{Name: "report.md", Data: []byte("report v2")}},
			[]EvidenceFile{{Name: "C-1/doc.bin", Src: filepath.Join(filepath.Dir(dir), "ev-big.bin")}}, Options{Signer: s, Date: date, Zip: ZipPathFor(dir)})
		fmt.Println("child:", err)
		if err == nil {
			os.Exit(9)
		}
		os.Exit(0)
	}
	s := testSigner(t)
	parent := t.TempDir()
	dir := filepath.Join(parent, "pkg")
	_, err := buildVersion(t, dir, s, "v1", 10)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(parent, "ev-big.bin"), make([]byte, 1<<20), 0o644))
	cmd := exec.Command(os.Args[0], "-test.run=^TestBuildFileSizeLimitKeepsPreviousPackage$")
	cmd.Env = append(os.Environ(), "SELFASSESS_FSIZE_CHILD="+dir)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "file too large")
	checkIntact(t, dir, s, "v1")
	assert.Empty(t, leftovers(t, parent))
}

// The lock says who holds it; the next holder tidies what a killed run
// left: a half-built folder and zip, and a folder caught between renames.
func TestLockOutputHeldAndStaleCleanup(t *testing.T) {
	s := testSigner(t)
	parent := t.TempDir()
	dir := filepath.Join(parent, "pkg")
	l, err := LockOutput(dir, ZipPathFor(dir))
	require.NoError(t, err)
	_, err = LockOutput(dir, ZipPathFor(dir))
	var held *filelock.HeldError
	require.ErrorAs(t, err, &held)
	assert.Regexp(t, `^pid \d+ on .+, since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$`, held.Holder)
	_, err = buildVersion(t, dir, s, "v1", 10)
	require.NoError(t, err)
	require.NoError(t, l.Release())

	// kill -9 in the middle of a two-rename swap, with temporaries about
	require.NoError(t, os.Rename(dir, filepath.Join(parent, ".pkg.old-123")))
	require.NoError(t, os.MkdirAll(filepath.Join(parent, ".pkg.new-456", "evidence"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(parent, ".pkg.zip.new-789"), []byte("half"), 0o644))
	l, err = LockOutput(dir, ZipPathFor(dir))
	require.NoError(t, err)
	defer l.Release()
	checkIntact(t, dir, s, "v1")
	assert.Empty(t, leftovers(t, parent))
}

// A folder of other files that is not a package, or the working folder,
// is not replaced.
func TestBuildRefusesForeignFolders(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "project")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main"), 0o644))
	_, err := Build(dir, []File{{Name: "report.md", Data: []byte("x")}}, nil, Options{})
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	assert.Contains(t, err.Error(), "holds files but no selfassess package")
	assert.FileExists(t, filepath.Join(dir, "main.go"))

	t.Chdir(parent)
	_, err = Build(".", []File{{Name: "report.md", Data: []byte("x")}}, nil, Options{})
	require.ErrorAs(t, err, &ie)
	assert.Contains(t, err.Error(), "holds the current folder")
}

func unzipToMap(t *testing.T, p string) map[string]string {
	t.Helper()
	zr, err := zip.OpenReader(p)
	require.NoError(t, err)
	defer zr.Close()
	out := map[string]string{}
	for _, f := range zr.File {
		r, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(r)
		r.Close()
		require.NoError(t, err)
		out[f.Name] = string(b)
	}
	return out
}

// With encryption to the reviewer, the .age file follows the package as
// the zip does: a failure leaves the previous one, byte for byte.
func TestBuildEncryptedFailureKeepsPreviousAge(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	r, err := ParseRecipient(id.Recipient().String())
	require.NoError(t, err)
	s := testSigner(t)
	parent := t.TempDir()
	dir := filepath.Join(parent, "pkg")
	opts := Options{Signer: s, Date: date, Zip: ZipPathFor(dir), EncryptTo: []Recipient{r}}
	pkg, err := Build(dir, []File{{Name: "report.md", Data: []byte("report v1")}}, nil, opts)
	require.NoError(t, err)
	before, err := os.ReadFile(pkg.Encrypted)
	require.NoError(t, err)
	fi, err := os.Stat(pkg.Encrypted)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm(), "readable like the zip")
	for _, at := range []string{"zip", "swap"} {
		injected := errors.New("injected at " + at)
		step = func(name string) error {
			if name == at {
				return injected
			}
			return nil
		}
		_, err = Build(dir, []File{{Name: "report.md", Data: []byte("report v2")}}, nil, opts)
		step = func(string) error { return nil }
		require.ErrorIs(t, err, injected)
		after, err := os.ReadFile(pkg.Encrypted)
		require.NoError(t, err)
		assert.Equal(t, before, after, at)
		b, err := os.ReadFile(filepath.Join(dir, "report.md"))
		require.NoError(t, err)
		assert.Equal(t, "report v1", string(b))
		ents, err := os.ReadDir(parent)
		require.NoError(t, err)
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		assert.ElementsMatch(t, []string{"pkg", "pkg.zip.age"}, names, at)
	}
}
