// Package lazyre compiles a regular expression on first use instead of at
// package initialisation: the probe packages hold about seventy patterns,
// and compiling them at init would cost every command, `selfassess version`
// included, some milliseconds of start-up (BenchmarkCompileEveryPattern
// against BenchmarkStartVersion measures both), most of them for probes the
// run never uses.
package lazyre

import (
	"regexp"
	"sync"
)

var (
	mu       sync.Mutex
	patterns []string
)

// New returns a function that compiles pattern on its first call (panicking,
// as regexp.MustCompile does, when the pattern is invalid) and returns the
// same *regexp.Regexp on every call. It is safe for concurrent use. The
// pattern is recorded for Patterns, so a test can compile every one.
func New(pattern string) func() *regexp.Regexp {
	mu.Lock()
	patterns = append(patterns, pattern)
	mu.Unlock()
	if eager {
		re := regexp.MustCompile(pattern)
		return func() *regexp.Regexp { return re }
	}
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}

// Patterns lists every pattern given to New so far (by the packages
// initialised in this process), in order.
func Patterns() []string {
	mu.Lock()
	defer mu.Unlock()
	return append([]string(nil), patterns...)
}
