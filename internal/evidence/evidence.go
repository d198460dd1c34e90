// Package evidence decides whether a file may go into the signed package as
// evidence. An answers file is input anyone can commit, and whatever it
// names is signed and sent to the provider: so evidence must resolve (links
// followed at every component) inside the project folder, be a regular
// file outside /proc, /sys and /dev, and hold no private key or detected
// secret unless the team said so for that file.
package evidence

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/selfassess/selfassess/internal/input"
	"github.com/selfassess/selfassess/probes/codescan"
)

// MaxFile bounds one evidence file: a document, not a disk image.
const MaxFile = 256 << 20

// OptInField is the answers field, per control, that lists evidence files
// the team packs although they hold what looks like a secret.
const OptInField = "evidence_with_secrets"

// systemDirs hold what is never a document: the process environment, kernel
// state, devices.
var systemDirs = []string{"/proc", "/sys", "/dev"}

// Error is evidence refused: Path as given, Msg why, Hint how to fix it.
type Error struct {
	Path string
	Msg  string
	Hint string
	// Secret: refused only because it holds a key or a secret; the team
	// may opt in (OptInField).
	Secret bool
}

func (e *Error) Error() string { return fmt.Sprintf("evidence %q: %s", e.Path, e.Msg) }

// File is an evidence file that passed the checks.
type File struct {
	// Real is its path with every link resolved: copy this one.
	Real string
	// Info identifies the file checked, so the copy can tell whether it is
	// still the same file (os.SameFile).
	Info os.FileInfo
}

// Checker checks evidence against the project folder(s); it remembers the
// files it scanned (by identity, size and time), so a file checked when the
// answers were loaded is not scanned again when it is packed.
type Checker struct {
	roots []string // absolute, links resolved

	mu   sync.Mutex
	seen map[string]scanned
}

type scanned struct {
	info os.FileInfo
	err  *Error // nil: clean
}

// NewChecker accepts evidence inside the given folders: the project folder
// (the one holding answers.yaml or selfassess.yaml) and any the team named
// with --evidence-root. A folder that does not exist is an error.
func NewChecker(roots ...string) (*Checker, error) {
	c := &Checker{seen: map[string]scanned{}}
	for _, r := range roots {
		if r == "" {
			continue
		}
		abs, err := filepath.Abs(r)
		if err == nil {
			abs, err = filepath.EvalSymlinks(abs)
		}
		if err != nil {
			return nil, fmt.Errorf("evidence root %s: %w", r, unwrap(err))
		}
		if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("evidence root %s: not a folder", r)
		}
		c.roots = append(c.roots, abs)
	}
	return c, nil
}

// Roots are the folders evidence must resolve inside.
func (c *Checker) Roots() []string { return append([]string(nil), c.roots...) }

// Check resolves p (relative to base, the answers file's folder) and
// applies every rule; allowSecret is the team's opt-in for this file.
// Errors are *Error, or ctx's error when the scan was cancelled.
func (c *Checker) Check(ctx context.Context, base, p string, allowSecret bool) (*File, error) {
	src := p
	if !filepath.IsAbs(src) {
		src = filepath.Join(base, filepath.FromSlash(p))
	}
	src, _ = filepath.Abs(src)
	if d := systemDir(src); d != "" {
		return nil, &Error{Path: p, Msg: "files under " + d + " are never evidence"}
	}
	real, err := filepath.EvalSymlinks(src)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &Error{Path: p, Msg: "no such file", Hint: "evidence paths are relative to the answers file's folder"}
		}
		return nil, &Error{Path: p, Msg: unwrap(err).Error()}
	}
	if d := systemDir(real); d != "" {
		return nil, &Error{Path: p, Msg: fmt.Sprintf("resolves to %s: files under %s are never evidence", real, d)}
	}
	if !c.inside(real) {
		msg := "is outside the project folder " + strings.Join(c.roots, " and ")
		if real != src {
			msg = fmt.Sprintf("resolves to %s, outside the project folder %s", real, strings.Join(c.roots, " and "))
		}
		return nil, &Error{Path: p, Msg: msg,
			Hint: "copy the document into the project folder, or widen it with --evidence-root DIR"}
	}
	fi, err := os.Lstat(real)
	if err != nil {
		return nil, &Error{Path: p, Msg: unwrap(err).Error()}
	}
	if !fi.Mode().IsRegular() {
		return nil, &Error{Path: p, Msg: "is " + kind(fi.Mode()) + ", not a regular file", Hint: "name the document itself"}
	}
	if n := hardLinks(fi); n > 1 {
		// The path check sees only this name; the same file may also be
		// ~/.ssh/something, linked in.
		return nil, &Error{Path: p, Msg: fmt.Sprintf("has %d hard links: another name of it may be outside the project folder", n),
			Hint: "attach a copy (cp, not ln) of the document"}
	}
	if fi.Size() > MaxFile {
		return nil, &Error{Path: p, Msg: "is larger than " + input.Size(MaxFile), Hint: "is it the right file?"}
	}
	if allowSecret {
		return &File{Real: real, Info: fi}, nil
	}
	if serr, err := c.scan(ctx, p, real, fi); err != nil {
		return nil, err
	} else if serr != nil {
		return nil, serr
	}
	return &File{Real: real, Info: fi}, nil
}

// inside reports whether real is one of the roots or below one.
func (c *Checker) inside(real string) bool {
	for _, r := range c.roots {
		rel, err := filepath.Rel(r, real)
		if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel) {
			return true
		}
	}
	return false
}

func systemDir(p string) string {
	for _, d := range systemDirs {
		if p == d || strings.HasPrefix(p, d+"/") {
			return d
		}
	}
	return ""
}

// keyBlock is the start of a private key in any format a team might hold.
var keyBlock = regexp.MustCompile(`-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----|PuTTY-User-Key-File-\d+:`)

// chunk is how much is scanned at once; overlap carries the end of a chunk
// into the next, so a secret across the boundary is still seen.
const (
	chunk   = 1 << 20
	overlap = 4 << 10
)

// scan looks for a private key or a secret codescan detects; the result is
// remembered for this file as it is now.
func (c *Checker) scan(ctx context.Context, p, real string, fi os.FileInfo) (*Error, error) {
	c.mu.Lock()
	prev, ok := c.seen[real]
	c.mu.Unlock()
	if ok && os.SameFile(prev.info, fi) && prev.info.Size() == fi.Size() && prev.info.ModTime().Equal(fi.ModTime()) {
		if prev.err != nil {
			e := *prev.err
			e.Path = p
			return &e, nil
		}
		return nil, nil
	}
	serr, err := scanFile(ctx, p, real)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.seen[real] = scanned{info: fi, err: serr}
	c.mu.Unlock()
	return serr, nil
}

func scanFile(ctx context.Context, p, real string) (*Error, error) {
	secrets, err := codescan.DefaultSecrets()
	if err != nil {
		return nil, err
	}
	f, err := input.Open(real)
	if err != nil {
		return &Error{Path: p, Msg: unwrap(err).Error()}, nil
	}
	defer f.Close()
	optIn := fmt.Sprintf("if the reviewer must have this file as it is, list it under %s for this control in the answers file", OptInField)
	buf := make([]byte, 0, chunk+overlap)
	line := 1 // line number of buf[0]
	r := io.LimitReader(f, MaxFile+1)
	for eof := false; !eof; {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n, err := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			eof = true
		} else if err != nil {
			return &Error{Path: p, Msg: unwrap(err).Error()}, nil
		}
		// Scan up to the last line break (all of it at the end, or when
		// the last line is long), so a secret is not cut in two.
		end := len(buf)
		if i := bytes.LastIndexByte(buf, '\n'); !eof && i >= 0 && len(buf)-(i+1) <= overlap {
			end = i + 1
		}
		part := buf[:end]
		if loc := keyBlock.FindIndex(part); loc != nil {
			at := line + bytes.Count(part[:loc[0]], []byte{'\n'})
			return &Error{Path: p, Secret: true, Msg: fmt.Sprintf("holds a private key (line %d); a key is never evidence", at),
				Hint: "give the public key, or " + optIn}, nil
		}
		fs, err := secrets.ScanContext(ctx, real, part)
		if err != nil {
			return nil, err
		}
		if len(fs) > 0 {
			at := line + fs[0].Line - 1
			return &Error{Path: p, Secret: true, Msg: fmt.Sprintf("holds a secret (%s at line %d: %s)", fs[0].Rule, at, fs[0].Evidence),
				Hint: "remove or redact it, or " + optIn}, nil
		}
		if eof {
			break
		}
		// Carry the unfinished line, or the end of a long one, over.
		keep := buf[end:]
		if end == len(buf) {
			keep = buf[len(buf)-min(overlap, len(buf)):]
		}
		line += bytes.Count(buf[:len(buf)-len(keep)], []byte{'\n'})
		copy(buf, keep)
		buf = buf[:len(keep)]
	}
	return nil, nil
}

// kind is input.Kind in the words evidence messages use for a directory.
func kind(m fs.FileMode) string {
	if m.IsDir() {
		return "a folder"
	}
	return input.Kind(m)
}

// unwrap drops *PathError's op and path (the caller names the file).
func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
