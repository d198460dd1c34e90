//go:build !race

package codescan

// raceSlowdown widens time limits under the race detector.
const raceSlowdown = 1
