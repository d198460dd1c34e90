// Package checklist holds the checklist model (schema selfassess/checklist/v1),
// its strict YAML loader with positions, validation, JSON Schema and the
// built-in provider checklists.
package checklist

import "github.com/selfassess/selfassess/probes"

// SchemaID is the value of a checklist file's `schema` field.
const SchemaID = "selfassess/checklist/v1"

// Severity of a control; it weights the score and drives the gate.
type Severity string

const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
	Low      Severity = "low"
)

// Severities in descending order.
var Severities = []Severity{Critical, High, Medium, Low}

// Rank orders severities: critical=4 … low=1, unknown=0.
func (s Severity) Rank() int {
	switch s {
	case Critical:
		return 4
	case High:
		return 3
	case Medium:
		return 2
	case Low:
		return 1
	}
	return 0
}

// QuestionType is how a question is asked and answered.
type QuestionType string

const (
	Confirm     QuestionType = "confirm"     // answer: bool
	Select      QuestionType = "select"      // answer: one option value (string)
	MultiSelect QuestionType = "multiselect" // answer: list of option values
	Text        QuestionType = "text"        // answer: string
	Number      QuestionType = "number"      // answer: number
	Date        QuestionType = "date"        // answer: YYYY-MM-DD string
)

// Checklist is one provider's (or the baseline's) set of controls.
type Checklist struct {
	Schema      string    `yaml:"schema" json:"schema"`
	ID          string    `yaml:"id" json:"id"`
	Title       string    `yaml:"title" json:"title"`
	Version     string    `yaml:"version" json:"version"`
	Description string    `yaml:"description,omitempty" json:"description,omitempty"`
	Provider    Provider  `yaml:"provider" json:"provider"`
	Source      Source    `yaml:"source" json:"source"`
	Sections    []Section `yaml:"sections" json:"sections"`
	// RemediationDays are the provider's remediation periods per severity:
	// a finding is due this many days after it was first seen.
	RemediationDays *RemediationDays `yaml:"remediation_days,omitempty" json:"remediation_days,omitempty"`

	// File is where the checklist was loaded from ("builtin:finhub" for built-ins).
	File string `yaml:"-" json:"-"`
	// SHA256 is the hex digest of the loaded bytes.
	SHA256 string `yaml:"-" json:"-"`
	// Raw is the bytes the checklist was loaded from (for the submission package).
	Raw []byte `yaml:"-" json:"-"`

	// pos locates each field path in File, for validation errors.
	pos positions
}

// MaxRemediationDays bounds a remediation period (the schema and Validate
// both hold a checklist to it).
const MaxRemediationDays = 3650

// RemediationDays gives days to fix a finding, per severity; 0 = no period.
type RemediationDays struct {
	Critical int `yaml:"critical,omitempty" json:"critical,omitempty"`
	High     int `yaml:"high,omitempty" json:"high,omitempty"`
	Medium   int `yaml:"medium,omitempty" json:"medium,omitempty"`
	Low      int `yaml:"low,omitempty" json:"low,omitempty"`
}

// For returns the period for a severity (0 when none is set).
func (r *RemediationDays) For(s Severity) int {
	if r == nil {
		return 0
	}
	switch s {
	case Critical:
		return r.Critical
	case High:
		return r.High
	case Medium:
		return r.Medium
	case Low:
		return r.Low
	}
	return 0
}

// Provider is the API provider whose certification the checklist encodes.
type Provider struct {
	Name    string `yaml:"name" json:"name"`
	URL     string `yaml:"url,omitempty" json:"url,omitempty"`
	Contact string `yaml:"contact,omitempty" json:"contact,omitempty"`
}

// Source names the provider document the checklist encodes.
type Source struct {
	Title     string `yaml:"title" json:"title"`
	URL       string `yaml:"url,omitempty" json:"url,omitempty"`
	Retrieved string `yaml:"retrieved,omitempty" json:"retrieved,omitempty"`
}

// Section groups controls (e.g. "Authentication & Authorization").
type Section struct {
	ID       string    `yaml:"id" json:"id"`
	Title    string    `yaml:"title" json:"title"`
	Controls []Control `yaml:"controls" json:"controls"`
}

// Control is one requirement. It is verified by its questions (answers),
// by its probes, or by both; a control passes only when all of them pass.
type Control struct {
	ID          string    `yaml:"id" json:"id"`
	Title       string    `yaml:"title" json:"title"`
	Requirement string    `yaml:"requirement" json:"requirement"`
	Severity    Severity  `yaml:"severity" json:"severity"`
	Rationale   string    `yaml:"rationale,omitempty" json:"rationale,omitempty"`
	Remediation string    `yaml:"remediation,omitempty" json:"remediation,omitempty"`
	References  []string  `yaml:"references,omitempty" json:"references,omitempty"`
	Tags        []string  `yaml:"tags,omitempty" json:"tags,omitempty"`
	Mappings    []Mapping `yaml:"mappings,omitempty" json:"mappings,omitempty"`
	// AllowNotApplicable lets the team answer "not applicable" with a justification.
	AllowNotApplicable bool       `yaml:"allow_not_applicable,omitempty" json:"allow_not_applicable,omitempty"`
	Questions          []Question `yaml:"questions,omitempty" json:"questions,omitempty"`
	Evidence           []Evidence `yaml:"evidence,omitempty" json:"evidence,omitempty"`
	// Probes are probe ids (see probes.Catalogue) whose results verify the control.
	// In YAML an entry is an id, or {id: ..., with: {...}} with parameters.
	Probes []string `yaml:"probes,omitempty" json:"probes,omitempty"`
	// With holds the parameters the control sets for its probes (`with:`),
	// by probe id; a probe absent here runs with its defaults.
	With map[string]probes.Params `yaml:"-" json:"-"`
}

// ProbeParams returns the parameters the control sets for probe id (nil:
// the defaults).
func (ctl *Control) ProbeParams(id string) probes.Params { return ctl.With[id] }

// ProbeParamSets returns, for every probe id the checklist's controls name,
// the distinct parameter sets they ask for (probes.Config.ParamSets): the
// probe then gives one result per set and each control is judged by its own.
func (c *Checklist) ProbeParamSets() map[string][]probes.Params {
	out := map[string][]probes.Params{}
	seen := map[string]bool{}
	for _, sc := range c.Controls() {
		for _, id := range sc.Control.Probes {
			set := sc.Control.With[id]
			k := id + "\x00" + probes.ParamsKey(id, set)
			if seen[k] {
				continue
			}
			seen[k] = true
			out[id] = append(out[id], set)
		}
	}
	return out
}

// Mapping links a control to another framework's or provider's control,
// e.g. {framework: "PCI DSS 4.0", id: "4.2.1"} or {framework: "finhub", id: "FH-AUTH-1"}.
type Mapping struct {
	Framework string `yaml:"framework" json:"framework"`
	ID        string `yaml:"id" json:"id"`
}

// Question is something only a human can answer.
type Question struct {
	ID      string       `yaml:"id" json:"id"`
	Prompt  string       `yaml:"prompt" json:"prompt"`
	Type    QuestionType `yaml:"type" json:"type"`
	Help    string       `yaml:"help,omitempty" json:"help,omitempty"`
	Options []Option     `yaml:"options,omitempty" json:"options,omitempty"`
	// Pass says which answers pass; nil means the answer is informational.
	Pass *PassCriteria `yaml:"pass,omitempty" json:"pass,omitempty"`
	// When makes the question conditional on another question of the same control.
	When *Condition `yaml:"when,omitempty" json:"when,omitempty"`
	// Optional questions may be left unanswered without the control being not_tested.
	Optional bool `yaml:"optional,omitempty" json:"optional,omitempty"`
}

// Option is one choice of a select or multiselect question.
type Option struct {
	Value string `yaml:"value" json:"value"`
	Label string `yaml:"label,omitempty" json:"label,omitempty"`
}

// PassCriteria: exactly one field is set, matching the question type.
//   - confirm:     equals: true|false
//   - select:      any_of: [option values]
//   - multiselect: all_of: [values that must be chosen], none_of: [values that must not be]
//   - number:      min / max (inclusive)
//   - text/date:   not_empty: true; date also max_age_days (answer no older than N days)
//     and max_age_days_from (the maximum age is the answer to a number question
//     of the same control, e.g. the team's own policy period)
type PassCriteria struct {
	Equals     *bool    `yaml:"equals,omitempty" json:"equals,omitempty"`
	AnyOf      []string `yaml:"any_of,omitempty" json:"any_of,omitempty"`
	AllOf      []string `yaml:"all_of,omitempty" json:"all_of,omitempty"`
	NoneOf     []string `yaml:"none_of,omitempty" json:"none_of,omitempty"`
	Min        *float64 `yaml:"min,omitempty" json:"min,omitempty"`
	Max        *float64 `yaml:"max,omitempty" json:"max,omitempty"`
	NotEmpty   bool     `yaml:"not_empty,omitempty" json:"not_empty,omitempty"`
	MaxAgeDays int      `yaml:"max_age_days,omitempty" json:"max_age_days,omitempty"`
	// MaxAgeDaysFrom names a number question of the same control whose
	// answer is the date's maximum age in days; with max_age_days too, the
	// smaller of the two applies.
	MaxAgeDaysFrom string `yaml:"max_age_days_from,omitempty" json:"max_age_days_from,omitempty"`
}

// Condition shows a question only when another question's answer matches:
// equals for confirm (bool) answers, any_of for select/multiselect answers.
type Condition struct {
	Question string   `yaml:"question" json:"question"`
	Equals   *bool    `yaml:"equals,omitempty" json:"equals,omitempty"`
	AnyOf    []string `yaml:"any_of,omitempty" json:"any_of,omitempty"`
}

// Evidence is a document the reviewer expects (architecture doc, policy, …).
type Evidence struct {
	ID          string `yaml:"id" json:"id"`
	Description string `yaml:"description" json:"description"`
	Required    bool   `yaml:"required,omitempty" json:"required,omitempty"`
}

// Controls returns every control in order, with its section.
func (c *Checklist) Controls() []SectionControl {
	var out []SectionControl
	for si := range c.Sections {
		for ci := range c.Sections[si].Controls {
			out = append(out, SectionControl{Section: &c.Sections[si], Control: &c.Sections[si].Controls[ci]})
		}
	}
	return out
}

// SectionControl is a control together with the section it belongs to.
type SectionControl struct {
	Section *Section
	Control *Control
}

// Control finds a control by id.
func (c *Checklist) Control(id string) (*Control, *Section) {
	for si := range c.Sections {
		for ci := range c.Sections[si].Controls {
			if c.Sections[si].Controls[ci].ID == id {
				return &c.Sections[si].Controls[ci], &c.Sections[si]
			}
		}
	}
	return nil, nil
}

// Question finds a question of the control by id.
func (ctl *Control) Question(id string) *Question {
	for i := range ctl.Questions {
		if ctl.Questions[i].ID == id {
			return &ctl.Questions[i]
		}
	}
	return nil
}
