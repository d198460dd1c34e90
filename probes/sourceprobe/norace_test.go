//go:build !race

package sourceprobe

// raceSlowdown widens time limits under the race detector.
const raceSlowdown = 1
