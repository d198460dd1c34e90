//go:build unix

package filelock

import (
	"errors"
	"os"
	"syscall"
)

var errHeld = errors.New("lock held")

// flock locks belong to the open file, so two sessions in one process
// exclude each other too, and the kernel drops them when the process dies.
func lock(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return errHeld
	}
	return err
}

func unlock(f *os.File) { syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
