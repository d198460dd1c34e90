package cmd

import (
	"fmt"
	"os/exec"
	"strings"

	"github.com/selfassess/selfassess/internal/testenv"
)

// toolCondition is the testscript condition [tool:NAME]: false when a stock
// tool (pdfsig, age, openssl) is missing, so `[!tool:pdfsig] skip` skips
// the script; in CI (SELFASSESS_REQUIRE_INTEROP=1) a missing tool is an
// error instead, so a CI run cannot pass by skipping.
func toolCondition(cond string) (bool, error) {
	name, ok := strings.CutPrefix(cond, "tool:")
	if !ok {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	if _, err := exec.LookPath(name); err != nil {
		if testenv.Required() {
			return false, fmt.Errorf("%s is required (SELFASSESS_REQUIRE_INTEROP=1) but not installed", name)
		}
		return false, nil
	}
	return true, nil
}
