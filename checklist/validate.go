package checklist

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/selfassess/selfassess/probes"
)

// IDPattern is the syntax of checklist, section, control, question and
// evidence ids: they appear in answers files, reports and command lines.
const IDPattern = `^[A-Za-z0-9][A-Za-z0-9._-]*$`

var idRE = regexp.MustCompile(IDPattern)

// QuestionTypes lists every question type.
var QuestionTypes = []QuestionType{Confirm, Select, MultiSelect, Text, Number, Date}

// Validate checks a checklist's content (everything but YAML syntax and
// types, which Parse checks). It returns nil or *Errors with every problem;
// positions are known when the checklist came from Parse.
func Validate(cl *Checklist) error {
	list := validate(cl)
	if len(list) == 0 {
		return nil
	}
	for i := range list {
		list[i].File = cl.File
	}
	SortErrors(list)
	return &Errors{List: list}
}

type validator struct {
	cl   *Checklist
	errs []FieldError
	// controls maps a control id to the path where it was first defined,
	// since ids must be unique across the whole checklist (answers are keyed by them).
	controls map[string]string
}

func (v *validator) errorf(path, format string, a ...any) {
	p := v.cl.pos.at(path)
	v.errs = append(v.errs, FieldError{Line: p.line, Col: p.col, Path: path, Msg: fmt.Sprintf(format, a...)})
}

// where formats the position of path for "first defined at" notes.
func (v *validator) where(path string) string {
	if p := v.cl.pos.at(path); p.line > 0 {
		return fmt.Sprintf("%d:%d", p.line, p.col)
	}
	return path
}

func validate(cl *Checklist) []FieldError {
	v := &validator{cl: cl, controls: map[string]string{}}
	switch cl.Schema {
	case SchemaID:
	case "":
		v.errorf("schema", "is required: set it to %q", SchemaID)
	default:
		v.errorf("schema", "%q is not supported; this version of selfassess reads %q", cl.Schema, SchemaID)
	}
	v.id("id", cl.ID)
	v.required("title", cl.Title)
	v.required("version", cl.Version)
	v.required("provider.name", cl.Provider.Name)
	v.url("provider.url", cl.Provider.URL)
	v.url("source.url", cl.Source.URL)
	if cl.Source.Retrieved != "" {
		if _, err := time.Parse(time.DateOnly, cl.Source.Retrieved); err != nil {
			v.errorf("source.retrieved", "%q is not a date (YYYY-MM-DD)", cl.Source.Retrieved)
		}
	}
	if r := cl.RemediationDays; r != nil {
		for _, d := range []struct {
			sev  string
			days int
		}{{"critical", r.Critical}, {"high", r.High}, {"medium", r.Medium}, {"low", r.Low}} {
			if d.days < 0 || d.days > MaxRemediationDays {
				v.errorf("remediation_days."+d.sev, "must be between 1 and %d days, got %d", MaxRemediationDays, d.days)
			}
		}
	}
	if len(cl.Sections) == 0 {
		v.errorf("sections", "at least one section is required")
	}
	sections := map[string]string{}
	for si := range cl.Sections {
		s := &cl.Sections[si]
		path := fmt.Sprintf("sections[%d]", si)
		if v.id(path+".id", s.ID) {
			if first, dup := sections[s.ID]; dup {
				v.errorf(path+".id", "duplicate section id %q (first defined at %s)", s.ID, v.where(first))
			} else {
				sections[s.ID] = path + ".id"
			}
		}
		v.required(path+".title", s.Title)
		if len(s.Controls) == 0 {
			v.errorf(path+".controls", "the section has no controls")
		}
		for ci := range s.Controls {
			v.control(fmt.Sprintf("%s.controls[%d]", path, ci), &s.Controls[ci])
		}
	}
	return v.errs
}

func (v *validator) control(path string, c *Control) {
	if v.id(path+".id", c.ID) {
		if first, dup := v.controls[c.ID]; dup {
			v.errorf(path+".id", "duplicate control id %q (first defined at %s)", c.ID, v.where(first))
		} else {
			v.controls[c.ID] = path + ".id"
		}
	}
	v.required(path+".title", c.Title)
	v.required(path+".requirement", c.Requirement)
	switch {
	case c.Severity == "":
		v.errorf(path+".severity", "is required (one of %s)", joinSeverities())
	case c.Severity.Rank() == 0:
		v.errorf(path+".severity", "%q is not one of %s", c.Severity, joinSeverities())
	}
	for i, r := range c.References {
		v.required(fmt.Sprintf("%s.references[%d]", path, i), r)
	}
	for i, t := range c.Tags {
		v.required(fmt.Sprintf("%s.tags[%d]", path, i), t)
	}
	for i, m := range c.Mappings {
		mp := fmt.Sprintf("%s.mappings[%d]", path, i)
		v.required(mp+".framework", m.Framework)
		v.required(mp+".id", m.ID)
	}
	evidence := map[string]string{}
	for i, e := range c.Evidence {
		ep := fmt.Sprintf("%s.evidence[%d]", path, i)
		if v.id(ep+".id", e.ID) {
			if first, dup := evidence[e.ID]; dup {
				v.errorf(ep+".id", "duplicate evidence id %q (first defined at %s)", e.ID, v.where(first))
			} else {
				evidence[e.ID] = ep + ".id"
			}
		}
		v.required(ep+".description", e.Description)
	}
	seenProbes := map[string]string{}
	for i, id := range c.Probes {
		pp := fmt.Sprintf("%s.probes[%d]", path, i)
		switch first, dup := seenProbes[id]; {
		case id == "":
			v.errorf(pp, "is empty")
		case !probes.Known(id):
			msg := fmt.Sprintf("unknown probe id %q", id)
			if s := suggest(id, probeIDs()); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			v.errorf(pp, "%s; 'selfassess probe --list' shows the probe ids", msg)
		case dup:
			v.errorf(pp, "probe %q is listed twice (first at %s)", id, v.where(first))
		default:
			seenProbes[id] = pp
		}
	}
	v.probeParams(path, c)

	questions := map[string]int{} // id -> index, of the questions checked so far
	allQuestions := make(map[string]int, len(c.Questions))
	for qi, q := range c.Questions {
		allQuestions[q.ID] = qi
	}
	decides := false
	for qi := range c.Questions {
		q := &c.Questions[qi]
		qp := fmt.Sprintf("%s.questions[%d]", path, qi)
		if v.id(qp+".id", q.ID) {
			if first, dup := questions[q.ID]; dup {
				v.errorf(qp+".id", "duplicate question id %q in this control (first defined at %s)",
					q.ID, v.where(fmt.Sprintf("%s.questions[%d].id", path, first)))
			}
		}
		v.required(qp+".prompt", q.Prompt)
		v.question(qp, q)
		v.condition(qp, q, c, questions, allQuestions)
		v.reference(qp, q, c, allQuestions)
		if q.ID != "" {
			if _, dup := questions[q.ID]; !dup {
				questions[q.ID] = qi
			}
		}
		if q.Pass != nil {
			decides = true
		}
	}
	switch {
	case len(c.Questions) == 0 && len(c.Probes) == 0:
		v.errorf(path, "nothing verifies control %q: add questions, probes or both", c.ID)
	case !decides && len(c.Probes) == 0:
		v.errorf(path+".questions", "nothing decides control %q: give a question pass criteria, or add probes", c.ID)
	}
}

// probeParams checks parameters set on a control built in code (the loader
// has already checked those it read, where they were written).
func (v *validator) probeParams(path string, c *Control) {
	ids := make([]string, 0, len(c.With))
	for id := range c.With {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		i := slices.Index(c.Probes, id)
		if i < 0 {
			v.errorf(path+".probes", "parameters are set for probe %q, which the control does not list", id)
			continue
		}
		desc, ok := probes.Lookup(id)
		if !ok {
			continue // reported as an unknown id
		}
		names := make([]string, 0, len(c.With[id]))
		for name := range c.With[id] {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			pp := fmt.Sprintf("%s.probes[%d].with.%s", path, i, name)
			decl, ok := probes.LookupParam(id, name)
			if !ok {
				v.errorf(pp, "%s", unknownParam(desc, name))
				continue
			}
			if _, err := decl.Check(c.With[id][name]); err != nil {
				v.errorf(pp, "%v", err)
			}
		}
	}
}

// question checks the type, options and pass criteria of q.
func (v *validator) question(qp string, q *Question) {
	switch {
	case q.Type == "":
		v.errorf(qp+".type", "is required (one of %s)", joinTypes())
		return
	case !slices.Contains(QuestionTypes, q.Type):
		v.errorf(qp+".type", "%q is not one of %s", q.Type, joinTypes())
		return
	}
	hasOptions := q.Type == Select || q.Type == MultiSelect
	switch {
	case hasOptions && len(q.Options) == 0:
		v.errorf(qp+".options", "a %s question needs options", q.Type)
	case q.Type == Select && len(q.Options) == 1:
		v.errorf(qp+".options", "a select question needs at least two options")
	case !hasOptions && len(q.Options) > 0:
		v.errorf(qp+".options", "a %s question has no options; only select and multiselect do", q.Type)
	}
	values := map[string]bool{}
	if hasOptions {
		for i, o := range q.Options {
			op := fmt.Sprintf("%s.options[%d].value", qp, i)
			switch {
			case strings.TrimSpace(o.Value) == "":
				v.errorf(op, "is required")
			case values[o.Value]:
				v.errorf(op, "duplicate option value %q", o.Value)
			}
			values[o.Value] = true
		}
	}
	if q.Pass == nil {
		return
	}
	v.pass(qp+".pass", q.Type, q.Pass, q.Options)
}

// pass checks that the criteria suit the question type and name real options.
func (v *validator) pass(pp string, t QuestionType, p *PassCriteria, opts []Option) {
	allowed := map[QuestionType][]string{
		Confirm:     {"equals"},
		Select:      {"any_of"},
		MultiSelect: {"all_of", "none_of"},
		Number:      {"min", "max"},
		Text:        {"not_empty"},
		Date:        {"not_empty", "max_age_days", "max_age_days_from"},
	}[t]
	set := setCriteria(p)
	if len(set) == 0 {
		v.errorf(pp, "sets no criterion; a %s question passes with %s", t, strings.Join(allowed, " or "))
		return
	}
	for _, name := range set {
		if !slices.Contains(allowed, name) {
			v.errorf(pp+"."+name, "does not apply to a %s question; use %s", t, strings.Join(allowed, " or "))
		}
	}
	if t == Select {
		v.optionValues(pp+".any_of", p.AnyOf, opts)
	}
	if t == MultiSelect {
		v.optionValues(pp+".all_of", p.AllOf, opts)
		v.optionValues(pp+".none_of", p.NoneOf, opts)
	}
	forbidden := make(map[string]bool, len(p.NoneOf))
	for _, n := range p.NoneOf {
		forbidden[n] = true
	}
	for i, a := range p.AllOf {
		if forbidden[a] {
			v.errorf(fmt.Sprintf("%s.all_of[%d]", pp, i), "%q is both required (all_of) and forbidden (none_of)", a)
		}
	}
	if p.Min != nil && p.Max != nil && *p.Min > *p.Max {
		v.errorf(pp+".max", "max %v is below min %v", *p.Max, *p.Min)
	}
	if p.MaxAgeDays < 0 {
		v.errorf(pp+".max_age_days", "must be a positive number of days")
	}
}

// setCriteria names the criteria fields that are set, as in YAML.
func setCriteria(p *PassCriteria) []string {
	var set []string
	add := func(ok bool, name string) {
		if ok {
			set = append(set, name)
		}
	}
	add(p.Equals != nil, "equals")
	add(len(p.AnyOf) > 0, "any_of")
	add(len(p.AllOf) > 0, "all_of")
	add(len(p.NoneOf) > 0, "none_of")
	add(p.Min != nil, "min")
	add(p.Max != nil, "max")
	add(p.NotEmpty, "not_empty")
	add(p.MaxAgeDays != 0, "max_age_days")
	add(p.MaxAgeDaysFrom != "", "max_age_days_from")
	return set
}

// optionValues checks that every value names an option of the question.
func (v *validator) optionValues(path string, list []string, opts []Option) {
	if len(opts) == 0 {
		return // no options: reported already (or the criterion does not apply)
	}
	values := make([]string, len(opts))
	known := make(map[string]bool, len(opts))
	for i, o := range opts {
		values[i] = o.Value
		known[o.Value] = true
	}
	for i, val := range list {
		if !known[val] {
			v.errorf(fmt.Sprintf("%s[%d]", path, i), "%q is not an option (options: %s)", val, abbreviate(values))
		}
	}
}

// condition checks q.When: it must name an earlier question of the same
// control and match on that question's kind of answer.
func (v *validator) condition(qp string, q *Question, c *Control, earlier, all map[string]int) {
	w := q.When
	if w == nil {
		return
	}
	wp := qp + ".when"
	if w.Question == "" {
		v.errorf(wp+".question", "is required: the id of an earlier question of this control")
		return
	}
	if w.Question == q.ID {
		v.errorf(wp+".question", "question %q cannot depend on itself", q.ID)
		return
	}
	idx, ok := earlier[w.Question]
	if !ok {
		if _, later := all[w.Question]; later {
			v.errorf(wp+".question", "question %q is asked after this one; a condition may only refer to an earlier question", w.Question)
		} else {
			v.errorf(wp+".question", "unknown question %q; this control's questions: %s", w.Question, abbreviate(questionIDs(c)))
		}
		return
	}
	dep := &c.Questions[idx]
	if !slices.Contains(QuestionTypes, dep.Type) {
		return // its type is reported already
	}
	switch {
	case w.Equals == nil && len(w.AnyOf) == 0:
		v.errorf(wp, "sets no criterion: use equals (confirm) or any_of (select, multiselect)")
	case w.Equals != nil && len(w.AnyOf) > 0:
		v.errorf(wp, "sets both equals and any_of; use one")
	case w.Equals != nil && dep.Type != Confirm:
		v.errorf(wp+".equals", "applies to confirm questions; %q is a %s question", dep.ID, dep.Type)
	case len(w.AnyOf) > 0 && dep.Type != Select && dep.Type != MultiSelect:
		v.errorf(wp+".any_of", "applies to select and multiselect questions; %q is a %s question", dep.ID, dep.Type)
	case len(w.AnyOf) > 0:
		v.optionValues(wp+".any_of", w.AnyOf, dep.Options)
	}
}

// reference checks that max_age_days_from names a number question of the
// same control.
func (v *validator) reference(qp string, q *Question, c *Control, all map[string]int) {
	if q.Pass == nil || q.Pass.MaxAgeDaysFrom == "" || q.Type != Date {
		return // on another type, pass() reports it
	}
	rp := qp + ".pass.max_age_days_from"
	ref := q.Pass.MaxAgeDaysFrom
	idx, ok := all[ref]
	switch {
	case ref == q.ID:
		v.errorf(rp, "question %q cannot refer to itself", q.ID)
	case !ok:
		v.errorf(rp, "unknown question %q; this control's questions: %s", ref, abbreviate(questionIDs(c)))
	case c.Questions[idx].Type != Number:
		v.errorf(rp, "must name a number question (the maximum age in days); %q is a %s question", ref, c.Questions[idx].Type)
	}
}

// id checks a required id's syntax; it reports whether the id is usable.
func (v *validator) id(path, id string) bool {
	switch {
	case id == "":
		v.errorf(path, "is required")
		return false
	case !idRE.MatchString(id):
		v.errorf(path, "%q is not a valid id (letters, digits, '.', '_' and '-', starting with a letter or digit)", id)
		return false
	}
	return true
}

func (v *validator) required(path, s string) {
	if strings.TrimSpace(s) == "" {
		v.errorf(path, "is required")
	}
}

func (v *validator) url(path, s string) {
	if s == "" {
		return
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		v.errorf(path, "%q is not an http(s) URL", s)
	}
}

func joinSeverities() string {
	s := make([]string, len(Severities))
	for i, sev := range Severities {
		s[i] = string(sev)
	}
	return strings.Join(s, ", ")
}

func joinTypes() string {
	s := make([]string, len(QuestionTypes))
	for i, t := range QuestionTypes {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

func questionIDs(c *Control) []string {
	ids := make([]string, len(c.Questions))
	for i, q := range c.Questions {
		ids[i] = q.ID
	}
	return ids
}

// abbreviate lists ids for a message, at most ten of them, so that a
// message stays one short line whatever the file holds.
func abbreviate(ids []string) string {
	const most = 10
	if len(ids) == 0 {
		return "none"
	}
	if len(ids) > most {
		return strings.Join(ids[:most], ", ") + fmt.Sprintf(", … (%d in all)", len(ids))
	}
	return strings.Join(ids, ", ")
}

func probeIDs() []string {
	ids := make([]string, len(probes.Catalogue))
	for i, d := range probes.Catalogue {
		ids[i] = d.ID
	}
	return ids
}
