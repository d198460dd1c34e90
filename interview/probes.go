package interview

import (
	"fmt"
	"strings"
	"sync"

	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/safetext"
	"github.com/selfassess/selfassess/probes"
)

// LiveProbes follows the probes running in the background so that the
// control on screen shows how its probes went as they finish, not a
// snapshot taken when the control was first shown.
type LiveProbes struct {
	mu       sync.Mutex
	byCtl    map[string][]string        // control id → probe keys (id and parameters)
	results  map[string][]probes.Result // probe key → results so far
	started  int
	finished int
	changed  chan struct{} // capacity 1: "something finished" is pending
	idle     bool          // no target was given: nothing will run
}

// NewLiveProbes follows the probes of cl's controls; feed it every
// probes.Event (probes.Config.Progress).
func NewLiveProbes(cl *checklist.Checklist) *LiveProbes {
	l := &LiveProbes{byCtl: map[string][]string{}, results: map[string][]probes.Result{}, changed: make(chan struct{}, 1)}
	for _, sc := range cl.Controls() {
		for _, id := range sc.Control.Probes {
			l.byCtl[sc.Control.ID] = append(l.byCtl[sc.Control.ID], probeKey(id, sc.Control.With[id]))
		}
	}
	return l
}

// probeKey names a probe run: its id and, after a NUL, its parameters (a
// probe runs once per parameter set the controls ask for).
func probeKey(id string, set probes.Params) string { return id + "\x00" + probes.ParamsKey(id, set) }

func keyID(k string) string { id, _, _ := strings.Cut(k, "\x00"); return id }

// NothingToProbe says that no target was given, so no probe will run.
func (l *LiveProbes) NothingToProbe() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.idle = true
}

// Event records a probe event; safe for concurrent use.
func (l *LiveProbes) Event(e probes.Event) {
	l.mu.Lock()
	if e.Done {
		l.finished++
		for _, r := range e.Results {
			k := probeKey(r.ID, r.Params)
			l.results[k] = append(l.results[k], r)
		}
	} else {
		l.started++
	}
	l.mu.Unlock()
	select { // coalesced: the screen reads the latest state anyway
	case l.changed <- struct{}{}:
	default:
	}
}

// Failing reports whether a probe of the control failed or errored, so
// the control will not pass whatever the answers are.
func (l *LiveProbes) Failing(controlID string) bool {
	if l == nil {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, id := range l.byCtl[controlID] {
		for _, r := range l.results[id] {
			if r.Status == probes.Fail || r.Status == probes.Error {
				return true
			}
		}
	}
	return false
}

// Note is the control's probe lines: failures first, each with its first
// finding (file:line or URL), then warnings, passes, and what still runs.
func (l *LiveProbes) Note(controlID string) string {
	if l == nil {
		return ""
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	ids := l.byCtl[controlID]
	if len(ids) == 0 {
		return ""
	}
	if l.idle {
		names := make([]string, len(ids))
		for i, k := range ids {
			names[i] = keyID(k)
		}
		return "not run: " + strings.Join(dedupe(names), ", ") + " (no --target, --source or --webhook-url)"
	}
	var bad, passed, waiting, notRun []string
	running := l.started > l.finished
	for _, k := range ids {
		id, rs := keyID(k), l.results[k]
		if len(rs) == 0 {
			if running || l.started == 0 {
				waiting = append(waiting, id)
			} else {
				notRun = append(notRun, id)
			}
			continue
		}
		for _, r := range rs {
			switch r.Status {
			case probes.Pass, probes.Info:
				passed = append(passed, id)
			case probes.Skipped:
				notRun = append(notRun, fmt.Sprintf("%s (%s)", id, safetext.Line(r.Summary)))
			default:
				bad = append(bad, probeProblem(r))
			}
		}
	}
	var lines []string
	lines = append(lines, bad...)
	if len(passed) > 0 {
		lines = append(lines, "passed: "+strings.Join(dedupe(passed), ", "))
	}
	if len(waiting) > 0 {
		lines = append(lines, fmt.Sprintf("running: %s (%d of %d checks finished)", strings.Join(waiting, ", "), l.finished, l.started))
	}
	if len(notRun) > 0 {
		lines = append(lines, "not run: "+strings.Join(notRun, ", "))
	}
	return strings.Join(lines, "\n")
}

// probeProblem is one line for a result that did not pass: its summary and
// where its first finding is, so the person answering can look there.
func probeProblem(r probes.Result) string {
	verb := map[probes.Status]string{probes.Fail: "FAILED", probes.Warn: "warned", probes.Error: "errored"}[r.Status]
	if verb == "" {
		verb = string(r.Status)
	}
	// target, summary and findings come from servers and source files:
	// shown quoted when they hold control characters (safetext)
	line := fmt.Sprintf("%s %s on %s: %s", r.ID, verb, safetext.Quote(r.Target), safetext.Line(r.Summary))
	for _, f := range r.Findings {
		if f.Status != r.Status && f.Status != probes.Fail {
			continue
		}
		loc := f.Location
		if loc == "" && f.File != "" {
			loc = fmt.Sprintf("%s:%d", f.File, f.Line)
		}
		loc = safetext.Quote(loc)
		if loc != "" && !strings.Contains(line, loc) {
			line += fmt.Sprintf(" (first at %s: %s)", loc, safetext.Line(f.Message))
		} else if loc != "" {
			line += " (" + safetext.Line(f.Message) + ")"
		} else if f.Message != "" {
			line += " (" + safetext.Line(f.Message) + ")"
		}
		break
	}
	return line
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := s[:0:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
