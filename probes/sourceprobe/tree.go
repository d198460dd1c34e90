package sourceprobe

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"
)

const (
	// maxFileSize: larger files get the secrets scan only (minified
	// bundles, data dumps: the other scanners' line rules tell nothing
	// there); maxSecretFileSize: larger ones are skipped (and counted).
	maxFileSize       = 1 << 20
	maxSecretFileSize = 16 << 20
	// maxFiles bounds one scan; a tree with more files is reported as truncated.
	maxFiles = 200_000
	// sniffSize is how much of a file is checked for NUL bytes (binary) and
	// "Code generated … DO NOT EDIT" markers.
	sniffSize = 8 << 10
	// gitTimeout bounds each git command.
	gitTimeout = 60 * time.Second
)

// Skip reasons, as reported in Observed.
const (
	skipVendored  = "vendored"
	skipGenerated = "generated"
	skipBinary    = "binary"
	skipTooLarge  = "too_large"
	skipNotRegule = "not_regular_file"
	skipMissing   = "unreadable"
	skipLimit     = "over_file_limit"
	skipTimeout   = "scan_timeout"
	// skipSecretsOnly: build output, minified, generated and large files,
	// scanned for secrets only (counted as skipped by the other probes).
	skipSecretsOnly = "secrets_scan_only"
)

// skipDirs are vendored and dependency folders: third-party code, skipped.
var skipDirs = map[string]bool{
	"vendor": true, "node_modules": true, ".git": true, "third_party": true,
	"bower_components": true, ".venv": true, "venv": true, "__pycache__": true,
	".tox": true, ".terraform": true, ".gradle": true,
}

// buildDirs are build-output folders: a committed bundle can carry a
// secret (gitleaks finds it), so they get the secrets scan only.
var buildDirs = map[string]bool{"dist": true, "build": true, ".next": true, ".nuxt": true, "coverage": true}

// lockFiles are generated dependency manifests: hashes and registry URLs only.
var lockFiles = map[string]bool{
	"go.sum": true, "package-lock.json": true, "npm-shrinkwrap.json": true, "yarn.lock": true, "pnpm-lock.yaml": true,
	"Cargo.lock": true, "poetry.lock": true, "Pipfile.lock": true, "composer.lock": true, "Gemfile.lock": true,
	"gradle.lockfile": true, "packages.lock.json": true, "deno.lock": true, "bun.lockb": true, "mix.lock": true,
}

// binaryExts are skipped without reading.
var binaryExts = map[string]bool{
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".ico": true, ".webp": true, ".bmp": true, ".pdf": true,
	".zip": true, ".gz": true, ".tgz": true, ".bz2": true, ".xz": true, ".7z": true, ".jar": true, ".war": true,
	".woff": true, ".woff2": true, ".ttf": true, ".otf": true, ".eot": true, ".so": true, ".dll": true, ".exe": true,
	".dylib": true, ".a": true, ".o": true, ".class": true, ".pyc": true, ".mp3": true, ".mp4": true, ".mov": true,
	".wasm": true, ".sqlite": true, ".db": true,
}

// tree is the list of files one source scan reads, shared by all eight probes.
type tree struct {
	root string
	// mode is "git" (tracked files) or "walk" (every file).
	mode string
	// note says why a git checkout was walked instead (git missing, refused…).
	note string
	// files are slash-separated paths relative to root, to be read.
	files []string
	// all are every listed file before the folder filters: in git mode the
	// tracked files, for the "secret file is tracked" check.
	all     []string
	skipped map[string]int
}

// listTree lists the files to scan: git-tracked files in a git checkout,
// every regular file otherwise. Symlinks are never followed, so the scan
// stays inside the directory the user named.
// treeListings counts listTree calls, so a test can tell that parameter
// sets share one listing.
var treeListings atomic.Int64

func listTree(ctx context.Context, root string) (*tree, error) {
	treeListings.Add(1)
	st, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s: not a directory", root)
	}
	t := &tree{root: root, skipped: map[string]int{}}
	tracked, gitErr := gitLsFiles(ctx, root)
	switch {
	case gitErr == nil && len(tracked) > 0:
		t.mode = "git"
		t.all = tracked
		for _, p := range tracked {
			if inDir(p, skipDirs) {
				t.skipped[skipVendored]++
				continue
			}
			t.files = append(t.files, p)
		}
	default:
		if gitErr == nil {
			t.note = "git: no tracked files here; scanned every file"
		} else if !errors.Is(gitErr, errNotRepo) {
			t.note = gitErr.Error() + "; scanned every file"
		}
		t.mode = "walk"
		if err := t.walk(ctx); err != nil {
			return nil, err
		}
	}
	if len(t.files) > maxFiles {
		t.skipped[skipLimit] += len(t.files) - maxFiles
		t.files = t.files[:maxFiles]
	}
	return t, nil
}

func (t *tree) walk(ctx context.Context) error {
	return filepath.WalkDir(t.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == t.root {
				return err
			}
			t.skipped[skipMissing]++
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		rel, _ := filepath.Rel(t.root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if p != t.root && skipDirs[d.Name()] {
				t.skipped[skipVendored]++ // counted per folder: its files are never listed
				return fs.SkipDir
			}
			return nil
		}
		t.all = append(t.all, rel)
		if !d.Type().IsRegular() {
			t.skipped[skipNotRegule]++
			return nil
		}
		t.files = append(t.files, rel)
		return nil
	})
}

func inDir(p string, dirs map[string]bool) bool {
	dir := path.Dir(p)
	if dir == "." {
		return false
	}
	for _, seg := range strings.Split(dir, "/") {
		if dirs[seg] {
			return true
		}
	}
	return false
}

var errNotRepo = errors.New("not a git repository")

// gitCmd runs git in dir with the repository's own hooks and helper
// programs disarmed: a scanned repository is untrusted input.
func gitCmd(ctx context.Context, dir string, args ...string) *exec.Cmd {
	base := []string{"-C", dir, "-c", "core.fsmonitor=false", "-c", "core.quotepath=off"}
	cmd := exec.CommandContext(ctx, "git", append(base, args...)...)
	env := []string{"GIT_OPTIONAL_LOCKS=0", "GIT_TERMINAL_PROMPT=0"}
	for _, kv := range os.Environ() {
		// a caller's GIT_DIR/GIT_WORK_TREE would point git at another repository
		if strings.HasPrefix(kv, "GIT_DIR=") || strings.HasPrefix(kv, "GIT_WORK_TREE=") || strings.HasPrefix(kv, "GIT_INDEX_FILE=") ||
			strings.HasPrefix(kv, "GIT_CEILING_DIRECTORIES=") {
			continue
		}
		env = append(env, kv)
	}
	cmd.Env = env
	return cmd
}

// gitLsFiles returns the tracked files under dir (relative to dir), or
// errNotRepo, or why git could not say.
func gitLsFiles(ctx context.Context, dir string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, gitTimeout)
	defer cancel()
	cmd := gitCmd(ctx, dir, "ls-files", "-z", "--cached")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return nil, errors.New("git is not installed")
		}
		msg := strings.TrimSpace(stderr.String())
		if strings.Contains(msg, "not a git repository") {
			return nil, errNotRepo
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("git ls-files: %v", ctx.Err())
		}
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		return nil, fmt.Errorf("git ls-files failed (%s)", strings.TrimPrefix(msg, "fatal: "))
	}
	var files []string
	seen := map[string]bool{}
	for _, p := range bytes.Split(stdout.Bytes(), []byte{0}) {
		// a file in a merge conflict is listed once per stage
		if len(p) > 0 && !seen[string(p)] {
			seen[string(p)] = true
			files = append(files, string(p))
		}
	}
	return files, nil
}

// readResult is one file's content, or why it was skipped.
type readResult struct {
	content []byte
	skip    string
	// secretsOnly: only the secrets scan reads this file (build output,
	// minified, generated, over maxFileSize)
	secretsOnly bool
}

// readFile reads a text file to scan, or says why it is skipped.
func readFile(root, rel string) readResult {
	base := path.Base(rel)
	lower := strings.ToLower(base)
	if binaryExts[strings.ToLower(path.Ext(base))] {
		return readResult{skip: skipBinary}
	}
	if lockFiles[base] {
		return readResult{skip: skipGenerated}
	}
	secretsOnly := inDir(rel, buildDirs) || strings.HasSuffix(lower, ".min.js") || strings.HasSuffix(lower, ".min.css") || strings.HasSuffix(lower, ".map")
	full := filepath.Join(root, filepath.FromSlash(rel))
	st, err := os.Lstat(full)
	if err != nil {
		return readResult{skip: skipMissing}
	}
	if !st.Mode().IsRegular() {
		return readResult{skip: skipNotRegule}
	}
	if st.Size() > maxSecretFileSize {
		return readResult{skip: skipTooLarge}
	}
	f, err := os.Open(full)
	if err != nil {
		return readResult{skip: skipMissing}
	}
	defer f.Close()
	content, err := io.ReadAll(io.LimitReader(f, maxSecretFileSize+1))
	if err != nil {
		return readResult{skip: skipMissing}
	}
	if len(content) > maxSecretFileSize {
		return readResult{skip: skipTooLarge}
	}
	head := content
	if len(head) > sniffSize {
		head = head[:sniffSize]
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return readResult{skip: skipBinary}
	}
	secretsOnly = secretsOnly || len(content) > maxFileSize || isGenerated(head)
	return readResult{content: content, secretsOnly: secretsOnly}
}

// isGenerated spots the conventional markers of generated code near the top
// of a file: Go's "Code generated … DO NOT EDIT.", "@generated", .NET's
// "<auto-generated>".
func isGenerated(head []byte) bool {
	if len(head) > 2048 {
		head = head[:2048]
	}
	if i := bytes.Index(head, []byte("Code generated")); i >= 0 && bytes.Contains(head[i:], []byte("DO NOT EDIT")) {
		return true
	}
	return bytes.Contains(head, []byte("@generated")) || bytes.Contains(head, []byte("<auto-generated"))
}
