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
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
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

// BenchmarkProbeGC runs `selfassess probe` processes against a local HTTPS
// target serving two 128 KiB scripts, with Go's default GC (GOGC=100 in
// the environment, which relaxGC yields to) and with relaxGC's settings. A
// fresh process is what users run: its heap starts small, so the default
// collects early and often. cpu-ms/op (user+system) says more than wall
// time on a shared machine.
//
//	go test -run '^$' -bench ProbeGC -count 8 ./cmd/ | benchstat -col /gc -
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
	dir := b.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		b.Fatal(err)
	}
	bin := filepath.Join(dir, "selfassess")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/selfassess/selfassess").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	for _, mode := range []string{"default", "relaxed"} {
		b.Run("gc="+mode, func(b *testing.B) {
			var cpu time.Duration
			for b.Loop() {
				cmd := exec.Command(bin, "probe", "--ca-file", ca, "--format", "json", srv.URL)
				cmd.Env = append(os.Environ(), "GOGC=", "GOMEMLIMIT=")
				if mode == "default" {
					cmd.Env = append(cmd.Env, "GOGC=100")
				}
				if out, err := cmd.CombinedOutput(); err != nil && cmd.ProcessState.ExitCode() > 1 {
					b.Fatalf("%v: %s", err, out)
				}
				cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			}
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}
