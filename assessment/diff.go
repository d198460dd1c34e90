package assessment

import "time"

// ControlChange is one control whose status differs between two results.
type ControlChange struct {
	ID       string `json:"id"`
	Section  string `json:"section"`
	Title    string `json:"title"`
	Severity string `json:"severity"`
	// Old and New are "" when the control is absent on that side.
	Old ControlStatus `json:"old,omitempty"`
	New ControlStatus `json:"new,omitempty"`
}

// DiffResult compares an earlier results.json with a later one.
type DiffResult struct {
	OldScore    int       `json:"old_score"`
	NewScore    int       `json:"new_score"`
	OldVerdict  string    `json:"old_verdict"`
	NewVerdict  string    `json:"new_verdict"`
	OldFinished time.Time `json:"old_finished_at"`
	NewFinished time.Time `json:"new_finished_at"`
	// OldChecklist and NewChecklist are "ID VERSION" of the checklist each
	// side was assessed against; controls are matched by id either way.
	OldChecklist string `json:"old_checklist"`
	NewChecklist string `json:"new_checklist"`
	// NewlyFailing: now fail, partial or error; before something better.
	NewlyFailing []ControlChange `json:"newly_failing"`
	// NewlyPassing: now pass; before anything else (remediated).
	NewlyPassing []ControlChange `json:"newly_passing"`
	// Changed: every other status change (e.g. fail → excepted).
	Changed []ControlChange `json:"changed"`
	Added   []ControlChange `json:"added"`
	Removed []ControlChange `json:"removed"`
	// ResolvedFindings were open before and are not now (by fingerprint);
	// OpenFindings are still (or newly) open or overdue.
	ResolvedFindings []TrackedFinding `json:"resolved_findings"`
	OpenFindings     []TrackedFinding `json:"open_findings"`
}

// SameChecklist reports whether both sides used the same checklist id and version.
func (d *DiffResult) SameChecklist() bool { return d.OldChecklist == d.NewChecklist }

// Empty reports whether nothing changed.
func (d *DiffResult) Empty() bool {
	return len(d.NewlyFailing)+len(d.NewlyPassing)+len(d.Changed)+len(d.Added)+len(d.Removed)+len(d.ResolvedFindings)+len(d.OpenFindings) == 0
}

func failing(s ControlStatus) bool {
	return s == ControlFail || s == ControlPartial || s == ControlError
}

// Diff compares old and new results control by control (matched by id),
// in the new results' order; removed controls follow the old order.
func Diff(old, new *Results) *DiffResult {
	d := &DiffResult{
		OldScore: old.Summary.Score, NewScore: new.Summary.Score,
		OldVerdict: old.Summary.Verdict, NewVerdict: new.Summary.Verdict,
		OldFinished: old.FinishedAt, NewFinished: new.FinishedAt,
		OldChecklist: old.Checklist.ID + " " + old.Checklist.Version, NewChecklist: new.Checklist.ID + " " + new.Checklist.Version,
		NewlyFailing: []ControlChange{}, NewlyPassing: []ControlChange{}, Changed: []ControlChange{},
		Added: []ControlChange{}, Removed: []ControlChange{},
		ResolvedFindings: []TrackedFinding{}, OpenFindings: []TrackedFinding{},
	}
	diffFindings(d, old, new)
	before := map[string]*Control{}
	for i := range old.Controls {
		before[old.Controls[i].ID] = &old.Controls[i]
	}
	seen := map[string]bool{}
	for i := range new.Controls {
		c := &new.Controls[i]
		seen[c.ID] = true
		ch := ControlChange{ID: c.ID, Section: c.Section, Title: c.Title, Severity: c.Severity, New: c.Status}
		o, ok := before[c.ID]
		if !ok {
			d.Added = append(d.Added, ch)
			continue
		}
		ch.Old = o.Status
		switch {
		case o.Status == c.Status:
		case failing(c.Status) && !failing(o.Status):
			d.NewlyFailing = append(d.NewlyFailing, ch)
		case c.Status == ControlPass:
			d.NewlyPassing = append(d.NewlyPassing, ch)
		default:
			d.Changed = append(d.Changed, ch)
		}
	}
	for i := range old.Controls {
		o := &old.Controls[i]
		if !seen[o.ID] {
			d.Removed = append(d.Removed, ControlChange{ID: o.ID, Section: o.Section, Title: o.Title, Severity: o.Severity, Old: o.Status})
		}
	}
	return d
}

// diffFindings lists the findings resolved since old and those still open.
func diffFindings(d *DiffResult, old, new *Results) {
	now := map[string]TrackedFinding{}
	for _, f := range new.Tracked {
		now[f.Fingerprint] = f
	}
	for _, f := range old.Tracked {
		if f.Status != FindingOpen && f.Status != FindingOverdue {
			continue
		}
		if n, ok := now[f.Fingerprint]; !ok || n.Status == FindingResolved {
			f.Status = FindingResolved
			d.ResolvedFindings = append(d.ResolvedFindings, f)
		}
	}
	d.OpenFindings = new.OpenFindings()
	if d.OpenFindings == nil {
		d.OpenFindings = []TrackedFinding{}
	}
}
