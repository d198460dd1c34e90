package synthetic

import (
	"os/exec"
	"strings"
	"testing"
)

// Synthetic results are for tests: the binary must not link them.
func TestOnlyTestsImportIt(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/selfassess/selfassess").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if p == "github.com/selfassess/selfassess/internal/synthetic" {
			t.Fatal("the selfassess binary imports internal/synthetic; only tests may")
		}
	}
}

func TestResultsCycleEveryStatus(t *testing.T) {
	r := Results(14)
	if len(r.Controls) != 14 || r.Summary.Total != 14 {
		t.Fatalf("got %d controls, summary total %d", len(r.Controls), r.Summary.Total)
	}
	seen := map[string]bool{}
	for _, c := range r.Controls {
		seen[string(c.Status)] = true
	}
	if len(seen) != 7 {
		t.Errorf("statuses seen: %v", seen)
	}
}
