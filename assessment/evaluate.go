package assessment

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/probes"
)

// Options set the gate and the clock.
type Options struct {
	// FailOn is the lowest severity whose fail or error makes the verdict
	// not-ready; "" means high.
	FailOn checklist.Severity
	// AllowUnanswered: not_tested controls do not block readiness.
	AllowUnanswered bool
	// Now dates exceptions and max_age_days answers; zero means time.Now().
	Now time.Time
}

// Severity weights for the score: a critical control counts ten low ones.
var severityWeight = map[checklist.Severity]float64{
	checklist.Critical: 10, checklist.High: 5, checklist.Medium: 3, checklist.Low: 1,
}

// statusCredit is the share of a control's weight it earns. An excepted
// control earns half: the risk is accepted, not removed. not_applicable
// controls are left out of the score altogether.
var statusCredit = map[ControlStatus]float64{ControlPass: 1, ControlPartial: 0.5, ControlExcepted: 0.5}

// Evaluate decides every control's status from its answers and the probe
// results, applies the exceptions, and computes the score and verdict.
// It is a pure function of its arguments.
//
// The rules, in order:
//   - a failing answer or a failing probe result (on any target) → fail;
//     the evidence shows both the answers and the probe findings
//   - a probe error (and nothing failed) → error
//   - a required question that applies is unanswered, or required evidence
//     is not given → not_tested (optional questions never block; conditional
//     ones only when their condition holds)
//   - marked not applicable where the control allows it → not_applicable
//   - a control with probes none of which ran (no target of their kind was
//     given, or --only left them out) → not_tested, whatever the answers say
//   - a probe warning, or some but not all of the control's probes run →
//     partial (the control is only partly verified)
//   - otherwise → pass
//
// Then an unexpired exception turns fail or partial into excepted; expired
// ones are ignored and listed in ExpiredExceptions.
func Evaluate(cl *checklist.Checklist, ans *answers.File, results []probes.Result, exceptions []Exception, opts Options) *Results {
	if opts.FailOn == "" {
		opts.FailOn = checklist.High
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	today := opts.Now.UTC().Format(time.DateOnly)
	active := map[string]*Exception{}
	var expired []Exception
	for i := range exceptions {
		e := exceptions[i]
		if e.Expires < today { // YYYY-MM-DD compares as text; valid through its expiry day
			expired = append(expired, e)
			continue
		}
		active[e.Control] = &e
	}
	byProbe := map[string][]probes.Result{}
	for _, r := range results {
		byProbe[r.ID] = append(byProbe[r.ID], r)
	}

	res := &Results{
		Schema: SchemaID,
		Checklist: ChecklistRef{ID: cl.ID, Title: cl.Title, Version: cl.Version,
			Provider: cl.Provider.Name, SHA256: cl.SHA256},
		Gate:              Gate{FailOn: string(opts.FailOn), AllowUnanswered: opts.AllowUnanswered},
		Probes:            results,
		ExpiredExceptions: expired,
	}
	if res.Probes == nil {
		res.Probes = []probes.Result{}
	}
	for _, sc := range cl.Controls() {
		var a *answers.Control
		if ans != nil {
			a = ans.Controls[sc.Control.ID]
		}
		c := evaluateControl(sc.Section, sc.Control, a, byProbe, opts.Now)
		if e := active[c.ID]; e != nil && (c.Status == ControlFail || c.Status == ControlPartial) {
			c.Status = ControlExcepted
			c.Exception = e
			c.Evidence = append(c.Evidence, Reason{Kind: "note", Source: "exception", Status: ReasonExcepted,
				Message: fmt.Sprintf("exception approved by %s until %s: %s", e.ApprovedBy, e.Expires, e.Justification)})
		}
		res.Controls = append(res.Controls, c)
	}
	res.Sections = sectionStats(cl, res.Controls)
	res.Summary = summarize(res.Controls)
	res.Gate.Reasons = gateReasons(res.Controls, opts)
	res.Summary.Verdict = Ready
	if len(res.Gate.Reasons) > 0 {
		res.Summary.Verdict = NotReady
	}
	return res
}

func evaluateControl(sec *checklist.Section, ctl *checklist.Control, a *answers.Control, byProbe map[string][]probes.Result, now time.Time) Control {
	c := Control{ID: ctl.ID, Section: sec.ID, Title: ctl.Title, Requirement: ctl.Requirement,
		Severity: string(ctl.Severity), Remediation: ctl.Remediation,
		Answers: []Answer{}, ProbeRefs: append([]string{}, ctl.Probes...), Evidence: []Reason{}}
	for _, m := range ctl.Mappings {
		c.Mappings = append(c.Mappings, m.Framework+" "+m.ID)
	}
	var given map[string]any
	notApplicable := false
	if a != nil {
		given = a.Answers
		c.Note, c.Owner, c.Due = a.Note, a.Owner, a.Due
		c.AnsweredBy = a.AnsweredBy
		if !a.AnsweredAt.IsZero() {
			t := a.AnsweredAt.UTC()
			c.AnsweredAt = &t
		}
		if a.NotApplicable != "" && ctl.AllowNotApplicable {
			notApplicable = true
			c.NotApplicable = a.NotApplicable
		}
	}

	answerFailed := false
	if !notApplicable {
		for i := range ctl.Questions {
			q := &ctl.Questions[i]
			v, ok := given[q.ID]
			if !ok || answers.IsBlank(v) || !answers.Asked(q, given) {
				continue
			}
			ans := Answer{Question: q.ID, Prompt: q.Prompt, Value: v, Label: answerLabel(q, v)}
			ev := Reason{Kind: "answer", Source: q.ID, Status: ReasonInfo, Message: fmt.Sprintf("%s %s", q.Prompt, ans.Label)}
			if q.Pass != nil {
				// max_age_days_from refers to another answer of this control
				ok, why := q.Pass.Resolve(given).Check(v, now)
				ans.Pass = &ok
				ev.Status = ReasonPass
				if !ok {
					ev.Status = ReasonFail
					if q.Type == checklist.Select && len(q.Pass.AnyOf) > 0 { // the reader knows the labels, not the values
						why = "expected " + strings.Join(optionLabels(q, q.Pass.AnyOf), " or ")
					}
					ev.Message += " — " + why
					answerFailed = true
				}
			}
			c.Answers = append(c.Answers, ans)
			c.Evidence = append(c.Evidence, ev)
		}
	}
	missing := answers.MissingQuestions(ctl, a)
	for _, q := range missing {
		c.Evidence = append(c.Evidence, Reason{Kind: "answer", Source: q, Status: ReasonNotTested, Message: "not answered"})
	}
	missingFiles := MissingEvidence(ctl, a, now) // none after a failing answer
	for _, id := range missingFiles {
		c.Evidence = append(c.Evidence, Reason{Kind: "file", Source: id, Status: ReasonNotTested, Message: "required evidence not provided"})
	}

	var probeFailed, probeErrored, probeWarned bool
	ran, notRun := 0, []string{}
	for _, id := range ctl.Probes {
		// a control is judged by the run of its own parameter set
		rs := withParams(byProbe[id], id, ctl.With[id])
		set := ""
		if len(ctl.With[id]) > 0 {
			set = fmt.Sprintf(" (%s set by %s)", probes.Describe(id, ctl.With[id]), ctl.ID)
			if c.ProbeParams == nil {
				c.ProbeParams = map[string]probes.Params{}
			}
			c.ProbeParams[id] = ctl.With[id]
		}
		didRun := false
		for _, r := range rs {
			if r.Status == probes.Skipped {
				continue
			}
			didRun = true
			c.Evidence = append(c.Evidence, Reason{Kind: "probe", Source: id + "@" + r.Target, Status: reasonStatus(r.Status),
				Message: r.Summary + set, Location: r.Target})
			switch r.Status {
			case probes.Fail:
				probeFailed = true
			case probes.Error:
				probeErrored = true
			case probes.Warn:
				probeWarned = true
			}
			for _, f := range r.Findings {
				if f.Status != probes.Fail && f.Status != probes.Warn && f.Status != probes.Error {
					continue
				}
				loc := f.Location
				if loc == "" {
					loc = r.Target
				}
				c.Evidence = append(c.Evidence, Reason{Kind: "probe", Source: id + "@" + r.Target, Status: reasonStatus(f.Status),
					Message: f.Message, Location: loc, File: f.File, Line: f.Line})
			}
		}
		if didRun {
			ran++
		} else {
			notRun = append(notRun, id)
			// a URL target was given but is plain http://: the TLS probes
			// had nothing to check, so the control is not tested
			if strings.HasPrefix(id, "tls.") && len(rs) > 0 {
				c.tlsSkipped = true
			}
		}
	}
	for _, id := range notRun {
		c.Evidence = append(c.Evidence, Reason{Kind: "probe", Source: id, Status: ReasonSkipped,
			Message: notRunReason(id, byProbe[id], ctl.With[id])})
	}
	if a != nil {
		for _, p := range a.Evidence {
			c.Evidence = append(c.Evidence, Reason{Kind: "file", Source: p, File: p, Message: "evidence file"})
		}
		if a.Note != "" {
			c.Evidence = append(c.Evidence, Reason{Kind: "note", Source: "note", Message: a.Note})
		}
		if notApplicable {
			c.Evidence = append(c.Evidence, Reason{Kind: "note", Source: "not_applicable", Status: ReasonNotApplicable,
				Message: "not applicable: " + a.NotApplicable})
		}
	}

	switch {
	case answerFailed || probeFailed:
		c.Status = ControlFail
	case probeErrored:
		c.Status = ControlError
	case len(missing) > 0 || len(missingFiles) > 0:
		c.Status = ControlNotTested
	case notApplicable:
		c.Status = ControlNotApplicable
	case len(ctl.Probes) > 0 && ran == 0:
		// Answers alone do not verify what the provider asked a probe to
		// check: with no target of the right kind the control is untested.
		c.Status = ControlNotTested
	case c.tlsSkipped:
		c.Status = ControlNotTested
	case probeWarned || len(notRun) > 0:
		c.Status = ControlPartial
	default:
		c.Status = ControlPass
	}
	return c
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// answerLabel is an answer as the person saw it: option labels for select
// and multiselect questions, yes/no, the number or the text.
func answerLabel(q *checklist.Question, v any) string {
	switch q.Type {
	case checklist.Select, checklist.MultiSelect:
		vals := checklist.AsStrings(v)
		if len(vals) == 0 {
			return "(none)"
		}
		return strings.Join(optionLabels(q, vals), "; ")
	}
	return formatValue(v)
}

// optionLabels maps option values to their labels (the value when the
// option has no label).
func optionLabels(q *checklist.Question, vals []string) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = v
		for _, o := range q.Options {
			if o.Value == v && o.Label != "" {
				out[i] = o.Label
			}
		}
	}
	return out
}

func formatValue(v any) string {
	switch x := v.(type) {
	case bool:
		return yesNo(x)
	case []string:
		if len(x) == 0 {
			return "(none)"
		}
		return strings.Join(x, ", ")
	case string:
		return x
	}
	if n, ok := checklist.AsNumber(v); ok {
		return fmt.Sprintf("%g", n)
	}
	return fmt.Sprint(v)
}

func sectionStats(cl *checklist.Checklist, cs []Control) []SectionStats {
	var out []SectionStats
	for _, s := range cl.Sections {
		st := SectionStats{ID: s.ID, Title: s.Title, Counts: map[ControlStatus]int{}}
		for _, st2 := range ControlStatuses {
			st.Counts[st2] = 0
		}
		for _, c := range cs {
			if c.Section == s.ID {
				st.Counts[c.Status]++
			}
		}
		out = append(out, st)
	}
	return out
}

func summarize(cs []Control) Summary {
	var s Summary
	var earned, possible float64
	for _, c := range cs {
		s.Total++
		switch c.Status {
		case ControlPass:
			s.Pass++
		case ControlFail:
			s.Fail++
		case ControlPartial:
			s.Partial++
		case ControlNotApplicable:
			s.NotApplicable++
		case ControlNotTested:
			s.NotTested++
		case ControlError:
			s.Error++
		case ControlExcepted:
			s.Excepted++
		}
		if c.Status == ControlNotApplicable {
			continue
		}
		w := severityWeight[checklist.Severity(c.Severity)]
		if w == 0 {
			w = 1
		}
		possible += w
		earned += w * statusCredit[c.Status]
	}
	s.Score = 100
	if possible > 0 {
		s.Score = int(math.Round(100 * earned / possible))
	}
	return s
}

// gateReasons says why the verdict is not-ready; none means ready.
// AllowUnanswered excuses controls left untested by missing answers or
// evidence, not those whose probes did not run: it is about the
// questionnaire, and a run that probed nothing must not come out ready.
func gateReasons(cs []Control, opts Options) []string {
	var reasons, unanswered, unprobed, plainHTTP []string
	for _, c := range cs {
		sev := checklist.Severity(c.Severity)
		switch {
		case c.Status == ControlFail && sev.Rank() >= opts.FailOn.Rank():
			reasons = append(reasons, fmt.Sprintf("%s (%s) failed", c.ID, c.Severity))
		case c.Status == ControlError && sev.Rank() >= opts.FailOn.Rank():
			reasons = append(reasons, fmt.Sprintf("%s (%s) could not be checked: a probe errored", c.ID, c.Severity))
		case c.Status == ControlNotTested && noProbeRan(c):
			unprobed = append(unprobed, c.ID)
		case c.Status == ControlNotTested && c.tlsSkipped:
			plainHTTP = append(plainHTTP, c.ID)
		case c.Status == ControlNotTested:
			unanswered = append(unanswered, c.ID)
		}
	}
	if len(unanswered) > 0 && !opts.AllowUnanswered {
		reasons = append(reasons, fmt.Sprintf("%d control(s) not tested (unanswered): %s", len(unanswered), strings.Join(unanswered, ", ")))
	}
	if len(unprobed) > 0 {
		reasons = append(reasons, fmt.Sprintf("%d control(s) not tested (their probes did not run; give --target, --source or --webhook-url): %s",
			len(unprobed), strings.Join(unprobed, ", ")))
	}
	if len(plainHTTP) > 0 {
		reasons = append(reasons, fmt.Sprintf("%d control(s) not tested (their TLS probes were skipped: the target is plain http://; give its https:// URL): %s",
			len(plainHTTP), strings.Join(plainHTTP, ", ")))
	}
	return reasons
}

// noProbeRan: the control has probes and none of them ran (whether or not
// its questions are answered too).
func noProbeRan(c Control) bool {
	if len(c.ProbeRefs) == 0 {
		return false
	}
	for _, e := range c.Evidence {
		if e.Kind == "probe" && e.Status != ReasonSkipped {
			return false
		}
	}
	return true
}

// withParams keeps the results of probe id that ran with the given
// parameters (defaults filled in). A result that carries no parameters ran
// with the defaults (results written before probes had parameters).
func withParams(rs []probes.Result, id string, set probes.Params) []probes.Result {
	want := probes.ParamsKey(id, set)
	var out []probes.Result
	for _, r := range rs {
		if probes.ParamsKey(id, r.Params) == want {
			out = append(out, r)
		}
	}
	return out
}

// notRunReason says why a probe has no result, and what would make it run.
func notRunReason(id string, rs []probes.Result, set probes.Params) string {
	if len(set) > 0 && len(withParams(rs, id, set)) == 0 && len(rs) > 0 {
		return "probe not run with this control's parameters (" + probes.Describe(id, set) + ")"
	}
	for _, r := range rs {
		if r.Summary != "" {
			return "probe not run: " + r.Summary
		}
	}
	needs := "no target of its kind was given"
	if d, ok := probes.Lookup(id); ok {
		switch d.Family {
		case "source":
			needs = "no source tree was given (--source DIR)"
		case "webhook":
			needs = "no webhook endpoint was given (--webhook-url URL)"
		default:
			needs = "no deployed URL was given (--target URL)"
		}
	}
	return "probe not run: " + needs + ", or --only left it out"
}
