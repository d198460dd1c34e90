package testenv

import (
	"strings"
	"testing"
)

type recorder struct{ skipped, failed string }

func (r *recorder) Helper()                    {}
func (r *recorder) Skipf(f string, a ...any)   { r.skipped = f }
func (r *recorder) Fatalf(f string, a ...any)  { r.failed = f }
func (r *recorder) outcome() (skip, fail bool) { return r.skipped != "", r.failed != "" }
func missingTool() string                      { return "selfassess-no-such-tool-" + strings.Repeat("x", 8) }

func TestRequireToolSkipsLocallyAndFailsInCI(t *testing.T) {
	t.Setenv("SELFASSESS_REQUIRE_INTEROP", "")
	r := &recorder{}
	RequireTool(r, missingTool())
	if skip, fail := r.outcome(); !skip || fail {
		t.Errorf("locally: skipped=%v failed=%v, want a skip", skip, fail)
	}

	t.Setenv("SELFASSESS_REQUIRE_INTEROP", "1")
	r = &recorder{}
	RequireTool(r, missingTool())
	if skip, fail := r.outcome(); skip || !fail {
		t.Errorf("in CI: skipped=%v failed=%v, want a failure", skip, fail)
	}
}

func TestRequireToolFindsInstalledTools(t *testing.T) {
	r := &recorder{}
	if p := RequireTool(r, "go"); p == "" || r.skipped != "" || r.failed != "" {
		t.Errorf("go: path %q, recorder %+v", p, r)
	}
}
