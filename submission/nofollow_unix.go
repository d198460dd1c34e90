//go:build unix

package submission

import "syscall"

// openNoFollow: opening a symlink fails (ELOOP) instead of following it;
// non-blocking, so a FIFO put in place cannot hang the copy.
const openNoFollow = syscall.O_NOFOLLOW | syscall.O_NONBLOCK
