//go:build !linux

package httpprobe

import "os"

// peakRSS: measured on Linux only (getrusage units differ elsewhere).
func peakRSS(*os.ProcessState) (int64, bool) { return 0, false }
