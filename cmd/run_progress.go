package cmd

import (
	"fmt"
	"sync"

	"github.com/selfassess/selfassess/probes"
)

// probeTracker follows probe progress and prints plain progress lines
// (each control's screen shows its own probes: interview.LiveProbes).
type probeTracker struct {
	mu       sync.Mutex
	silent   bool
	started  int
	finished int
	lines    []string // progress held back while quiet
	out      func(string)
}

func newProbeTracker() *probeTracker { return &probeTracker{} }

func (t *probeTracker) event(e probes.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !e.Done {
		t.started++
		return
	}
	t.finished++
	line := probes.ProgressLine(e)
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
