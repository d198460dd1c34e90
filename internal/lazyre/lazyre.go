// Package lazyre compiles a regular expression on first use instead of at
// package initialisation: the probe packages hold about seventy patterns,
// and compiling them at init cost every command, `selfassess version`
// included, ~5 ms of start-up, most of them for probes the run never uses.
package lazyre

import (
	"regexp"
	"sync"
)

// New returns a function that compiles pattern on its first call (panicking,
// as regexp.MustCompile does, when the pattern is invalid) and returns the
// same *regexp.Regexp on every call. It is safe for concurrent use.
func New(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}
