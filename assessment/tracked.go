package assessment

import (
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/probes"
)

// FindingStatus is where a tracked finding stands.
type FindingStatus string

const (
	FindingOpen       FindingStatus = "open"
	FindingResolved   FindingStatus = "resolved"
	FindingOverdue    FindingStatus = "overdue"
	FindingSuppressed FindingStatus = "suppressed" // a false-positive claim not rejected
)

// Finding sources.
const (
	SourceProbe   = "probe"   // a failing probe finding
	SourceControl = "control" // a failing control with no probe finding behind it (answers)
	SourceReview  = "review"  // the reviewer's finding or question
)

// Response kinds the team gives to a reviewer's finding.
const (
	Fixed    = "fixed"
	WillFix  = "will-fix"
	Disputed = "disputed"
	Answered = "answered" // a reviewer's question answered in text
)

// Finding is one problem followed across rounds by its Fingerprint
// (results.json findings[]).
type TrackedFinding struct {
	// Fingerprint is rule + normalised location (no line numbers), e.g.
	// "source.secrets:backend/config.py:gitleaks:generic-api-key", so a line
	// shift does not make a finding new.
	Fingerprint string        `json:"fingerprint"`
	Control     string        `json:"control"`
	Source      string        `json:"source"`
	Severity    string        `json:"severity"`
	Message     string        `json:"message"`
	Location    string        `json:"location,omitempty"`
	Status      FindingStatus `json:"status"`
	FirstSeen   string        `json:"first_seen"` // YYYY-MM-DD
	Due         string        `json:"due,omitempty"`
	// DueFrom says who set Due: reviewer, checklist or team.
	DueFrom string `json:"due_from,omitempty"`
	// Justification is the team's false-positive claim (suppressed).
	Justification string `json:"justification,omitempty"`
	// Rejected is the reviewer's reason for rejecting a false-positive claim.
	Rejected string    `json:"rejected,omitempty"`
	Response *Response `json:"response,omitempty"`
	// Question marks a reviewer's question (not a defect).
	Question bool `json:"question,omitempty"`
}

// Response is the team's answer to a reviewer's finding or question.
type Response struct {
	Kind  string `json:"kind" yaml:"kind"` // fixed, will-fix, disputed, answered
	Text  string `json:"text,omitempty" yaml:"text,omitempty"`
	Date  string `json:"date,omitempty" yaml:"date,omitempty"` // will-fix: by when
	Owner string `json:"owner,omitempty" yaml:"owner,omitempty"`
}

// FalsePositive is the team's claim that a probe finding is not real.
type FalsePositive struct {
	Fingerprint   string `json:"fingerprint" yaml:"fingerprint"`
	Justification string `json:"justification" yaml:"justification"`
}

// ReviewItem is one reviewer finding or question carried from the previous review.
type ReviewItem struct {
	Control  string
	Text     string
	Severity string
	Due      string
	Question bool
}

// ReviewFingerprint is the fingerprint of the reviewer's item on a control.
func ReviewFingerprint(control string) string { return "review:" + control }

// Lifecycle is what Track needs beyond the results of this run.
type Lifecycle struct {
	// Previous is the last submission's results (nil for a first run).
	Previous *Results
	// Remediation are the checklist's remediation periods.
	Remediation *checklist.RemediationDays
	// Claims are the team's false-positive claims; Rejected maps the
	// fingerprints whose claim a reviewer rejected to the reason.
	Claims   []FalsePositive
	Rejected map[string]string
	// Review are the previous review's findings and questions; Responses
	// the team's, by control id.
	Review    []ReviewItem
	Responses map[string]Response
	Now       time.Time
}

// Suppressed is a probe finding taken out by a false-positive claim.
type Suppressed struct {
	Claim   FalsePositive
	ProbeID string
	Target  string
	Finding probes.Finding
}

// Suppress takes the probe findings claimed as false positives (and not
// rejected) out of the probe results before Evaluate, so they no longer
// fail a control: a probe left with no failing finding passes (or warns).
// It returns the filtered results and the suppressed findings by fingerprint.
func Suppress(results []probes.Result, claims []FalsePositive, rejected map[string]string) ([]probes.Result, map[string]Suppressed) {
	byFP := map[string]FalsePositive{}
	for _, c := range claims {
		if _, no := rejected[c.Fingerprint]; !no {
			byFP[c.Fingerprint] = c
		}
	}
	if len(byFP) == 0 {
		return results, nil
	}
	out := make([]probes.Result, len(results))
	hit := map[string]Suppressed{}
	for i, r := range results {
		out[i] = r
		var keep []probes.Finding
		removed := false
		for _, f := range r.Findings {
			fp := ProbeFingerprint(r.ID, r.Target, f)
			if c, ok := byFP[fp]; ok && f.Status == probes.Fail {
				hit[fp], removed = Suppressed{Claim: c, ProbeID: r.ID, Target: r.Target, Finding: f}, true
				continue
			}
			keep = append(keep, f)
		}
		if !removed {
			continue
		}
		out[i].Findings = keep
		if r.Status == probes.Fail {
			worst := probes.Pass
			for _, f := range keep {
				if f.Status.Rank() > worst.Rank() {
					worst = f.Status
				}
			}
			out[i].Status = worst
		}
	}
	return out, hit
}

// ProbeFingerprint is a probe finding's stable name: probe id, location
// without line number (a file path, or the URL without query), rule.
func ProbeFingerprint(probeID, target string, f probes.Finding) string {
	loc := f.File
	if loc == "" {
		loc = f.Location
		if i := strings.LastIndexByte(loc, ':'); i > 0 && !strings.Contains(loc, "://") && isDigits(loc[i+1:]) {
			loc = loc[:i] // FILE:LINE
		}
		if u, err := url.Parse(loc); err == nil && u.Scheme != "" && u.Host != "" {
			u.RawQuery, u.Fragment = "", ""
			loc = u.String()
		}
	}
	if loc == "" {
		loc = target
	}
	rule := f.Rule
	if rule == "" {
		rule = "finding"
	}
	return probeID + ":" + loc + ":" + rule
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Track fills res.Tracked: every failing probe finding and failing control
// of this run, the suppressed ones, the reviewer's items, and the previous
// round's findings now resolved; each with first_seen, due and status. An
// open reviewer finding keeps its control from passing; an overdue finding
// blocks the gate. Summary, sections and verdict are recomputed.
func Track(res *Results, cl *checklist.Checklist, suppressed map[string]Suppressed, lc Lifecycle) {
	now := lc.Now
	if now.IsZero() {
		now = time.Now()
	}
	today := now.UTC().Format(time.DateOnly)
	prev := map[string]TrackedFinding{}
	prevControls := map[string]Control{}
	if lc.Previous != nil {
		for _, f := range lc.Previous.Tracked {
			prev[f.Fingerprint] = f
		}
		for _, c := range lc.Previous.Controls {
			prevControls[c.ID] = c
		}
	}
	probeByID := map[string][]probes.Result{}
	for _, r := range res.Probes {
		probeByID[r.ID] = append(probeByID[r.ID], r)
	}
	var out []TrackedFinding
	seen := map[string]bool{}
	add := func(f TrackedFinding) {
		if seen[f.Fingerprint] {
			return
		}
		seen[f.Fingerprint] = true
		if p, ok := prev[f.Fingerprint]; ok && p.FirstSeen != "" && p.FirstSeen < today {
			f.FirstSeen = p.FirstSeen
		} else {
			f.FirstSeen = today
		}
		out = append(out, f)
	}
	byControl := map[string]*Control{}
	for i := range res.Controls {
		c := &res.Controls[i]
		byControl[c.ID] = c
		if c.Status != ControlFail {
			continue
		}
		n := 0
		for _, pid := range c.ProbeRefs {
			for _, r := range withParams(probeByID[pid], pid, c.ProbeParams[pid]) {
				for _, pf := range r.Findings {
					if pf.Status != probes.Fail {
						continue
					}
					loc := pf.Location
					if loc == "" {
						loc = r.Target
					}
					add(TrackedFinding{Fingerprint: ProbeFingerprint(pid, r.Target, pf), Control: c.ID, Source: SourceProbe,
						Severity: c.Severity, Message: pf.Message, Location: loc, Status: FindingOpen})
					n++
				}
			}
		}
		if n == 0 {
			msg := "control failed"
			for _, e := range c.Evidence {
				if e.Status == ReasonFail {
					msg = e.Message
					break
				}
			}
			add(TrackedFinding{Fingerprint: "control:" + c.ID, Control: c.ID, Source: SourceControl, Severity: c.Severity,
				Message: msg, Status: FindingOpen})
		}
	}
	// Suppressed findings: listed, never failing. Their control is the one
	// whose probe produced them.
	for _, fp := range slices.Sorted(maps.Keys(suppressed)) {
		s := suppressed[fp]
		ctl := ""
		for _, c := range res.Controls {
			if ctl == "" && slicesContains(c.ProbeRefs, s.ProbeID) {
				ctl = c.ID
			}
		}
		sev := ""
		if c := byControl[ctl]; c != nil {
			sev = c.Severity
		}
		loc := s.Finding.Location
		if loc == "" {
			loc = s.Target
		}
		add(TrackedFinding{Fingerprint: fp, Control: ctl, Source: SourceProbe, Severity: sev, Message: s.Finding.Message, Location: loc,
			Status: FindingSuppressed, Justification: s.Claim.Justification})
	}
	// Rejected claims that are failing again say why.
	for i := range out {
		if r, ok := lc.Rejected[out[i].Fingerprint]; ok {
			out[i].Rejected = r
		}
	}
	// The reviewer's items.
	for _, it := range lc.Review {
		f := TrackedFinding{Fingerprint: ReviewFingerprint(it.Control), Control: it.Control, Source: SourceReview,
			Severity: it.Severity, Message: it.Text, Status: FindingOpen, Due: it.Due, Question: it.Question}
		if it.Due != "" {
			f.DueFrom = "reviewer"
		}
		if r, ok := lc.Responses[it.Control]; ok {
			r := r
			f.Response = &r
			if reviewClosed(it, r, byControl[it.Control], prevControls[it.Control]) {
				f.Status = FindingResolved
			}
		}
		add(f)
	}
	// Due dates, then overdue.
	for i := range out {
		f := &out[i]
		if f.Source != SourceReview && f.Status != FindingSuppressed {
			if d := lc.Remediation.For(checklist.Severity(f.Severity)); d > 0 {
				first, err := time.Parse(time.DateOnly, f.FirstSeen)
				if err == nil {
					f.Due, f.DueFrom = first.AddDate(0, 0, d).Format(time.DateOnly), "checklist"
				}
			}
		}
		if team := teamDate(f, byControl[f.Control]); team != "" && (f.Due == "" || team < f.Due) {
			f.Due, f.DueFrom = team, "team"
		}
		if f.Status == FindingOpen && f.Due != "" && f.Due < today {
			f.Status = FindingOverdue
		}
	}
	// The previous round's open findings that are gone now are resolved.
	if lc.Previous != nil {
		for _, p := range lc.Previous.Tracked {
			if seen[p.Fingerprint] || (p.Status != FindingOpen && p.Status != FindingOverdue) {
				continue
			}
			p.Status = FindingResolved
			add(p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Control != out[j].Control {
			return out[i].Control < out[j].Control
		}
		return out[i].Fingerprint < out[j].Fingerprint
	})
	res.Tracked = out

	// An open reviewer finding keeps its control from passing.
	changed := false
	for _, f := range out {
		c := byControl[f.Control]
		if f.Source != SourceReview || f.Question || c == nil || (f.Status != FindingOpen && f.Status != FindingOverdue) {
			continue
		}
		if c.Status == ControlPass || c.Status == ControlPartial || c.Status == ControlNotApplicable {
			c.Status = ControlFail
			changed = true
		}
		c.Evidence = append(c.Evidence, Reason{Kind: "note", Source: "review", Status: ReasonFail,
			Message: "reviewer finding open: " + f.Message})
	}
	if changed {
		res.Sections = sectionStats(cl, res.Controls)
		verdict := res.Summary.Verdict
		res.Summary = summarize(res.Controls)
		res.Summary.Verdict = verdict
	}
	var reasons []string
	for _, f := range out {
		if f.Status == FindingOverdue {
			reasons = append(reasons, fmt.Sprintf("finding %s (%s) is overdue since %s", f.Fingerprint, f.Control, f.Due))
		} else if f.Status == FindingOpen && f.Source == SourceReview && !f.Question {
			reasons = append(reasons, fmt.Sprintf("reviewer finding on %s is open", f.Control))
		}
	}
	if changed || len(reasons) > 0 {
		opts := Options{AllowUnanswered: res.Gate.AllowUnanswered, FailOn: checklist.Severity(res.Gate.FailOn)}
		if opts.FailOn == "" {
			opts.FailOn = checklist.High
		}
		res.Gate.Reasons = append(gateReasons(res.Controls, opts), reasons...)
		res.Summary.Verdict = Ready
		if len(res.Gate.Reasons) > 0 {
			res.Summary.Verdict = NotReady
		}
	}
}

// teamDate is the team's own date for a finding: a will-fix date, or the
// control's due date from the answers.
func teamDate(f *TrackedFinding, c *Control) string {
	if f.Response != nil && f.Response.Kind == WillFix && f.Response.Date != "" {
		return f.Response.Date
	}
	if c != nil && f.Source != SourceReview {
		return c.Due
	}
	return ""
}

// reviewClosed: a question closes when answered; a finding the team marks
// fixed closes only when what showed it now passes: the control is no
// longer failing and it changed since the reviewed round (status, answers
// or evidence), so "fixed" alone changes nothing.
func reviewClosed(it ReviewItem, r Response, now *Control, before Control) bool {
	if it.Question {
		return strings.TrimSpace(r.Text) != ""
	}
	if r.Kind != Fixed || now == nil {
		return false
	}
	switch now.Status {
	case ControlFail, ControlError, ControlNotTested:
		return false
	}
	if before.ID == "" {
		return now.Status == ControlPass
	}
	return now.Status != before.Status || !reflect.DeepEqual(now.Answers, before.Answers) || !sameFiles(now.Evidence, before.Evidence)
}

// sameFiles compares the evidence files (by path and hash) of two rounds.
func sameFiles(a, b []Reason) bool {
	files := func(es []Reason) []string {
		var out []string
		for _, e := range es {
			if e.Kind == "file" && e.File != "" {
				out = append(out, e.File+"@"+e.SHA256)
			}
		}
		sort.Strings(out)
		return out
	}
	return reflect.DeepEqual(files(a), files(b))
}

// ValidateResponse checks a team's response to a reviewer item: will-fix
// needs a date no later than the due date; disputed and fixed need text.
func ValidateResponse(it ReviewItem, r Response) error {
	switch r.Kind {
	case Fixed, Disputed, Answered:
		if strings.TrimSpace(r.Text) == "" {
			return fmt.Errorf("%s: say %s", r.Kind, map[string]string{Fixed: "what changed", Disputed: "why", Answered: "the answer"}[r.Kind])
		}
	case WillFix:
		if _, err := time.Parse(time.DateOnly, r.Date); err != nil {
			return fmt.Errorf("will-fix: date must be YYYY-MM-DD, got %q", r.Date)
		}
		if it.Due != "" && r.Date > it.Due {
			return fmt.Errorf("will-fix date %s is after the reviewer's due date %s", r.Date, it.Due)
		}
	default:
		return fmt.Errorf("response %q is not one of fixed, will-fix, disputed, answered", r.Kind)
	}
	if it.Question && r.Kind != Answered && r.Kind != Disputed {
		return fmt.Errorf("a question is answered (answered: TEXT), not %s", r.Kind)
	}
	return nil
}

// OpenFindings are the findings still open or overdue (not suppressed or resolved).
func (r *Results) OpenFindings() []TrackedFinding {
	var out []TrackedFinding
	for _, f := range r.Tracked {
		if f.Status == FindingOpen || f.Status == FindingOverdue {
			out = append(out, f)
		}
	}
	return out
}

// Candidate is a failing probe finding of a control that the team may
// claim is a false positive.
type Candidate struct {
	Fingerprint, Control, Message, Location string
}

// Candidates lists each control's failing probe findings (from the run
// with the control's own parameters), once per fingerprint, in checklist order.
func Candidates(cl *checklist.Checklist, results []probes.Result) []Candidate {
	byID := map[string][]probes.Result{}
	for _, r := range results {
		byID[r.ID] = append(byID[r.ID], r)
	}
	seen := map[string]bool{}
	var out []Candidate
	for _, sc := range cl.Controls() {
		ctl := sc.Control
		for _, pid := range ctl.Probes {
			for _, r := range withParams(byID[pid], pid, ctl.With[pid]) {
				for _, f := range r.Findings {
					fp := ProbeFingerprint(pid, r.Target, f)
					if f.Status != probes.Fail || seen[fp] {
						continue
					}
					seen[fp] = true
					loc := f.Location
					if loc == "" {
						loc = r.Target
					}
					out = append(out, Candidate{Fingerprint: fp, Control: ctl.ID, Message: f.Message, Location: loc})
				}
			}
		}
	}
	return out
}
