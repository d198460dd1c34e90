//go:build !lazyre_eager

package lazyre

// eager compiles at New, as regexp.MustCompile in a var would; only the
// start-up benchmark builds with -tags lazyre_eager, to measure the saving.
const eager = false
