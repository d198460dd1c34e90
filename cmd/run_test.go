package cmd

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/stretchr/testify/assert"

	"github.com/selfassess/selfassess/internal/demo"
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
	d, err := demo.StartTargets()
	ts.Check(err)
	ts.Defer(d.Stop)
	ts.Check(os.WriteFile(filepath.Join(ts.Getenv("WORK"), "ca.pem"), d.CAPEM, 0o644))
	ts.Setenv("GOOD_URL", d.Good)
	ts.Setenv("FLAWED_URL", d.Flawed)
}

// The progress lines wait while the questionnaire is on screen (each
// control shows its own probes there, see interview.LiveProbes).
func TestProbeTrackerHoldsLinesWhileQuiet(t *testing.T) {
	tr := newProbeTracker()
	var lines []string
	tr.out = func(l string) { lines = append(lines, l) }
	tr.event(probes.Event{Target: "https://a.test/", Family: "tls"})
	assert.Equal(t, 1, tr.pending())
	tr.quiet(true)
	tr.event(probes.Event{Target: "https://a.test/", Family: "tls", Done: true, Results: []probes.Result{
		{ID: "tls.versions", Target: "https://a.test/", Status: probes.Fail, Summary: "offered: TLS1.0\nTLS1.2"},
	}})
	assert.Equal(t, 0, tr.pending())
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
