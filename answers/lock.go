package answers

import (
	"crypto/sha256"
	"path/filepath"

	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/filelock"
	"github.com/selfassess/selfassess/internal/input"
)

// LockedError is Lock's answer when another questionnaire holds the file;
// it says who (process, host, since when).
type LockedError = filelock.HeldError

// LockPath is the lock file beside an answers file: .answers.yaml.lock.
func LockPath(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".lock")
}

// Lock takes f's file for one questionnaire session, so two sessions on one
// file cannot overwrite each other's answers: while one holds it, another
// gets a *LockedError at once. The operating system drops the lock when the
// process ends, even by kill -9. If another session wrote the file after f
// was loaded (it finished just before this one took the lock), f is
// reloaded, so its answers are kept, not overwritten. Temp files a killed
// session left beside the file are removed.
func Lock(f *File, cl *checklist.Checklist) (release func() error, err error) {
	lk, err := filelock.Acquire(LockPath(f.Path), f.Path)
	if err != nil {
		return nil, err
	}
	// Holding the lock, no other session is saving: temp files of a session
	// killed mid-save are leftovers.
	input.RemoveStaleTemps(f.Path)
	data, err := input.ReadFile(f.Path, maxFileSize)
	switch {
	case IsNotExist(err):
		return lk.Release, nil
	case err != nil:
		lk.Release()
		return nil, err
	case sha256.Sum256(data) == f.disk:
		return lk.Release, nil
	}
	fresh, err := LoadFor(f.Path, cl)
	if err != nil {
		lk.Release()
		return nil, err
	}
	*f = *fresh
	return lk.Release, nil
}
