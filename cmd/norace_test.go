//go:build !race

package cmd

// raceSlowdown widens time limits under the race detector, whose binaries
// (the signal tests run this test binary as selfassess) are several times
// slower; `make test` re-runs the signal tests without it at the real limit.
const raceSlowdown = 1
