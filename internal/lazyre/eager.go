//go:build lazyre_eager

package lazyre

const eager = true
