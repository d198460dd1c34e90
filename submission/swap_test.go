//go:build unix

package submission

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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

// A folder in the way of the zip is found before the package folder is
// swapped (it once was found after, and the folder swapped back).
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
	require.NoError(t, os.WriteFile(filepath.Join(parent, ".pkg.zip.old-age-321"), []byte("previous"), 0o644))
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

// ageRecipient is a fresh reviewer key for encrypted builds.
func ageRecipient(t *testing.T) (Recipient, age.Identity) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	r, err := ParseRecipient(id.Recipient().String())
	require.NoError(t, err)
	return r, id
}

// A failure after the folder swap, once the .age or the zip is in place,
// puts everything back: the previous folder, zip and .age byte for byte,
// and nothing of ours left beside them. Once the failure is gone the new
// package is complete: the zip and the .age it keeps match the folder, and
// the stale one is gone.
func TestBuildFailureAfterSwapPutsZipAndAgeBack(t *testing.T) {
	s := testSigner(t)
	r, id := ageRecipient(t)
	enc := Options{EncryptTo: []Recipient{r}}
	keep := Options{EncryptTo: []Recipient{r}, KeepPlain: true}
	for _, prev := range []struct {
		name string
		opts *Options // nil: no previous package
	}{{"first", nil}, {"plain", &Options{}}, {"encrypted", &enc}, {"both", &keep}} {
		for _, next := range []struct {
			name string
			opts Options
		}{{"plain", Options{}}, {"encrypted", enc}, {"both", keep}} {
			for _, at := range []string{"age", "plain"} {
				for _, exchange := range []bool{true, false} {
					t.Run(fmt.Sprintf("%s→%s/%s/exchange=%v", prev.name, next.name, at, exchange), func(t *testing.T) {
						useExchange = exchange
						t.Cleanup(func() { useExchange = true })
						parent := t.TempDir()
						dir := filepath.Join(parent, "pkg")
						zipPath := ZipPathFor(dir)
						build := func(v string, o Options) error {
							o.Signer, o.Date, o.Zip = s, date, zipPath
							_, err := Build(dir, []File{{Name: "report.md", Data: []byte("report " + v)}}, nil, o)
							return err
						}
						if prev.opts != nil {
							require.NoError(t, build("v1", *prev.opts))
						}
						before := snapshot(t, parent)

						injected := errors.New("injected at " + at)
						step = func(name string) error {
							if name == at {
								return injected
							}
							return nil
						}
						t.Cleanup(func() { step = func(string) error { return nil } })
						err := build("v2", next.opts)
						require.ErrorIs(t, err, injected)
						assert.NotContains(t, err.Error(), "\n")
						assert.Equal(t, before, snapshot(t, parent))
						if prev.opts != nil {
							assert.Contains(t, err.Error(), "the previous package is back in place")
						}

						step = func(string) error { return nil }
						require.NoError(t, build("v2", next.opts))
						wantZip := len(next.opts.EncryptTo) == 0 || next.opts.KeepPlain
						wantAge := len(next.opts.EncryptTo) > 0
						names := []string{"pkg"}
						if wantZip {
							names = append(names, "pkg.zip")
							res, err := Verify(zipPath, trustOf(s))
							require.NoError(t, err)
							assert.True(t, res.OK(), "%+v", res)
							assert.Equal(t, "report v2", unzipToMap(t, zipPath)["pkg/report.md"])
						}
						if wantAge {
							names = append(names, "pkg.zip.age")
							res, err := VerifyEncrypted(zipPath+AgeExt, []age.Identity{id}, trustOf(s))
							require.NoError(t, err)
							assert.True(t, res.OK(), "%+v", res)
						}
						ents, err := os.ReadDir(parent)
						require.NoError(t, err)
						var got []string
						for _, e := range ents {
							got = append(got, e.Name())
						}
						assert.Equal(t, names, got, "the new package, nothing stale, nothing of ours")
						b, err := os.ReadFile(filepath.Join(dir, "report.md"))
						require.NoError(t, err)
						assert.Equal(t, "report v2", string(b))
					})
				}
			}
		}
	}
}

// A folder where the zip or the .age goes (one the build would replace or
// remove as stale) is refused before anything is replaced: the previous
// package, the folder and what is in it stay as they were. Before, the
// folder of the package was swapped first and the failed removal then
// deleted the previous package, leaving the new one with a stale zip
// (issue 10.5, 10.10).
func TestBuildFolderInPlaceOfZipOrAgeKeepsPreviousPackage(t *testing.T) {
	s := testSigner(t)
	r, _ := ageRecipient(t)
	for _, tc := range []struct {
		name       string
		prev, next Options // EncryptTo and KeepPlain only
		blocked    string  // "zip" or "age"
	}{
		{"stale age of a plain package", Options{}, Options{}, "age"},
		{"plain zip of an encrypted package", Options{}, Options{EncryptTo: []Recipient{r}}, "zip"},
		{"zip kept beside the age", Options{EncryptTo: []Recipient{r}, KeepPlain: true}, Options{EncryptTo: []Recipient{r}, KeepPlain: true}, "zip"},
		{"age of an encrypted package", Options{}, Options{EncryptTo: []Recipient{r}}, "age"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "pkg")
			zipPath := ZipPathFor(dir)
			build := func(v string, o Options) error {
				o.Signer, o.Date, o.Zip = s, date, zipPath
				_, err := Build(dir, []File{{Name: "report.md", Data: []byte("report " + v)}}, nil, o)
				return err
			}
			require.NoError(t, build("v1", tc.prev))
			blocker := zipPath
			if tc.blocked == "age" {
				blocker += AgeExt
			}
			require.NoError(t, os.RemoveAll(blocker))
			require.NoError(t, os.MkdirAll(filepath.Join(blocker, "team-notes"), 0o755))
			before := snapshot(t, parent)

			err := build("v2", tc.next)
			require.Error(t, err)
			assert.Contains(t, err.Error(), blocker)
			var ie *InputError
			assert.ErrorAs(t, err, &ie, "a folder in the way is the user's to move: exit 2")
			assert.Equal(t, before, snapshot(t, parent), "nothing replaced, nothing left behind")
			res, verr := Verify(dir, trustOf(s))
			require.NoError(t, verr)
			assert.True(t, res.OK(), "%+v", res)
		})
	}
}

// snapshot maps every path under root to its size and digest ("/" for a
// folder).
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			out[rel] = "/"
			return nil
		}
		b, err := os.ReadFile(p)
		out[rel] = fmt.Sprintf("%d %x", len(b), sha256.Sum256(b))
		return err
	}))
	return out
}

// The .age is flushed to disk before it is renamed into place, as the zip
// is, so a crash cannot leave an empty or short .age under its final name.
// A pipe cannot be flushed (fsync: EINVAL): encrypting into one must
// report that, which shows the flush is done and checked.
func TestEncryptFileFlushesToDisk(t *testing.T) {
	r, _ := ageRecipient(t)
	src := filepath.Join(t.TempDir(), "pkg.zip")
	require.NoError(t, os.WriteFile(src, []byte("zip bytes"), 0o644))
	pr, pw, err := os.Pipe()
	require.NoError(t, err)
	defer pr.Close()
	drained := make(chan struct{})
	go func() { io.Copy(io.Discard, pr); close(drained) }()
	err = encryptFile(pw, src, []Recipient{r})
	pw.Close()
	<-drained
	require.Error(t, err)
	assert.ErrorIs(t, err, syscall.EINVAL)
}

// When the previous folder cannot be swapped back either, the error says
// where it is, and it is there, whole.
func TestBuildRestoreFailureKeepsPreviousFolderWhereItSays(t *testing.T) {
	s := testSigner(t)
	for _, exchange := range []bool{true, false} {
		t.Run(fmt.Sprintf("exchange=%v", exchange), func(t *testing.T) {
			useExchange = exchange
			t.Cleanup(func() { useExchange = true })
			parent := t.TempDir()
			dir := filepath.Join(parent, "pkg")
			_, err := buildVersion(t, dir, s, "v1", 10)
			require.NoError(t, err)
			step = func(name string) error {
				switch name {
				case "plain":
					return errors.New("injected at plain")
				case "restore":
					return errors.New("injected at restore")
				}
				return nil
			}
			t.Cleanup(func() { step = func(string) error { return nil } })
			_, err = buildVersion(t, dir, s, "v2", 10)
			require.Error(t, err)
			m := regexp.MustCompile(`restoring the previous package failed too: injected at restore \(it is in (\S+); `).FindStringSubmatch(err.Error())
			require.NotNil(t, m, err.Error())
			res, err := Verify(m[1], trustOf(s))
			require.NoError(t, err)
			assert.True(t, res.OK(), "%+v", res)
			b, err := os.ReadFile(filepath.Join(m[1], "report.md"))
			require.NoError(t, err)
			assert.Equal(t, "report v1", string(b))
		})
	}
}
