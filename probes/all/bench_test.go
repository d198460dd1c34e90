package all

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/selfassess/selfassess/internal/testenv"
	"github.com/selfassess/selfassess/probes"
)

// sslscanArgs are the options the tlsprobe interop tests compare against
// (protocols, suites, certificate; none of the extra vulnerability checks).
func sslscanArgs(addr string) []string {
	return []string{"--xml=-", "--no-colour", "--no-heartbleed", "--no-renegotiation", "--no-compression",
		"--no-fallback", "--no-groups", addr}
}

// BenchmarkFullProbeVsSSLScan runs every probe for one loopback HTTPS target
// (tls.*, http.*, js.*) and, in the same iteration, sslscan for TLS alone
// against the same server, and reports both times and their ratios
// (below 1 means the full probe set is faster than sslscan):
//
//   - ratio: in-process probes.Run / sslscan (the secret rules, compiled
//     once per process, are already compiled after the first iteration)
//   - cli-ratio: a `selfassess probe` process / an sslscan process: the
//     cold cost a user sees, rule compilation and process start included
//
// tls-done-ms and http-done-ms say when each family finished. The page
// serves two same-origin scripts of 8 KiB ("small-page") or 128 KiB
// ("bundle"): the secret rules' cost grows with the script bytes.
//
//	go test -run '^$' -bench FullProbeVsSSLScan -benchtime 10x -count 3 ./probes/all/
func BenchmarkFullProbeVsSSLScan(b *testing.B) {
	testenv.RequireTool(b, "sslscan")
	binDir := b.TempDir()
	for _, tc := range []struct {
		name        string
		scriptBytes int
	}{{"small-page", 8 << 10}, {"bundle", 128 << 10}} {
		b.Run(tc.name, func(b *testing.B) { benchFullVsSSLScan(b, tc.scriptBytes, binDir) })
	}
}

func benchFullVsSSLScan(b *testing.B, scriptBytes int, binDir string) {
	line := "function f(x){return fetch('/api/items/'+x).then(r=>r.json())}\n"
	script := strings.Repeat(line, scriptBytes/len(line))
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Strict-Transport-Security", "max-age=31536000")
		h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		switch r.URL.Path {
		case "/":
			h.Set("Content-Type", "text/html")
			h.Add("Set-Cookie", "session=abcdef0123456789; Path=/; Secure; HttpOnly; SameSite=Lax")
			io.WriteString(w, `<!doctype html><script src="/a.js"></script><script src="/b.js"></script>`)
		case "/a.js", "/b.js":
			h.Set("Content-Type", "text/javascript")
			io.WriteString(w, script)
		default:
			http.NotFound(w, r)
		}
	}))
	// the scanners' refused handshakes are expected; keep the output readable
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	target := []probes.Target{{Kind: probes.KindURL, Value: srv.URL + "/"}}
	addr := strings.TrimPrefix(srv.URL, "https://")

	var ours, theirs time.Duration
	ids := map[string]bool{}
	perFamily := map[string]time.Duration{} // when each family finished
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		var mu sync.Mutex
		progress := func(e probes.Event) {
			if e.Done {
				mu.Lock()
				perFamily[e.Family] += time.Since(start)
				mu.Unlock()
			}
		}
		rs := probes.Run(context.Background(), Families(), target, probes.Config{RootCAs: pool, Timeout: 10 * time.Second, Progress: progress})
		ours += time.Since(start)
		for _, r := range rs {
			if r.Status != probes.Skipped {
				ids[r.ID] = true
			}
		}

		start = time.Now()
		if out, err := exec.Command("sslscan", sslscanArgs(addr)...).CombinedOutput(); err != nil {
			b.Fatalf("sslscan: %v\n%s", err, out)
		}
		theirs += time.Since(start)
	}
	b.StopTimer()
	if len(ids) != 16 {
		b.Fatalf("%d probe ids ran, want the 16 tls/http/js ones", len(ids))
	}
	n := float64(b.N)
	b.ReportMetric(float64(ours.Microseconds())/1000/n, "selfassess-ms/op")
	b.ReportMetric(float64(theirs.Microseconds())/1000/n, "sslscan-ms/op")
	b.ReportMetric(float64(ours)/float64(theirs), "ratio")

	// The honest cold comparison: process against process. The selfassess
	// binary (built once, outside the timing) probes with the same scope.
	bin := buildSelfassess(b, binDir)
	ca := filepath.Join(b.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		b.Fatal(err)
	}
	var cli time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		cmd := exec.Command(bin, "probe", "--only", "tls.*,http.*,js.*", "--ca-file", ca, "--format", "json", srv.URL+"/")
		out, err := cmd.Output()
		cli += time.Since(start)
		// exit 1 (a probe failed or warned into the gate) is a normal outcome
		if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 1) {
			b.Fatalf("selfassess probe: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), `"js.token-in-url"`) || !strings.Contains(string(out), `"tls.ciphers"`) {
			b.Fatalf("selfassess probe did not run every probe:\n%s", out)
		}
	}
	b.ReportMetric(float64(cli.Microseconds())/1000/n, "cli-ms/op")
	b.ReportMetric(float64(cli)/float64(theirs), "cli-ratio")
	for fam, d := range perFamily {
		b.ReportMetric(float64(d.Microseconds())/1000/n, fam+"-done-ms/op")
	}
}

// buildSelfassess builds the CLI into dir once (sub-benchmarks reuse it).
func buildSelfassess(b *testing.B, dir string) string {
	bin := filepath.Join(dir, "selfassess")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/selfassess/selfassess").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
