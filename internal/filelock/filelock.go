// Package filelock is an advisory, exclusive lock held by a process for as
// long as it works on a file: the operating system drops it when the
// process ends, however it ends (kill -9 included), so a lock is never
// stale. The lock file records who holds it, so the one refused can say.
package filelock

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// HeldError is returned by Acquire when another process (or another
// session of this one) holds the lock.
type HeldError struct {
	Path   string // the file the lock guards
	Holder string // "pid 1234 on host, since 15:04:05 UTC", or "" when unknown
}

func (e *HeldError) Error() string {
	if e.Holder == "" {
		return fmt.Sprintf("%s is in use by another selfassess session", e.Path)
	}
	return fmt.Sprintf("%s is in use by another selfassess session (%s)", e.Path, e.Holder)
}

// Lock is a held lock; Release it when done.
type Lock struct {
	f    *os.File
	path string
}

// Acquire takes the lock file lockPath, which guards guarded (named in
// errors), without waiting: a held lock is a *HeldError at once.
func Acquire(lockPath, guarded string) (*Lock, error) {
	for range 10 {
		f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, err
		}
		if err := lock(f); err != nil {
			f.Close()
			if errors.Is(err, errHeld) {
				return nil, &HeldError{Path: guarded, Holder: holder(lockPath)}
			}
			return nil, fmt.Errorf("locking %s: %w", lockPath, err)
		}
		// The holder before us may have removed the file between our open
		// and our lock: then we locked a file nobody else can see; retry.
		if st, err := os.Stat(lockPath); err != nil || !sameFile(f, st) {
			unlock(f)
			f.Close()
			continue
		}
		host, _ := os.Hostname()
		f.Truncate(0)
		fmt.Fprintf(f, "pid %d on %s, since %s\n", os.Getpid(), host, time.Now().UTC().Format("2006-01-02 15:04:05 UTC"))
		return &Lock{f: f, path: lockPath}, nil
	}
	return nil, fmt.Errorf("locking %s: the lock file keeps changing", lockPath)
}

// Release removes the lock file and drops the lock (in that order, so a
// process that opened the old file notices it is gone and retries).
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	os.Remove(l.path) // best effort: Windows keeps an open file; a leftover lock file is harmless
	unlock(l.f)
	err := l.f.Close()
	l.f = nil
	return err
}

func sameFile(f *os.File, st os.FileInfo) bool {
	fst, err := f.Stat()
	return err == nil && os.SameFile(fst, st)
}

// holder is the first line the lock's holder wrote, if it can be read. The
// holder writes it just after taking the lock, so an empty file is read
// again for a moment.
func holder(lockPath string) string {
	for range 20 {
		if h := readHolder(lockPath); h != "" {
			return h
		}
		time.Sleep(5 * time.Millisecond)
	}
	return ""
}

func readHolder(lockPath string) string {
	b := make([]byte, 200)
	f, err := os.Open(lockPath)
	if err != nil {
		return ""
	}
	defer f.Close()
	n, _ := f.Read(b)
	line, _, _ := strings.Cut(string(b[:n]), "\n")
	return strings.TrimSpace(line)
}

// TryLock takes an exclusive lock on an open file without waiting; false
// when another open file (any process) holds it. Closing f drops it.
func TryLock(f *os.File) (bool, error) {
	switch err := lock(f); {
	case err == nil:
		return true, nil
	case errors.Is(err, errHeld):
		return false, nil
	default:
		return false, err
	}
}
