package cmd

import (
	"os"
	"runtime/debug"
	"testing"
)

func TestRelaxGCRestoresAndYieldsToTheUser(t *testing.T) {
	percent := func() int { p := debug.SetGCPercent(100); debug.SetGCPercent(p); return p }
	t.Setenv("GOGC", "")
	before := percent()
	restore := relaxGC()
	if got := percent(); got != before {
		t.Fatalf("GOGC set by the user: GC percent changed to %d", got)
	}
	restore()

	// no GOGC/GOMEMLIMIT in the environment
	unsetEnv(t, "GOGC")
	unsetEnv(t, "GOMEMLIMIT")
	restore = relaxGC()
	if got := percent(); got != 400 {
		t.Fatalf("GC percent during the run = %d, want 400", got)
	}
	if got := debug.SetMemoryLimit(-1); got != 256<<20 {
		t.Fatalf("memory limit during the run = %d, want 256 MiB", got)
	}
	restore()
	if got := percent(); got != before {
		t.Fatalf("GC percent after the run = %d, want %d again", got, before)
	}
}

// unsetEnv removes name from the environment for the test.
func unsetEnv(t *testing.T, name string) {
	t.Helper()
	t.Setenv(name, "") // registers the restore
	os.Unsetenv(name)
}
