package submission

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/selfassess/selfassess/internal/filelock"
)

// swapIn puts the folder src at dst. When dst held a folder, old is where
// it is now (remove it, or swap it back); "" when there was none.
func swapIn(src, dst string) (old string, err error) {
	if _, err := os.Lstat(dst); errors.Is(err, os.ErrNotExist) {
		return "", os.Rename(src, dst)
	}
	if useExchange {
		if ok, err := exchange(src, dst); ok || err != nil {
			return src, err
		}
	}
	// Two renames: dst is missing for a moment; LockOutput puts the old
	// folder back if the process dies in between.
	parent, base := filepath.Dir(dst), filepath.Base(dst)
	old, err = os.MkdirTemp(parent, "."+base+oldSuffix)
	if err != nil {
		return "", err
	}
	os.Remove(old) // only its name was wanted
	if err := os.Rename(dst, old); err != nil {
		return "", err
	}
	if err := os.Rename(src, dst); err != nil {
		if rerr := os.Rename(old, dst); rerr != nil {
			return "", fmt.Errorf("%w; the previous package is in %s", err, old)
		}
		return "", err
	}
	return old, nil
}

// useExchange is false in tests of the two-rename fallback.
var useExchange = true

// syncDir flushes a folder's entries (the renames) to disk; best effort.
func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		f.Sync()
		f.Close()
	}
}

// LockOutput takes the exclusive lock on the package folder dir (and its
// zip), held until Release: a second run on the same folder gets a
// *filelock.HeldError naming the holder (pid, host, since). It then tidies
// what an interrupted run left beside the folder: a half-built new folder
// or zip and a previous zip kept aside are removed, and a previous folder
// caught between two renames is put back.
func LockOutput(dir, zipPath string) (*filelock.Lock, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	parent, base := filepath.Dir(abs), filepath.Base(abs)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	l, err := filelock.Acquire(filepath.Join(parent, "."+base+".lock"), dir)
	if err != nil {
		return nil, err
	}
	olds, _ := filepath.Glob(filepath.Join(parent, globEscape("."+base+oldSuffix)+"*"))
	sort.Strings(olds)
	if _, err := os.Lstat(abs); errors.Is(err, os.ErrNotExist) && len(olds) > 0 {
		os.Rename(olds[len(olds)-1], abs)
	}
	stale := olds
	news, _ := filepath.Glob(filepath.Join(parent, globEscape("."+base+newSuffix)+"*"))
	stale = append(stale, news...)
	if zipPath != "" {
		// new zips and .age files, and the previous ones a build kept aside
		for _, suffix := range []string{newSuffix, oldSuffix} {
			zips, _ := filepath.Glob(filepath.Join(filepath.Dir(zipPath), globEscape("."+filepath.Base(zipPath)+suffix)+"*"))
			stale = append(stale, zips...)
		}
	}
	for _, p := range stale {
		os.RemoveAll(p)
	}
	return l, nil
}

// globEscape quotes glob metacharacters in a file name.
func globEscape(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		switch r {
		case '*', '?', '[', '\\':
			out = append(out, '\\')
		}
		out = append(out, r)
	}
	return string(out)
}
