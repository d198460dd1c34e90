//go:build race

package cmd

// raceSlowdown widens time limits under the race detector (see norace_test.go).
const raceSlowdown = 10
