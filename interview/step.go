package interview

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/huh"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/checklist"
)

// item is one control the questionnaire asks, with its place in the walk.
type item struct {
	sc           checklist.SectionControl
	section      int // 1-based ordinal among sections with askable controls
	sectionCount int
	index        int // 1-based ordinal among askable controls
	total        int
}

// listItems returns the controls a human has to answer, in checklist order.
func listItems(cl *checklist.Checklist) []item {
	var out []item
	section := 0
	var last *checklist.Section
	for _, sc := range cl.Controls() {
		if !askable(sc.Control) {
			continue
		}
		if sc.Section != last {
			section++
			last = sc.Section
		}
		out = append(out, item{sc: sc, section: section, index: len(out) + 1})
	}
	for i := range out {
		out[i].sectionCount = section
		out[i].total = len(out)
	}
	return out
}

// progressLine is shown on every screen of a control.
func progressLine(it item, answered int) string {
	return fmt.Sprintf("Section %d of %d · %s · Control %d of %d · answered %d/%d",
		it.section, it.sectionCount, it.sc.Section.Title, it.index, it.total, answered, it.total)
}

// answer holds the live value bound to one question's field.
type answer struct {
	q    *checklist.Question
	b    bool
	s    string // select, text, number and date (as typed)
	list []string
}

func (a *answer) value() (any, bool) {
	switch a.q.Type {
	case checklist.Confirm:
		return a.b, true
	case checklist.Select:
		return a.s, a.s != ""
	case checklist.MultiSelect:
		return append([]string{}, a.list...), true
	case checklist.Number:
		f, err := strconv.ParseFloat(strings.TrimSpace(a.s), 64)
		return f, err == nil
	default:
		s := strings.TrimSpace(a.s)
		return s, s != ""
	}
}

// entry is one field of a page plus its help, which accessible mode prints
// as a plain line before the prompt.
type entry struct {
	title string
	field huh.Field
	help  string
}

// page is a group of fields shown together; hidden pages are skipped.
type page struct {
	entries []entry
	hidden  func() bool
}

// step is the form for one control: its pages and the values they bind.
type step struct {
	ctl       *checklist.Control
	header    string // control id, title, severity
	body      string // requirement, rationale, probe note
	text      string // requirement and rationale: body without the probe note
	probeNote func() string
	probeFail func() bool
	notes     []*huh.Note // one per page, showing body; updated as probes finish
	// goingBack is set while shift+tab is handled: huh validates a field
	// as it loses focus and refuses to leave a page with an error, which
	// left an empty required field with no focus and no way back.
	goingBack bool
	progress  string
	pages     []*page
	applies   bool
	naReason  string
	answers   []*answer
	evidence  []string // one comma-separated input per expected evidence item
	note      string
	owner     string
	due       string
	now       time.Time
	prev      *answers.Control
	whoAnswer string
	baseDir   string
}

// newStep builds the pages for a control, pre-filled with prev (may be nil).
func newStep(it item, prev *answers.Control, answered int, opts Options, baseDir string) *step {
	ctl := it.sc.Control
	s := &step{
		ctl: ctl, prev: prev, now: opts.Now(), whoAnswer: opts.AnsweredBy, baseDir: baseDir,
		applies:  true,
		progress: progressLine(it, answered),
		header:   fmt.Sprintf("%s  %s  [%s]", ctl.ID, ctl.Title, ctl.Severity),
	}
	body := []string{strings.TrimSpace(ctl.Requirement)}
	if r := strings.TrimSpace(ctl.Rationale); r != "" {
		body = append(body, "Why: "+r)
	}
	s.text = strings.Join(body, "\n\n")
	s.probeNote = func() string { return "" }
	s.probeFail = func() bool { return false }
	switch {
	case opts.Probes != nil:
		s.probeNote = func() string { return opts.Probes.Note(ctl.ID) }
		s.probeFail = func() bool { return opts.Probes.Failing(ctl.ID) }
	case opts.ProbeNote != nil:
		s.probeNote = func() string { return opts.ProbeNote(ctl.ID) }
	}
	s.refreshBody()
	s.prefill()

	if ctl.AllowNotApplicable {
		s.pages = append(s.pages, &page{entries: []entry{{title: "applies", field: huh.NewConfirm().
			Title("Does this control apply to your integration?").
			Affirmative("Applies").Negative("Not applicable").
			Value(&s.applies)}}})
	}
	notApplicable := func() bool { return !s.applies }

	// Questions: a conditional question gets a page of its own, so its
	// condition is evaluated after the answers it depends on were given and
	// hiding it hides nothing else.
	var cur *page
	for i, a := range s.answers {
		if cur == nil || a.q.When != nil || s.answers[i-1].q.When != nil {
			q := a.q
			cond := q.When != nil
			cur = &page{hidden: func() bool {
				return !s.applies || (cond && !conditionHolds(ctl, q, s.values()))
			}}
			s.pages = append(s.pages, cur)
		}
		cur.entries = append(cur.entries, entry{title: a.q.ID, field: questionField(a, s.unlessBack), help: a.q.Help})
	}

	if ctl.AllowNotApplicable {
		s.pages = append(s.pages, &page{hidden: func() bool { return s.applies }, entries: []entry{{
			title: "not_applicable", field: huh.NewInput().Title("Why is it not applicable?").
				Description("Required: the reviewer reads this justification.").
				Value(&s.naReason).Validate(s.unlessBack(validateRequired(&s.naReason))),
		}}})
	}

	if len(ctl.Evidence) > 0 {
		pg := &page{hidden: notApplicable}
		where := "relative to the answers file's directory"
		if baseDir != "" {
			where = "relative to " + baseDir
		}
		for i, e := range ctl.Evidence {
			title := "Evidence: " + e.Description
			if e.Required {
				title += " (required for a passing answer)"
			} else {
				title += " (optional)"
			}
			help := "Path to the file, " + where + "; separate several with commas."
			pg.entries = append(pg.entries, entry{title: "evidence:" + e.ID, help: help, field: huh.NewInput().
				Title(title).Description(help).
				Value(&s.evidence[i]).Validate(s.unlessBack(s.vetted(validateEvidence(baseDir, s.evidenceRequired(e), &s.evidence[i]), &s.evidence[i], opts.CheckEvidence)))})
		}
		s.pages = append(s.pages, pg)
	}

	s.pages = append(s.pages, &page{entries: []entry{{title: "note", field: huh.NewInput().
		Title("Note for the reviewer (optional)").Value(&s.note)}}})

	ownerHelp := "This control will not pass (a failing answer or probe): record who fixes it and by when."
	s.pages = append(s.pages, &page{
		hidden: func() bool { return !s.applies || !s.willFail() },
		entries: []entry{
			{title: "owner", help: ownerHelp, field: huh.NewInput().
				Title("Owner of the fix (optional)").Description(ownerHelp).
				Value(&s.owner)},
			{title: "due", field: huh.NewInput().Title("Fix due by (YYYY-MM-DD, optional)").Placeholder(dueExample(s.now)).
				Value(&s.due).Validate(s.unlessBack(validateDue(&s.due, s.now)))},
		},
	})
	return s
}

// prefill binds the fields' values to the previous answers (defaults).
func (s *step) prefill() {
	prev := s.prev
	if prev == nil {
		prev = &answers.Control{}
	}
	for i := range s.ctl.Questions {
		q := &s.ctl.Questions[i]
		a := &answer{q: q}
		if v, ok := prev.Answers[q.ID]; ok {
			switch q.Type {
			case checklist.Confirm:
				a.b, _ = v.(bool)
			case checklist.MultiSelect:
				a.list = checklist.AsStrings(v)
			default:
				a.s = formatDefault(v)
			}
		}
		s.answers = append(s.answers, a)
	}
	s.evidence = make([]string, len(s.ctl.Evidence))
	if len(prev.Evidence) == len(s.ctl.Evidence) {
		copy(s.evidence, prev.Evidence)
	} else if len(s.ctl.Evidence) > 0 {
		s.evidence[0] = strings.Join(prev.Evidence, ", ")
	}
	s.applies = prev.NotApplicable == ""
	s.naReason = prev.NotApplicable
	s.note, s.owner, s.due = prev.Note, prev.Owner, prev.Due
}

func questionField(a *answer, back func(func(string) error) func(string) error) huh.Field {
	q := a.q
	title := q.Prompt
	if q.Optional {
		title += " (optional)"
	}
	switch q.Type {
	case checklist.Confirm:
		return huh.NewConfirm().Title(title).Description(q.Help).Affirmative("Yes").Negative("No").Value(&a.b)
	case checklist.Select:
		return huh.NewSelect[string]().Title(title).Description(q.Help).Options(options(q)...).Value(&a.s)
	case checklist.MultiSelect:
		return huh.NewMultiSelect[string]().Title(title).Description(q.Help).Options(options(q)...).Value(&a.list)
	case checklist.Number:
		return huh.NewInput().Title(title).Description(q.Help).Value(&a.s).Validate(back(validateNumber(q.Optional, &a.s)))
	case checklist.Date:
		return huh.NewInput().Title(title).Description(q.Help).Placeholder("YYYY-MM-DD").
			Value(&a.s).Validate(back(validateDate(q.Optional, &a.s)))
	default:
		in := huh.NewInput().Title(title).Description(q.Help).Value(&a.s)
		if !q.Optional {
			in = in.Validate(back(validateRequired(&a.s)))
		}
		return in
	}
}

func options(q *checklist.Question) []huh.Option[string] {
	out := make([]huh.Option[string], 0, len(q.Options))
	for _, o := range q.Options {
		label := o.Label
		if label == "" {
			label = o.Value
		}
		out = append(out, huh.NewOption(label, o.Value))
	}
	return out
}

// values returns the answers given so far, keyed by question id.
func (s *step) values() map[string]any {
	vals := make(map[string]any, len(s.answers))
	for _, a := range s.answers {
		if v, ok := a.value(); ok {
			vals[a.q.ID] = v
		}
	}
	return vals
}

// result is the answers.Control the step records, answered at now.
func (s *step) result(now time.Time) *answers.Control {
	c := &answers.Control{
		Note:       strings.TrimSpace(s.note),
		AnsweredBy: s.whoAnswer,
		AnsweredAt: now.UTC().Truncate(time.Second),
	}
	if !s.applies {
		c.NotApplicable = strings.TrimSpace(s.naReason)
		return c
	}
	all := s.values()
	shown := map[string]bool{}
	for _, q := range visibleQuestions(s.ctl, all) {
		shown[q.ID] = true
	}
	for id, v := range all {
		if !shown[id] {
			continue
		}
		if c.Answers == nil {
			c.Answers = map[string]any{}
		}
		c.Answers[id] = v
	}
	for _, e := range s.evidence {
		for _, p := range splitPaths(e) {
			c.Evidence = append(c.Evidence, filepath.ToSlash(relativeTo(s.baseDir, p)))
		}
	}
	if s.prev != nil { // the team's opt-in stays with the files it names
		for _, e := range s.prev.EvidenceWithSecrets {
			if slices.Contains(c.Evidence, e) {
				c.EvidenceWithSecrets = append(c.EvidenceWithSecrets, e)
			}
		}
	}
	c.Owner, c.Due = strings.TrimSpace(s.owner), strings.TrimSpace(s.due)
	return c
}

// vetted adds check (Options.CheckEvidence) to an evidence field's
// validation v; def is the field's value, used when the input is empty.
func (s *step) vetted(v func(string) error, def *string, check func(controlID, path string, allowSecret bool) error) func(string) error {
	if check == nil {
		return v
	}
	return func(in string) error {
		if err := v(in); err != nil {
			return err
		}
		if strings.TrimSpace(in) == "" {
			in = *def
		}
		for _, p := range splitPaths(in) {
			rel := filepath.ToSlash(relativeTo(s.baseDir, p))
			if err := check(s.ctl.ID, rel, s.prev.AllowsSecret(rel)); err != nil {
				return err
			}
		}
		return nil
	}
}

// tuiForm is the whole control as one huh form: one group per page, each
// headed by the progress line and the control's requirement.
func (s *step) tuiForm() *huh.Form {
	groups := make([]*huh.Group, 0, len(s.pages))
	s.notes = s.notes[:0]
	for _, pg := range s.pages {
		note := huh.NewNote().Title(s.header).Description(markdownEscape(s.body))
		s.notes = append(s.notes, note)
		fields := []huh.Field{note}
		for _, e := range pg.entries {
			fields = append(fields, e.field)
		}
		g := huh.NewGroup(fields...).Title(s.progress)
		if pg.hidden != nil {
			g = g.WithHideFunc(pg.hidden)
		}
		groups = append(groups, g)
	}
	return huh.NewForm(groups...).WithShowHelp(true)
}

// focusName names the focused field for the test hook: a question id,
// "applies", "not_applicable", "evidence:ID", "note", "owner" or "due".
func (s *step) focusName(f huh.Field) string {
	for _, pg := range s.pages {
		for _, e := range pg.entries {
			if e.field == f {
				return e.title
			}
		}
	}
	return ""
}

// refreshBody recomputes the text above the fields with the latest probe
// note, and hands it to the form's notes; it reports whether it changed.
func (s *step) refreshBody() bool {
	body := s.text
	if n := strings.TrimSpace(s.probeNote()); n != "" {
		body += "\n\nProbes:\n  " + strings.ReplaceAll(n, "\n", "\n  ")
	}
	if body == s.body {
		return false
	}
	s.body = body
	for _, n := range s.notes {
		n.Description(markdownEscape(body))
	}
	return true
}

// willFail: the control will not pass as answered so far, or a probe of it
// already failed; an owner and due date are offered then.
func (s *step) willFail() bool {
	return fails(s.ctl, s.values(), s.now) || s.probeFail()
}

// evidenceRequired: required evidence backs a passing answer; an honest
// "no, we do not have it" is recorded without it.
func (s *step) evidenceRequired(e checklist.Evidence) func() bool {
	return func() bool { return e.Required && !fails(s.ctl, s.values(), s.now) }
}

// unlessBack skips a validator while the user moves back (shift+tab): the
// value is checked again when they move forward.
func (s *step) unlessBack(v func(string) error) func(string) error {
	return func(in string) error {
		if s.goingBack {
			return nil
		}
		return v(in)
	}
}

// markdownEscape keeps text from checklists, probes and answers literal
// in huh's note, which renders _ * and ` as italics, bold and code
// (id_rsa would show as "idrsa" with italics).
func markdownEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '_', '*', '`':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
