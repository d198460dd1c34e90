package assessment

import (
	"time"

	"github.com/selfassess/selfassess/probes"
)

// Run is what a run stamps on its results: the tool, the project, the
// targets as displayed and when it ran.
type Run struct {
	Tool    Tool
	Project Project
	Targets []probes.Target
	// SourceRef names a source tree target (e.g. with its git commit);
	// nil names it as given.
	SourceRef         func(dir string) string
	Started, Finished time.Time
}

// Stamp records the run on the results: URLs redacted, times in UTC.
func (r *Results) Stamp(run Run) {
	r.Tool, r.Project = run.Tool, run.Project
	r.Targets = []string{}
	for _, t := range run.Targets {
		if t.Kind == probes.KindSource && run.SourceRef != nil {
			r.Targets = append(r.Targets, run.SourceRef(t.Value))
			continue
		}
		r.Targets = append(r.Targets, probes.DisplayTarget(t))
	}
	r.StartedAt, r.FinishedAt = run.Started.UTC(), run.Finished.UTC()
}
