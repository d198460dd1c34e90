package cmd

import (
	"bytes"
	"crypto/tls"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/stretchr/testify/assert"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/oscaltest"
	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/report"
)

func init() {
	scriptCmdSet = append(scriptCmdSet, func(m map[string]func(ts *testscript.TestScript, neg bool, args []string)) {
		m["demosites"] = cmdDemoSites
	})
}

// demosites starts the demo's well-configured and flawed HTTPS sites on
// loopback (real crypto/tls servers), sets $GOOD_URL and $FLAWED_URL, and
// writes their CA to $WORK/ca.pem for --ca-file.
func cmdDemoSites(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: demosites")
	}
	cert, _, err := demoCertificate(time.Now())
	ts.Check(err)
	ca := cert.Certificate[len(cert.Certificate)-1]
	ts.Check(os.WriteFile(filepath.Join(ts.Getenv("WORK"), "ca.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca}), 0o644))
	serve := func(name string, h http.Handler, minVersion uint16, suites []uint16) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		ts.Check(err)
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ErrorLog: quietLog(),
			TLSConfig: &tls.Config{MinVersion: minVersion, CipherSuites: suites, Certificates: []tls.Certificate{cert}}}
		go srv.ServeTLS(ln, "", "")
		ts.Defer(func() { srv.Close() })
		ts.Setenv(name, fmt.Sprintf("https://localhost:%d/", ln.Addr().(*net.TCPAddr).Port))
	}
	serve("GOOD_URL", demoGoodHandler(), tls.VersionTLS12, demoStrongSuites)
	serve("FLAWED_URL", demoFlawedHandler(), tls.VersionTLS10, nil)
}

func TestProbeTrackerNotesFailedProbesPerControl(t *testing.T) {
	cl := &checklist.Checklist{Sections: []checklist.Section{{Controls: []checklist.Control{
		{ID: "TLS", Probes: []string{"tls.versions", "http.hsts"}},
		{ID: "ASK"},
	}}}}
	tr := newProbeTracker(cl)
	var lines []string
	tr.out = func(l string) { lines = append(lines, l) }
	tr.event(probes.Event{Target: "https://a.test/", Family: "tls"})
	assert.Equal(t, 1, tr.pending())
	assert.Equal(t, "still running in the background (0 checks finished, 1 running)", tr.note("TLS"), "nothing finished yet")
	assert.Equal(t, "", tr.note("ASK"), "no probes")
	tr.quiet(true)
	tr.event(probes.Event{Target: "https://a.test/", Family: "tls", Done: true, Results: []probes.Result{
		{ID: "tls.versions", Target: "https://a.test/", Status: probes.Fail, Summary: "offered: TLS1.0\nTLS1.2"},
	}})
	assert.Equal(t, 0, tr.pending())
	assert.Equal(t, "tls.versions failed on https://a.test/: offered: TLS1.0; TLS1.2", tr.note("TLS"))
	assert.Equal(t, "", tr.note("ASK"))
	assert.Empty(t, lines, "quiet while the questionnaire is on screen")
	tr.quiet(false)
	assert.Equal(t, []string{"probed https://a.test/: tls checks fail"}, lines)
}

// BenchmarkDemo measures `run --demo` end to end: two TLS targets, every
// probe, evaluation, reports and the signed package.
func BenchmarkDemo(b *testing.B) {
	dir := b.TempDir()
	for i := 0; i < b.N; i++ {
		var out, errOut bytes.Buffer
		if code := MainWith([]string{"run", "--demo", "--out", filepath.Join(dir, "demo")}, TestIO(nil, &out, &errOut, nil)); code != 0 {
			b.Fatalf("exit %d: %s", code, errOut.String())
		}
	}
}

// The bundled demo answers must give the same result whenever the demo
// runs: their dates are moved next to the run's "now". The fincept fixture
// has a date answer with a 90-day maximum age; years later it fails as
// written and passes once freshened.
func TestDemoDatesDoNotGoStale(t *testing.T) {
	cl, err := checklist.Builtin("fincept")
	if err != nil {
		t.Fatal(err)
	}
	later := time.Date(2035, 6, 1, 0, 0, 0, 0, time.UTC)
	failingAnswers := func(ans *answers.File) []string {
		var out []string
		for _, c := range assessment.Evaluate(cl, ans, nil, nil, assessment.Options{Now: later}).Controls {
			for _, e := range c.Evidence {
				if e.Kind == "answer" && e.Status == string(assessment.Fail) {
					out = append(out, c.ID+" "+e.Source)
				}
			}
		}
		return out
	}
	load := func() *answers.File {
		ans, err := answers.LoadFor(filepath.Join("..", "testdata", "answers", "fincept-ready.yaml"), cl)
		if err != nil {
			t.Fatal(err)
		}
		return ans
	}
	stale := load()
	assert.Equal(t, []string{"FX-ACCOUNT-KEY-ROTATION development-last-rotated", "FX-ACCOUNT-KEY-ROTATION production-last-rotated"},
		failingAnswers(stale), "the fixture's dates are old by 2035")
	assert.False(t, freshenDemoDates(cl, &answers.File{Controls: map[string]*answers.Control{}}, later), "nothing to change")

	fresh := load()
	fresh.Controls["FX-ACCOUNT-KEY-ROTATION"].Due = "2020-01-01"
	assert.True(t, freshenDemoDates(cl, fresh, later))
	assert.Empty(t, failingAnswers(fresh))
	assert.Equal(t, "2035-05-02", fresh.Controls["FX-ACCOUNT-KEY-ROTATION"].Answers["production-last-rotated"])
	assert.Equal(t, "2035-09-29", fresh.Controls["FX-ACCOUNT-KEY-ROTATION"].Due)
}

// TestDemoOSCALValidates: the demo's OSCAL assessment results, plan and
// POA&M validate against NIST's schema (issue: a reviewer's GRC tool must
// accept them as they come out of a real run).
func TestDemoOSCALValidates(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if code := MainWith([]string{"run", "--demo", "--out", filepath.Join(dir, "demo")}, TestIO(nil, &out, &errOut, nil)); code != 0 {
		t.Fatalf("demo exit %d: %s", code, errOut.String())
	}
	for _, f := range []string{report.OSCALResultsFile, report.OSCALPlanFile, report.OSCALPOAMFile} {
		b, err := os.ReadFile(filepath.Join(dir, "demo", f))
		if err != nil {
			t.Fatalf("the demo package lacks %s: %v", f, err)
		}
		if err := oscaltest.Validate(b); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
