package cmd

import (
	"fmt"
	"strings"
	"sync"

	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/safetext"
	"github.com/selfassess/selfassess/probes"
)

// probedControls counts the controls that probes verify.
func probedControls(cl *checklist.Checklist) int {
	n := 0
	for _, sc := range cl.Controls() {
		if len(sc.Control.Probes) > 0 {
			n++
		}
	}
	return n
}

// probeTracker follows probe progress: it prints plain progress lines and
// answers the questionnaire's "has this control's probe failed?".
type probeTracker struct {
	mu       sync.Mutex
	silent   bool
	started  int
	finished int
	failed   map[string][]string // probe id and parameters → "target: summary" of failing results
	byCtl    map[string][]string // control id → probe ids and parameters (failedKey)
	lines    []string            // progress held back while quiet
	out      func(string)
}

func newProbeTracker(cl *checklist.Checklist) *probeTracker {
	t := &probeTracker{failed: map[string][]string{}, byCtl: map[string][]string{}}
	for _, sc := range cl.Controls() {
		for _, id := range sc.Control.Probes {
			t.byCtl[sc.Control.ID] = append(t.byCtl[sc.Control.ID], failedKey(id, sc.Control.With[id]))
		}
	}
	return t
}

// failedKey names a probe run: its id and, after a NUL, its parameters.
func failedKey(id string, set probes.Params) string { return id + "\x00" + probes.ParamsKey(id, set) }

func (t *probeTracker) event(e probes.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !e.Done {
		t.started++
		return
	}
	t.finished++
	for _, r := range e.Results {
		if r.Status == probes.Fail {
			k := failedKey(r.ID, r.Params)
			t.failed[k] = append(t.failed[k], safetext.Quote(r.Target)+": "+safetext.Quote(oneLine(r.Summary)))
		}
	}
	line := progressLine(e)
	if t.silent {
		t.lines = append(t.lines, line)
	} else if t.out != nil {
		t.out(line)
	}
}

func (t *probeTracker) quiet(q bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.silent = q
	if !q && t.out != nil {
		for _, l := range t.lines {
			t.out(l)
		}
		t.lines = nil
	}
}

// waiting says that the run now waits for probes still running. It writes
// under the tracker's lock, as progress lines do from the probes' goroutines.
func (t *probeTracker) waiting() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n := t.started - t.finished; n > 0 && t.out != nil {
		t.out(fmt.Sprintf("waiting for the probes to finish (%d running)", n))
	}
}

func (t *probeTracker) pending() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.started - t.finished
}

// note says which of the control's probes already failed, for the
// questionnaire; while nothing failed and probes still run, it says how far
// they are (the progress lines are held while the form is on screen).
func (t *probeTracker) note(controlID string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var parts []string
	for _, k := range t.byCtl[controlID] {
		id, _, _ := strings.Cut(k, "\x00")
		for _, f := range t.failed[k] {
			parts = append(parts, id+" failed on "+f)
		}
	}
	if len(parts) == 0 && len(t.byCtl[controlID]) > 0 && t.started > t.finished {
		return fmt.Sprintf("still running in the background (%d checks finished, %d running)", t.finished, t.started-t.finished)
	}
	return strings.Join(parts, "; ")
}
