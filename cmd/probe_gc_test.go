package cmd

import (
	"bytes"
	"context"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/selfassess/selfassess/probes"
)

func gcPercent() int { p := debug.SetGCPercent(100); debug.SetGCPercent(p); return p }

func TestRelaxGCRestoresAndYieldsToTheUser(t *testing.T) {
	before := gcPercent()
	for _, env := range []map[string]string{{"GOGC": "50"}, {"GOMEMLIMIT": "1GiB"}} {
		restore := relaxGC(func(k string) string { return env[k] })
		if got := gcPercent(); got != before {
			t.Fatalf("%v set by the user: GC percent changed to %d", env, got)
		}
		restore()
	}

	// neither in the (injected) environment, whatever the process's own says
	t.Setenv("GOGC", "50")
	restore := relaxGC(func(string) string { return "" })
	if got := gcPercent(); got != 400 {
		t.Fatalf("GC percent during the run = %d, want 400", got)
	}
	if got := debug.SetMemoryLimit(-1); got != 256<<20 {
		t.Fatalf("memory limit during the run = %d, want 256 MiB", got)
	}
	restore()
	if got := gcPercent(); got != before {
		t.Fatalf("GC percent after the run = %d, want %d again", got, before)
	}
}

// gcFamily records the GC percent while its probe runs.
type gcFamily struct{ seen *int }

func (gcFamily) Name() string                 { return "http" }
func (gcFamily) IDs() []string                { return []string{"http.headers"} }
func (gcFamily) Applies(t probes.Target) bool { return t.Kind == probes.KindURL }
func (f gcFamily) Run(_ context.Context, t probes.Target, ids []string, _ probes.Config) []probes.Result {
	*f.seen = gcPercent()
	return []probes.Result{{ID: "http.headers", Target: t.Value, Status: probes.Pass, Summary: "ok"}}
}

// Both commands that probe relax the GC while probing, and read GOGC from
// the injected environment.
func TestProbeAndRunRelaxGC(t *testing.T) {
	before := gcPercent()
	for _, tc := range []struct {
		env  map[string]string
		want int
	}{{nil, 400}, {map[string]string{"GOGC": "75"}, before}} {
		var seen int
		var out, errOut bytes.Buffer
		ios := TestIO(strings.NewReader(""), &out, &errOut, tc.env)
		po := &probeOptions{ios: ios, format: "json", targets: []string{"https://a.test/"}, families: []probes.Family{gcFamily{&seen}}}
		po.checkFormat = func() error { return nil }
		po.flags.bind(pflag.NewFlagSet("probe", pflag.ContinueOnError)) // flag defaults (timeouts, limits)
		if err := runProbe(context.Background(), po); err != nil {
			t.Fatalf("probe: %v\n%s", err, errOut.String())
		}
		if seen != tc.want {
			t.Errorf("probe with env %v: GC percent while probing = %d, want %d", tc.env, seen, tc.want)
		}

		seen = 0
		dir := t.TempDir()
		ro := &runOptions{ios: ios, checklist: "baseline", targets: []string{"https://a.test/"}, ci: true, allowUnanswered: true,
			answersPath: filepath.Join(dir, "answers.yaml"), outDir: filepath.Join(dir, "out"), failOn: "high",
			families: []probes.Family{gcFamily{&seen}}}
		ro.changed = func(name string) bool { return name == "target" }
		ro.probe.bind(pflag.NewFlagSet("run", pflag.ContinueOnError))
		if err := runRun(context.Background(), ro); err != nil && err != errGate {
			t.Fatalf("run: %v\n%s", err, errOut.String())
		}
		if seen != tc.want {
			t.Errorf("run with env %v: GC percent while probing = %d, want %d\n%s", tc.env, seen, tc.want, errOut.String())
		}
		if got := gcPercent(); got != before {
			t.Fatalf("GC percent after the commands = %d, want %d", got, before)
		}
	}
}

// BenchmarkProbeGC probes a local HTTPS target serving two 128 KiB scripts
// with Go's default GC (GOGC=100 given) and with relaxGC's settings:
//
//	go test -run '^$' -bench ProbeGC -count 6 ./cmd/ | benchstat -col /gc -
func BenchmarkProbeGC(b *testing.B) {
	script := strings.Repeat("function f(x){return fetch('/api/items/'+x).then(r=>r.json())}\n", 2000)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, `<!doctype html><script src="/a.js"></script><script src="/b.js"></script>`)
		case "/a.js", "/b.js":
			w.Header().Set("Content-Type", "text/javascript")
			io.WriteString(w, script)
		default:
			http.NotFound(w, r)
		}
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the TLS probe's odd handshakes are expected
	defer srv.Close()
	ca := filepath.Join(b.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		b.Fatal(err)
	}
	for _, mode := range []string{"default", "relaxed"} {
		env := map[string]string{}
		if mode == "default" {
			env["GOGC"] = "100" // relaxGC yields to it; the process runs at Go's default
		}
		b.Run("gc="+mode, func(b *testing.B) {
			// CPU time and collections say more than wall time on a shared
			// machine: the probes mostly wait for the (in-process) server.
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			cpu := processCPU()
			for b.Loop() {
				var errOut bytes.Buffer
				if code := MainWith([]string{"probe", "--ca-file", ca, "--format", "json", srv.URL}, TestIO(nil, io.Discard, &errOut, env)); code > 1 {
					b.Fatalf("exit %d: %s", code, errOut.String())
				}
			}
			cpu = processCPU() - cpu
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(after.NumGC-before.NumGC)/float64(b.N), "gcs/op")
		})
	}
}

// processCPU is the user and system CPU time the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
