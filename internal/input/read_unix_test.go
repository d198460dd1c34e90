//go:build unix

package input

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A FIFO with no writer would block a plain open forever: it is refused at once.
func TestReadFileFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	require.NoError(t, syscall.Mkfifo(p, 0o600))
	done := make(chan error, 1)
	go func() { _, err := ReadFile(p, 1<<20); done <- err }()
	select {
	case err := <-done:
		assert.EqualError(t, err, p+": a FIFO (named pipe), not a regular file")
	case <-time.After(time.Second):
		t.Fatal("ReadFile blocked on a FIFO")
	}
}
