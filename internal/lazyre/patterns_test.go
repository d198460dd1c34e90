package lazyre_test

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/selfassess/selfassess/internal/lazyre"
	_ "github.com/selfassess/selfassess/probes/all" // every probe package, so every pattern
)

// probePatterns are the patterns the probe packages registered while they
// were initialised, before any test of this package adds its own.
var probePatterns = lazyre.Patterns()

// Every pattern of every probe compiles: a typo fails here, not in a
// user's run on the first file that reaches the rule.
func TestEveryPatternCompiles(t *testing.T) {
	ps := probePatterns
	if len(ps) < 30 {
		t.Fatalf("only %d patterns registered: are the probe packages still using lazyre?", len(ps))
	}
	for _, p := range ps {
		if _, err := regexp.Compile(p); err != nil {
			t.Errorf("%v", err)
		}
	}
}

// BenchmarkCompileEveryPattern is what compiling the probes' patterns at
// package initialisation would add to every process, whichever command it
// runs; compare with BenchmarkStartVersion (a whole `selfassess version`
// process):
//
//	go test -run '^$' -bench . -count 6 ./internal/lazyre/ | benchstat -
func BenchmarkCompileEveryPattern(b *testing.B) {
	ps := probePatterns
	b.ReportMetric(float64(len(ps)), "patterns")
	for b.Loop() {
		for _, p := range ps {
			regexp.MustCompile(p)
		}
	}
}

// BenchmarkStartVersion runs `selfassess version` processes built with
// lazy (the release) and eager pattern compilation:
//
//	go test -run '^$' -bench StartVersion -count 6 ./internal/lazyre/ | benchstat -col /compile -
func BenchmarkStartVersion(b *testing.B) {
	dir := b.TempDir()
	for _, mode := range []string{"lazy", "eager"} {
		bin := filepath.Join(dir, "selfassess-"+mode)
		args := []string{"build", "-o", bin}
		if mode == "eager" {
			args = append(args, "-tags", "lazyre_eager")
		}
		if out, err := exec.Command("go", append(args, "github.com/selfassess/selfassess")...).CombinedOutput(); err != nil {
			b.Fatalf("go build: %v\n%s", err, out)
		}
		b.Run("compile="+mode, func(b *testing.B) {
			var cpu time.Duration // user+system: steadier than wall time on a shared machine
			for b.Loop() {
				cmd := exec.Command(bin, "version")
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("%v: %s", err, out)
				}
				cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			}
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}
