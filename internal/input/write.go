package input

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/selfassess/selfassess/internal/filelock"
)

// processStart is when this process started, near enough: a temp file
// older than it cannot be one this process is writing.
var processStart = time.Now()

// afterTempWrite, when set (tests), runs once the temp file holds the data.
var afterTempWrite func()

// tempPrefix and tempSuffix name WriteFileAtomic's temp files for path:
// .answers.yaml.123456789.tmp beside answers.yaml.
func tempPrefix(path string) string { return "." + filepath.Base(path) + "." }

const tempSuffix = ".tmp"

// WriteFileAtomic writes data to path so a reader sees the old file or the
// new one, never a part: a temp file in the same directory, fsynced, then
// renamed over path. mode applies to a new file; an existing file keeps its
// own. The temp file is locked while it is written, so RemoveStaleTemps can
// tell one a killed process left from one being written.
func WriteFileAtomic(path string, data []byte, mode os.FileMode) error {
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, tempPrefix(path)+"*"+tempSuffix)
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	filelock.TryLock(tmp) // best effort: a new file nobody else has open
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if afterTempWrite != nil {
		afterTempWrite()
	}
	if err := tmp.Chmod(mode); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	ok = true
	// Persist the rename itself; best effort (not every filesystem supports it).
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// RemoveStaleTemps removes the temp files WriteFileAtomic left beside path
// when a process was killed mid-write (kill -9, power loss): only names of
// its own pattern, older than this process, that no one holds locked. It
// returns the names removed. Call it where no other writer of path can be
// running (the answers file's session lock).
func RemoveStaleTemps(path string) []string {
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		return nil
	}
	var removed []string
	for _, e := range entries {
		if !e.Type().IsRegular() || !isTempOf(path, e.Name()) {
			continue
		}
		if info, err := e.Info(); err != nil || !info.ModTime().Before(processStart) {
			continue
		}
		p := filepath.Join(filepath.Dir(path), e.Name())
		if removeIfUnlocked(p) {
			removed = append(removed, e.Name())
		}
	}
	return removed
}

// isTempOf: .answers.yaml.<digits>.tmp, as os.CreateTemp fills the pattern.
func isTempOf(path, name string) bool {
	mid, ok := strings.CutPrefix(name, tempPrefix(path))
	if !ok {
		return false
	}
	mid, ok = strings.CutSuffix(mid, tempSuffix)
	if !ok || mid == "" {
		return false
	}
	for _, r := range mid {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func removeIfUnlocked(p string) bool {
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	if got, err := filelock.TryLock(f); err != nil || !got {
		return false // its writer is alive
	}
	if os.Remove(p) == nil {
		return true
	}
	f.Close() // Windows removes no open file
	return os.Remove(p) == nil
}
