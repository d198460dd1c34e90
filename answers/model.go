// Package answers is the answers file (answers.yaml, schema
// selfassess/answers/v1): what the team answered per control. Teams commit it
// for CI; the questionnaire writes it atomically after every control.
package answers

import (
	"time"

	"github.com/selfassess/selfassess/checklist"
)

// SchemaID is the value of an answers file's `schema` field.
const SchemaID = "selfassess/answers/v1"

// File is a whole answers file.
type File struct {
	Schema    string `yaml:"schema" json:"schema"`
	Checklist string `yaml:"checklist" json:"checklist"` // checklist id the answers are for
	// Controls is keyed by control id.
	Controls map[string]*Control `yaml:"controls" json:"controls"`

	// Path is where the file was loaded from / is saved to.
	Path string `yaml:"-" json:"-"`

	// pos holds each field's position in the loaded file, for Validate's errors.
	pos map[string]pos
	// layout is the checklist Validate checked against; Save writes controls
	// and questions in its order.
	layout *checklist.Checklist
	// comments are the loaded file's comments by field path; Save keeps them.
	comments map[string]comment
	// disk is the SHA-256 of the bytes last loaded or saved (zero: none), so
	// Lock can tell whether another session wrote the file since.
	disk [32]byte
}

// Control is the team's answer to one control.
type Control struct {
	// Answers is keyed by question id. Values: bool (confirm), string (select,
	// text, date YYYY-MM-DD), []string (multiselect), float64/int (number).
	Answers map[string]any `yaml:"answers,omitempty" json:"answers,omitempty"`
	// NotApplicable, when non-empty, is the justification for "not applicable".
	NotApplicable string   `yaml:"not_applicable,omitempty" json:"not_applicable,omitempty"`
	Note          string   `yaml:"note,omitempty" json:"note,omitempty"`
	Evidence      []string `yaml:"evidence,omitempty" json:"evidence,omitempty"` // file paths, relative to the answers file
	// EvidenceWithSecrets names evidence files (each also under Evidence)
	// the team packs although they hold a private key or a detected
	// secret; any other such file is refused.
	EvidenceWithSecrets []string `yaml:"evidence_with_secrets,omitempty" json:"evidence_with_secrets,omitempty"`
	// Owner and Due feed the remediation plan for failing controls.
	Owner      string    `yaml:"owner,omitempty" json:"owner,omitempty"`
	Due        string    `yaml:"due,omitempty" json:"due,omitempty"` // YYYY-MM-DD
	AnsweredBy string    `yaml:"answered_by,omitempty" json:"answered_by,omitempty"`
	AnsweredAt time.Time `yaml:"answered_at,omitempty" json:"answered_at,omitempty"`
	// ReviewResponse answers the reviewer's finding or question on this
	// control (selfassess run --review).
	ReviewResponse *ReviewResponse `yaml:"review_response,omitempty" json:"review_response,omitempty"`
	// FalsePositives are probe findings of this control the team claims are
	// not real, by fingerprint; a reviewer accepts or rejects each.
	FalsePositives []FalsePositive `yaml:"false_positives,omitempty" json:"false_positives,omitempty"`
}

// Review response kinds.
const (
	RespFixed    = "fixed"    // text: what changed
	RespWillFix  = "will-fix" // date (no later than the finding's due date), owner
	RespDisputed = "disputed" // text: why
	RespAnswered = "answered" // text: the answer to a reviewer's question
)

// ReviewResponse is the team's response to a reviewer's finding or question.
type ReviewResponse struct {
	Kind  string `yaml:"kind" json:"kind"`
	Text  string `yaml:"text,omitempty" json:"text,omitempty"`
	Date  string `yaml:"date,omitempty" json:"date,omitempty"`
	Owner string `yaml:"owner,omitempty" json:"owner,omitempty"`
}

// FalsePositive claims one probe finding is not real.
type FalsePositive struct {
	Fingerprint   string `yaml:"fingerprint" json:"fingerprint"`
	Justification string `yaml:"justification" json:"justification"`
}

// Pos is where a field (e.g. "controls.C1.evidence[0]") was in the loaded
// file; 0, 0 when unknown.
func (f *File) Pos(field string) (line, col int) {
	p := f.pos[field]
	return p.line, p.col
}

// AllowsSecret reports whether the team listed evidence path p of the
// control under evidence_with_secrets.
func (c *Control) AllowsSecret(p string) bool {
	if c == nil {
		return false
	}
	for _, e := range c.EvidenceWithSecrets {
		if e == p {
			return true
		}
	}
	return false
}
