package input

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// FileError is a file the user named that cannot be used as given: not a
// regular file, or larger than the input it should be. Commands report it
// as a usage error (exit 2).
type FileError struct {
	Path string
	Msg  string
}

func (e *FileError) Error() string { return e.Path + ": " + e.Msg }

// Open opens a file the user named for reading. It refuses anything but a
// regular file: a FIFO would block the read (or even the open) forever, a
// device such as /dev/zero never ends, a directory is a mistake. The open
// is non-blocking, so a FIFO with no writer is refused at once; the flag
// does not change reads of a regular file.
func Open(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, &FileError{Path: path, Msg: Kind(st.Mode()) + ", not a regular file"}
	}
	return f, nil
}

// ReadFile reads a regular file of at most limit bytes (see Open), so a
// wrong path (a log, a disk image, a device) cannot exhaust memory.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &FileError{Path: path, Msg: "larger than " + Size(limit) + "; is it the right file?"}
	}
	return b, nil
}

// Size formats a byte limit for messages: 4 MiB, 64 KiB, 100 bytes.
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Kind names what a file that is not a regular one is, for "not a regular
// file" messages: "a directory", "a FIFO (named pipe)", "a device".
func Kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "a device"
	}
	return "a special file"
}
