//go:build race

package httpprobe

// raceEnabled: the race detector multiplies memory use (the RSS bound).
const raceEnabled = true
