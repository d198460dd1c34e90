//go:build !race

package httpprobe

const raceEnabled = false
