package review

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/selfassess/selfassess/assessment"
)

// Template is a decisions skeleton for the reviewed results: every control
// with the team's status (those needing attention first, marked), every
// false-positive claim with its fingerprint, and the overall decision.
// It parses as it is (everything accepted, changes requested overall).
func Template(res *assessment.Results, sumsSHA256 string) []byte {
	var b bytes.Buffer
	who := oneLine(res.Project.Organisation + " " + res.Project.Integration)
	if who == "" {
		who = "the package"
	}
	fmt.Fprintf(&b, "# Decisions for %s (checklist %s %s)\n", who, res.Checklist.ID, res.Checklist.Version)
	fmt.Fprintf(&b, "# package SHA256SUMS digest %s\n", sumsSHA256)
	fmt.Fprintf(&b, "# decision per control: accepted | changes-requested (finding, severity, due) | question (question)\n")
	fmt.Fprintf(&b, "schema: %s\n", DecisionsSchemaID)
	fmt.Fprintf(&b, "reviewer: \"\"\n")
	fmt.Fprintf(&b, "default: accepted   # every control not listed below\n")
	fmt.Fprintf(&b, "controls:\n")
	attention, rest := 0, 0
	for pass := 0; pass < 2; pass++ {
		for _, c := range res.Controls {
			needs := c.Status != assessment.ControlPass
			if needs != (pass == 0) {
				continue
			}
			if pass == 0 && attention == 0 {
				fmt.Fprintf(&b, "  # needs attention\n")
			}
			if pass == 1 && rest == 0 {
				fmt.Fprintf(&b, "  # passing\n")
			}
			if pass == 0 {
				attention++
			} else {
				rest++
			}
			fmt.Fprintf(&b, "  %s: {decision: accepted}   # %s, %s: %s\n", c.ID, c.Status, c.Severity, oneLine(c.Title))
		}
	}
	if attention+rest == 0 {
		fmt.Fprintf(&b, "  {}\n")
	}
	fmt.Fprintf(&b, "false_positives:")
	n := 0
	for _, f := range res.Tracked {
		if f.Status != assessment.FindingSuppressed {
			continue
		}
		if n == 0 {
			fmt.Fprintf(&b, "\n")
		}
		n++
		fmt.Fprintf(&b, "  # %s: %s\n", f.Control, oneLine(f.Justification))
		fmt.Fprintf(&b, "  %s: {decision: accepted}   # or {decision: rejected, reason: \"…\"}\n", strconv.Quote(f.Fingerprint))
	}
	if n == 0 {
		fmt.Fprintf(&b, " {}\n")
	}
	fmt.Fprintf(&b, "overall: {decision: changes-requested}   # approved (valid_until: YYYY-MM-DD), approved-with-conditions (conditions: [{text, due}]), rejected\n")
	return b.Bytes()
}

func oneLine(s string) string {
	return string(bytes.Join(bytes.Fields([]byte(s)), []byte(" ")))
}
