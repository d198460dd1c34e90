package assessment

import (
	"encoding/json"
	"time"

	"github.com/selfassess/selfassess/probes"
)

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
	// Scripts are the changes to each page's script and stylesheet
	// inventory (js.sri) between the two results, target by target.
	Scripts []ScriptChange `json:"scripts"`
	// ScriptsNotCompared are the targets whose inventory only one side holds
	// (not probed, or the page failed or was not HTML that time).
	ScriptsNotCompared []string `json:"scripts_not_compared"`
}

// ScriptChange is one script or stylesheet of a page added, removed or
// changed (its integrity attribute, or the sha384 of the file served) since
// the previous assessment: PCI DSS 4.0 11.6.1 wants such changes detected,
// and each is one a reviewer authorises again (6.4.3).
type ScriptChange struct {
	Change string `json:"change"` // added, removed or changed
	Target string `json:"target"`
	Kind   string `json:"kind"` // script or stylesheet
	URL    string `json:"url"`
	// Old* and New* are "" when that side has none (or no such entry).
	OldIntegrity string `json:"old_integrity,omitempty"`
	NewIntegrity string `json:"new_integrity,omitempty"`
	OldSHA384    string `json:"old_sha384,omitempty"`
	NewSHA384    string `json:"new_sha384,omitempty"`
}

// SameChecklist reports whether both sides used the same checklist id and version.
func (d *DiffResult) SameChecklist() bool { return d.OldChecklist == d.NewChecklist }

// Empty reports whether nothing changed: no control status, no finding
// resolved or open, no page script.
func (d *DiffResult) Empty() bool {
	return d.ControlsUnchanged() && len(d.ResolvedFindings)+len(d.OpenFindings)+len(d.Scripts) == 0
}

// ControlsUnchanged reports whether no control changed status (nor came or went).
func (d *DiffResult) ControlsUnchanged() bool {
	return len(d.NewlyFailing)+len(d.NewlyPassing)+len(d.Changed)+len(d.Added)+len(d.Removed) == 0
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
	d.Scripts, d.ScriptsNotCompared = diffScripts(old.Probes, new.Probes)
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

// sriEntry is what the diff reads of one js.sri inventory entry.
type sriEntry struct {
	Kind      string `json:"kind"`
	URL       string `json:"url"`
	Integrity string `json:"integrity"`
	SHA384    string `json:"sha384"`
}

// inventories returns each target's js.sri inventory, in result order. The
// observation is read through JSON: a loaded results.json holds decoded
// JSON, a fresh run the probe's own value.
func inventories(rs []probes.Result) (order []string, inv map[string][]sriEntry) {
	inv = map[string][]sriEntry{}
	for _, r := range rs {
		if r.ID != "js.sri" || r.Observed == nil {
			continue
		}
		if _, done := inv[r.Target]; done {
			continue
		}
		b, err := json.Marshal(r.Observed)
		if err != nil {
			continue
		}
		var o struct {
			Resources *[]sriEntry `json:"resources"`
		}
		if json.Unmarshal(b, &o) != nil || o.Resources == nil {
			continue // an error result's observation: no inventory
		}
		order = append(order, r.Target)
		inv[r.Target] = *o.Resources
	}
	return order, inv
}

// diffScripts compares the inventories of the targets both sides probed.
// Entries match by kind and URL (the n-th occurrence with the n-th, should a
// page load one URL twice); one changed when its integrity differs, or the
// sha384 of the file served when both sides fetched it.
func diffScripts(old, cur []probes.Result) ([]ScriptChange, []string) {
	oldOrder, before := inventories(old)
	newOrder, after := inventories(cur)
	changes, notCompared := []ScriptChange{}, []string{}
	for _, t := range newOrder {
		prev, ok := before[t]
		if !ok {
			notCompared = append(notCompared, t)
			continue
		}
		type key struct{ kind, url string }
		pending := map[key][]int{} // unmatched previous entries, in order
		for i, e := range prev {
			k := key{e.Kind, e.URL}
			pending[k] = append(pending[k], i)
		}
		matched := make([]bool, len(prev))
		for _, e := range after[t] {
			k := key{e.Kind, e.URL}
			ch := ScriptChange{Target: t, Kind: e.Kind, URL: e.URL, NewIntegrity: e.Integrity, NewSHA384: e.SHA384}
			if len(pending[k]) == 0 {
				ch.Change = "added"
				changes = append(changes, ch)
				continue
			}
			i := pending[k][0]
			pending[k] = pending[k][1:]
			matched[i] = true
			p := prev[i]
			if p.Integrity != e.Integrity || (p.SHA384 != "" && e.SHA384 != "" && p.SHA384 != e.SHA384) {
				ch.Change, ch.OldIntegrity, ch.OldSHA384 = "changed", p.Integrity, p.SHA384
				if p.Integrity == e.Integrity {
					ch.OldIntegrity, ch.NewIntegrity = "", ""
				}
				if p.SHA384 == e.SHA384 {
					ch.OldSHA384, ch.NewSHA384 = "", ""
				}
				changes = append(changes, ch)
			}
		}
		for i, p := range prev {
			if !matched[i] {
				changes = append(changes, ScriptChange{Change: "removed", Target: t, Kind: p.Kind, URL: p.URL,
					OldIntegrity: p.Integrity, OldSHA384: p.SHA384})
			}
		}
	}
	for _, t := range oldOrder {
		if _, ok := after[t]; !ok {
			notCompared = append(notCompared, t)
		}
	}
	return changes, notCompared
}
