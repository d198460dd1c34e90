package cmd

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/selfassess/selfassess/internal/testenv"
)

// The demo's source tree lives in a temporary folder on the team's
// machine: no output may name it by that path (issue 13 item 8), and the
// source probes' results name it as the Targets line does, without the
// commit, so that finding fingerprints hold across rounds and machines.
func TestDemoNamesSourceTreeWithoutLocalPath(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // the demo's source tree goes under it
	out := filepath.Join(t.TempDir(), "demo")
	var stdout, stderr bytes.Buffer
	if code := MainWith([]string{"run", "--demo", "--out", out}, TestIO(nil, &stdout, &stderr, nil)); code != 0 {
		t.Fatalf("demo exit %d: %s", code, stderr.String())
	}
	texts := map[string]string{"stdout": stdout.String(), "stderr": stderr.String()}
	for _, f := range []string{"results.json", "report.md"} {
		b, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		texts[f] = string(b)
	}
	pdftotext := testenv.RequireTool(t, "pdftotext")
	pdf, err := exec.Command(pdftotext, filepath.Join(out, "report.pdf"), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	texts["report.pdf"] = string(pdf)
	for name, text := range texts {
		if strings.Contains(text, tmp) {
			t.Errorf("%s names the source tree by its local path %s", name, tmp)
		}
	}

	var res struct {
		Targets []string `json:"targets"`
		Probes  []struct {
			ID     string `json:"id"`
			Target string `json:"target"`
		} `json:"probes"`
	}
	if err := json.Unmarshal([]byte(texts["results.json"]), &res); err != nil {
		t.Fatal(err)
	}
	const want = "source folder source (not a git checkout)"
	sources := 0
	for _, p := range res.Probes {
		if strings.HasPrefix(p.ID, "source.") {
			sources++
			if p.Target != want {
				t.Errorf("%s: target %q, want %q", p.ID, p.Target, want)
			}
		}
	}
	if sources == 0 {
		t.Error("the demo ran no source probe")
	}
	if !strings.Contains(strings.Join(res.Targets, "\n"), want) {
		t.Errorf("targets %q lack %q", res.Targets, want)
	}
}
