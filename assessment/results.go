// Package assessment evaluates a checklist against answers, probe results
// and exceptions, and holds the Results model (results.json,
// schema selfassess/results/v1). Pure functions, no I/O beyond loading
// exceptions files.
package assessment

import (
	"time"

	"github.com/selfassess/selfassess/probes"
)

// SchemaID is results.json's `schema` value.
const SchemaID = "selfassess/results/v1"

// ControlStatus of a control.
type ControlStatus string

const (
	ControlPass          ControlStatus = "pass"
	ControlFail          ControlStatus = "fail"
	ControlPartial       ControlStatus = "partial"
	ControlNotApplicable ControlStatus = "not_applicable"
	ControlNotTested     ControlStatus = "not_tested"
	ControlError         ControlStatus = "error"
	ControlExcepted      ControlStatus = "excepted"
)

// ControlStatuses lists control statuses in report order.
var ControlStatuses = []ControlStatus{ControlPass, ControlFail, ControlPartial, ControlNotApplicable, ControlNotTested, ControlError, ControlExcepted}

// Verdicts.
const (
	Ready    = "ready"
	NotReady = "not-ready"
)

// Results is everything a report needs, and exactly what results.json holds.
type Results struct {
	Schema     string          `json:"schema"`
	Tool       Tool            `json:"tool"`
	Project    Project         `json:"project"`
	Checklist  ChecklistRef    `json:"checklist"`
	Targets    []string        `json:"targets"`
	StartedAt  time.Time       `json:"started_at"`
	FinishedAt time.Time       `json:"finished_at"`
	Gate       Gate            `json:"gate"`
	Summary    Summary         `json:"summary"`
	Sections   []SectionStats  `json:"sections"`
	Controls   []Control       `json:"controls"`
	Probes     []probes.Result `json:"probes"`
	// ExpiredExceptions are exceptions that were ignored because they expired.
	ExpiredExceptions []Exception `json:"expired_exceptions,omitempty"`
	// Findings are the problems followed across rounds (fingerprint,
	// first_seen, due, status); see Track.
	Tracked []TrackedFinding `json:"findings,omitempty"`
	// Signer is the signing key's fingerprint (SHA256:…), when the package is signed.
	Signer string `json:"signer,omitempty"`
}

// Tool names the producer.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Project comes from selfassess.yaml.
type Project struct {
	Organisation string   `json:"organisation,omitempty"`
	Integration  string   `json:"integration,omitempty"`
	Contacts     []string `json:"contacts,omitempty"`
}

// ChecklistRef identifies the checklist evaluated.
type ChecklistRef struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Version  string `json:"version"`
	Provider string `json:"provider"`
	SHA256   string `json:"sha256"`
}

// Gate is the readiness rule applied.
type Gate struct {
	// FailOn is the lowest severity whose failure makes the verdict not-ready.
	FailOn string `json:"fail_on"`
	// AllowUnanswered: not_tested controls do not block readiness.
	AllowUnanswered bool `json:"allow_unanswered"`
	// Reasons say why the verdict is not-ready (empty when ready).
	Reasons []string `json:"reasons,omitempty"`
}

// Summary counts controls by status, with the score and verdict.
type Summary struct {
	Total         int    `json:"total"`
	Pass          int    `json:"pass"`
	Fail          int    `json:"fail"`
	Partial       int    `json:"partial"`
	NotApplicable int    `json:"not_applicable"`
	NotTested     int    `json:"not_tested"`
	Error         int    `json:"error"`
	Excepted      int    `json:"excepted"`
	Score         int    `json:"score"` // 0–100, weighted by severity
	Verdict       string `json:"verdict"`
}

// SectionStats counts one section's controls by status.
type SectionStats struct {
	ID     string                `json:"id"`
	Title  string                `json:"title"`
	Counts map[ControlStatus]int `json:"counts"`
}

// Control is one control's result.
type Control struct {
	ID          string        `json:"id"`
	Section     string        `json:"section"`
	Title       string        `json:"title"`
	Requirement string        `json:"requirement,omitempty"`
	Severity    string        `json:"severity"`
	Status      ControlStatus `json:"status"`
	Answers     []Answer      `json:"answers"`
	ProbeRefs   []string      `json:"probe_refs"`
	// ProbeParams are the parameters the control sets for its probes, by
	// probe id (the probes[] entries with the same params are its results).
	ProbeParams map[string]probes.Params `json:"probe_params,omitempty"`
	// Evidence lists why the status is what it is: failing answers, probe
	// findings (redacted), evidence files.
	Evidence      []Reason   `json:"evidence"`
	Exception     *Exception `json:"exception"` // null when none (results.json contract)
	Remediation   string     `json:"remediation"`
	NotApplicable string     `json:"not_applicable,omitempty"` // justification
	Note          string     `json:"note,omitempty"`
	Owner         string     `json:"owner,omitempty"`
	Due           string     `json:"due,omitempty"`
	Mappings      []string   `json:"mappings,omitempty"` // "PCI DSS 4.0 4.2.1"
	// AnsweredBy and AnsweredAt: who answered the questionnaire for this
	// control, and when (from the answers file).
	AnsweredBy string     `json:"answered_by,omitempty"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`

	tlsSkipped bool // its TLS probes were skipped: the URL target is plain http://
}

// Answer is one question and what was answered.
type Answer struct {
	Question string `json:"question"`
	Prompt   string `json:"prompt"`
	Value    any    `json:"value"`
	// Label is the answer as shown to the person: option labels, yes/no.
	Label string `json:"label,omitempty"`
	// Pass is nil for informational questions.
	Pass *bool `json:"pass,omitempty"`
}

// Reason is one line of why a control's status is what it is: an answer,
// a probe finding, an evidence file, a note (results.json's "evidence").
// Not to be confused with checklist.Evidence, a document the reviewer expects.
type Reason struct {
	// Kind: "answer", "probe", "file", "note".
	Kind    string       `json:"kind"`
	Source  string       `json:"source"` // question id, probe id@target, or file path
	Status  ReasonStatus `json:"status,omitempty"`
	Message string       `json:"message"`
	// Location is FILE:LINE or a URL for probe findings.
	Location string `json:"location,omitempty"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	// SHA256, Size and Packed are set for evidence files that were packed:
	// Packed is the file's path inside the submission package.
	SHA256 string `json:"sha256,omitempty"`
	Size   int64  `json:"size,omitempty"`
	Packed string `json:"packed,omitempty"`
}

// ReasonStatus is a reason's own status: a probe's or a probe finding's
// (pass fail warn info error skipped), an answer's (pass fail info), or
// the control status it records (not_tested not_applicable excepted).
type ReasonStatus string

const (
	ReasonPass          ReasonStatus = "pass"
	ReasonFail          ReasonStatus = "fail"
	ReasonWarn          ReasonStatus = "warn"
	ReasonInfo          ReasonStatus = "info"
	ReasonError         ReasonStatus = "error"
	ReasonSkipped       ReasonStatus = "skipped"
	ReasonNotTested     ReasonStatus = "not_tested"
	ReasonNotApplicable ReasonStatus = "not_applicable"
	ReasonExcepted      ReasonStatus = "excepted"
)

// reasonStatus is a probe status as a reason's status (same names).
func reasonStatus(s probes.Status) ReasonStatus { return ReasonStatus(s) }

// Informational reports whether the reason supports the status rather
// than explaining a problem (pass, info).
func (s ReasonStatus) Informational() bool { return s == ReasonPass || s == ReasonInfo }

// Exception is an approved, time-limited acceptance of a failing control.
type Exception struct {
	Control       string `json:"control" yaml:"control"`
	Justification string `json:"justification" yaml:"justification"`
	ApprovedBy    string `json:"approved_by" yaml:"approved_by"`
	Expires       string `json:"expires" yaml:"expires"` // YYYY-MM-DD
}
