// Package testenv is for tests that need an external tool (sslscan, nginx,
// pdftotext, ssh-keygen, git): missing, it skips the test on a developer's
// machine, but fails it when SELFASSESS_REQUIRE_INTEROP=1 (set by .ci/run),
// so a CI run can never pass by skipping.
package testenv

import (
	"os"
	"os/exec"
)

// TB is the part of testing.TB that RequireTool uses.
type TB interface {
	Helper()
	Skipf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Required reports whether missing tools must fail tests (CI).
func Required() bool { return os.Getenv("SELFASSESS_REQUIRE_INTEROP") == "1" }

// RequireTool returns the tool's path, or skips (fails in CI) when it is missing.
func RequireTool(t TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if Required() {
			t.Fatalf("%s is required (SELFASSESS_REQUIRE_INTEROP=1) but not installed", name)
			return ""
		}
		t.Skipf("%s not installed", name)
	}
	return p
}
