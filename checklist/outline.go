package checklist

import (
	"fmt"
	"io"
	"strings"

	"github.com/selfassess/selfassess/probes"
)

// WriteOutline writes the checklist for a person (`checklist show`): its
// sections and controls, each with its severity and how it is verified.
func (cl *Checklist) WriteOutline(w io.Writer) error {
	ew := &outlineWriter{w: w}
	ew.printf("%s  %s  (version %s)\n", cl.ID, cl.Title, cl.Version)
	ew.printf("provider  %s\n", withDetails(cl.Provider.Name, cl.Provider.URL, cl.Provider.Contact))
	if cl.Source.Title != "" || cl.Source.URL != "" {
		ew.printf("source    %s\n", withDetails(cl.Source.Title, cl.Source.URL, cl.Source.Retrieved))
	}
	bySeverity := map[Severity]int{}
	controls := cl.Controls()
	for _, sc := range controls {
		bySeverity[sc.Control.Severity]++
	}
	var counts []string
	for _, s := range Severities {
		if bySeverity[s] > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", bySeverity[s], s))
		}
	}
	ew.printf("controls  %d in %d sections (%s)\n", len(controls), len(cl.Sections), strings.Join(counts, ", "))

	for _, s := range cl.Sections {
		ew.printf("\n%s [%s]\n", s.Title, s.ID)
		for _, c := range s.Controls {
			ew.printf("  %-8s  %s  %s\n", c.Severity, c.ID, c.Title)
			ew.printf("            verified by %s", verifiedBy(&c))
			if c.AllowNotApplicable {
				ew.printf("; may be not applicable")
			}
			ew.printf("\n")
			for _, q := range c.Questions {
				cond := ""
				if q.When != nil {
					cond = " (if " + q.When.Question + ")"
				}
				ew.printf("            ? %s [%s%s]%s\n", q.Prompt, q.Type, map[bool]string{true: ", informational"}[q.Pass == nil], cond)
			}
			if len(c.Probes) > 0 {
				ew.printf("            probes: %s\n", strings.Join(c.Probes, ", "))
				for _, id := range c.Probes {
					if t := thresholds(&c, id); t != "" {
						ew.printf("              %s with %s\n", id, t)
					}
				}
			}
		}
	}
	return ew.err
}

// thresholds lists the parameters a control's probe runs with, marking
// those the checklist leaves at their defaults; "" for a probe without
// parameters.
func thresholds(c *Control, id string) string {
	d, _ := probes.Lookup(id)
	var parts []string
	for _, p := range d.Params {
		if v, ok := c.With[id][p.Name]; ok {
			parts = append(parts, p.Name+"="+probes.FormatValue(v))
		} else {
			parts = append(parts, p.Name+"="+probes.FormatValue(p.Default)+" (default)")
		}
	}
	return strings.Join(parts, ", ")
}

// verifiedBy says how a control is decided: by answers, probes or both.
func verifiedBy(c *Control) string {
	var parts []string
	if n := len(c.Questions); n == 1 {
		parts = append(parts, "1 question")
	} else if n > 1 {
		parts = append(parts, fmt.Sprintf("%d questions", n))
	}
	if n := len(c.Probes); n == 1 {
		parts = append(parts, "1 probe")
	} else if n > 1 {
		parts = append(parts, fmt.Sprintf("%d probes", n))
	}
	return strings.Join(parts, " and ")
}

// withDetails formats "name (detail, detail)", leaving out empty parts.
func withDetails(name string, details ...string) string {
	var set []string
	for _, d := range details {
		if d != "" {
			set = append(set, d)
		}
	}
	if len(set) == 0 {
		return name
	}
	return strings.TrimSpace(name + " (" + strings.Join(set, ", ") + ")")
}

// outlineWriter keeps the first write error so the outline code stays linear.
type outlineWriter struct {
	w   io.Writer
	err error
}

func (e *outlineWriter) printf(format string, a ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, a...)
	}
}
