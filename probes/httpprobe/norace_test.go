//go:build !race

package httpprobe

const raceSlowdown = 1
