package review

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/input"
	"github.com/selfassess/selfassess/report"
	"github.com/selfassess/selfassess/submission"
)

// Package is a verified submission package and what a review reads from it.
type Package struct {
	Path      string
	Check     *submission.Result
	Results   *assessment.Results
	Checklist *checklist.Checklist // nil when the package holds none (or an unreadable one)
}

// OpenPackage verifies a submission package exactly as verify does and
// reads its results.json (and checklist.yaml). A package that does not
// verify is a *VerifyError (it cannot be reviewed); any other error is
// about the input (unreadable, no results.json).
func OpenPackage(path string, trust submission.TrustedKeys) (*Package, error) {
	trust.Keep = []string{"results.json", "checklist.yaml", submission.SumsFile}
	res, err := submission.Verify(path, trust)
	if err != nil {
		return nil, err
	}
	if !res.OK() {
		return nil, &VerifyError{Msg: fmt.Sprintf("%s does not verify, so it cannot be reviewed: %s", path, res.FirstProblem())}
	}
	b, ok := res.Files["results.json"]
	if !ok {
		return nil, fmt.Errorf("%s holds no results.json", path)
	}
	results, err := report.ParseResults(filepath.Join(path, "results.json"), b)
	if err != nil {
		return nil, err
	}
	p := &Package{Path: path, Check: res, Results: results}
	if raw, ok := res.Files["checklist.yaml"]; ok {
		if cl, err := checklist.Parse("checklist.yaml", raw); err == nil {
			p.Checklist = cl
		}
	}
	return p, nil
}

// Remediation is the package checklist's remediation periods (nil without one).
func (p *Package) Remediation() *checklist.RemediationDays {
	if p.Checklist == nil {
		return nil
	}
	return p.Checklist.RemediationDays
}

// Template is the decisions skeleton for the package.
func (p *Package) Template() []byte { return Template(p.Results, p.Check.SumsSHA256) }

// Views are the package's controls and claims for the interactive review,
// with each evidence file's SHA-256 from SHA256SUMS.
func (p *Package) Views() ([]ControlView, []ClaimView) {
	sums := map[string]string{}
	if entries, err := submission.ParseSums(p.Check.Files[submission.SumsFile]); err == nil {
		for _, e := range entries {
			sums[e.Name] = e.Hex
		}
	}
	return Views(p.Results, p.Checklist, p.Path, sums)
}

// Input is what Build needs to review this package.
func (p *Package) Input(reviewerKey string, validFor Period, now time.Time, tool assessment.Tool) Input {
	return Input{Results: p.Results, SumsSHA256: p.Check.SumsSHA256, Signer: p.Check.KeyFP, Remediation: p.Remediation(),
		ReviewerKey: reviewerKey, ValidFor: validFor, Now: now, Tool: tool}
}

// DefaultDue is a finding's due date when the reviewer gives none: the
// checklist's remediation period for the severity, else DefaultDueDays.
func DefaultDue(rem *checklist.RemediationDays, severity string, now time.Time) string {
	days := rem.For(checklist.Severity(severity))
	if days == 0 {
		days = DefaultDueDays
	}
	return now.UTC().AddDate(0, 0, days).Format(time.DateOnly)
}

// ParsePeriod reads an approval's validity: Nd (days), Nm (months) or Ny
// (years), N from 1 to 3650.
func ParsePeriod(s string) (Period, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("%q is not a period", s)
	if len(s) < 2 {
		return Period{}, bad
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 || n > 3650 {
		return Period{}, bad
	}
	switch s[len(s)-1] {
	case 'd':
		return Period{Days: n}, nil
	case 'm':
		return Period{Months: n}, nil
	case 'y':
		return Period{Years: n}, nil
	}
	return Period{}, bad
}

// DraftPath is where an interactive review saves its decisions: draft
// when given (--draft), else beside the output folder, OUT-decisions.yaml.
func DraftPath(draft, outDir string) string {
	if draft != "" {
		return draft
	}
	return filepath.Clean(outDir) + "-decisions.yaml"
}

// LoadDraft reads an interactive review's saved decisions; a draft that
// does not exist yet is a fresh one (resumed false).
func LoadDraft(path string) (d *Decisions, resumed bool, err error) {
	b, err := input.ReadFile(path, maxDecisionsFile)
	if answers.IsNotExist(err) {
		return &Decisions{Schema: DecisionsSchemaID, Name: path}, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	d, err = ParseDraft(path, b)
	return d, err == nil, err
}

// SaveDraft writes the decisions so far, atomically (an interrupted
// review resumes from them).
func SaveDraft(path string, d *Decisions) error {
	b, err := MarshalDecisions(d)
	if err != nil {
		return err
	}
	return input.WriteFileAtomic(path, b, 0o644)
}
