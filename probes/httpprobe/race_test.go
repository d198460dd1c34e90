//go:build race

package httpprobe

// raceSlowdown widens time and memory limits under the race detector,
// which slows the secret scan some tenfold and multiplies memory use; the
// limits themselves are asserted by the plain `go test` run.
const raceSlowdown = 10
