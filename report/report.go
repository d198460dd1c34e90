// Package report renders Results as Markdown, PDF, JSON, JUnit and SARIF.
// It is the only package that imports the PDF library.
package report

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/selfassess/selfassess/assessment"
)

// Options control rendering.
type Options struct {
	// TemplateDir overrides the embedded Markdown templates (same file names).
	TemplateDir string
	// Signer is the signing key's fingerprint for the signature block ("" = unsigned).
	Signer string
	// Date is the report date. The caller sets it from SOURCE_DATE_EPOCH when
	// set, else from Results.FinishedAt, so output is reproducible.
	Date time.Time
	// PDFSign, when set, embeds a PDF signature in report.pdf (signing time: Date).
	PDFSign *PDFSignature
	// PDFNotSigned says why a signed package's PDF carries no PDF signature
	// (an Ed25519 key, ssh-agent); shown in the signature block.
	PDFNotSigned string
	// MaxOutput bounds what one template may write (0: DefaultMaxOutput);
	// TemplateTimeout bounds how long it may run (0: DefaultTemplateTimeout).
	// A template from TemplateDir can loop for ever or write without end.
	MaxOutput       int64
	TemplateTimeout time.Duration
}

// Defaults for Options.MaxOutput and Options.TemplateTimeout: our own
// templates write a few hundred KiB in milliseconds.
const (
	DefaultMaxOutput       = 64 << 20
	DefaultTemplateTimeout = 30 * time.Second
)

// Formats are the renderable formats and the file each is written to.
var Formats = map[string]string{
	"md":    "report.md",
	"pdf":   "report.pdf",
	"json":  "results.json",
	"junit": "junit.xml",
	"sarif": "results.sarif",
	"oscal": OSCALResultsFile, // with OSCALPlanFile and OSCALPOAMFile
}

// FormatOrder is every format, in the order they are listed and rendered.
var FormatOrder = []string{"md", "pdf", "json", "junit", "sarif", "oscal"}

// PackageFormats is what a package holds for the formats asked for: every
// format when none is named, and results.json always, since verify, diff
// and the next run's changes.md read it.
func PackageFormats(formats []string) []string {
	if len(formats) == 0 {
		formats = FormatOrder
	}
	if !slices.Contains(formats, "json") {
		formats = append(append([]string(nil), formats...), "json")
	}
	return formats
}

// ParseFormats turns "md,pdf" into a list, rejecting unknown names and
// dropping duplicates; "" or "all" means every format.
func ParseFormats(list string) ([]string, error) {
	list = strings.TrimSpace(list)
	if list == "" || list == "all" {
		return append([]string(nil), FormatOrder...), nil
	}
	seen := map[string]bool{}
	var out []string
	for _, f := range strings.Split(list, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		if f == "" {
			continue
		}
		if _, ok := Formats[f]; !ok {
			return nil, fmt.Errorf("unknown format %q (want %s)", f, strings.Join(FormatOrder, ", "))
		}
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no format named (want %s)", strings.Join(FormatOrder, ", "))
	}
	return out, nil
}

// Render is RenderContext without cancellation.
func Render(r *assessment.Results, formats []string, opts Options) (map[string][]byte, error) {
	return RenderContext(context.Background(), r, formats, opts)
}

// RenderContext renders the named formats and returns file name → content.
// A cancelled ctx stops it within moments (between formats, and a template
// at once); the error is then ctx's.
func RenderContext(ctx context.Context, r *assessment.Results, formats []string, opts Options) (map[string][]byte, error) {
	if opts.Date.IsZero() {
		opts.Date = r.FinishedAt
	}
	out := map[string][]byte{}
	for _, f := range formats {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var b []byte
		var err error
		switch f {
		case "md":
			b, err = markdown(ctx, r, opts)
		case "pdf":
			b, err = PDF(r, opts)
		case "json":
			b, err = JSON(r)
		case "junit":
			b, err = JUnit(r)
		case "sarif":
			b, err = SARIF(r)
		case "oscal":
			var files map[string][]byte
			if files, err = OSCAL(r, opts); err == nil {
				for name, content := range files {
					out[name] = content
				}
				continue
			}
		default:
			return nil, fmt.Errorf("unknown format %q", f)
		}
		if err != nil {
			return nil, fmt.Errorf("rendering %s: %w", Formats[f], err)
		}
		out[Formats[f]] = b
	}
	return out, nil
}

// view is the Results arranged for reading: controls grouped by section,
// the findings, exceptions and the remediation plan picked out.
type view struct {
	R           *assessment.Results
	Date        string
	Signer      string
	Sections    []sectionView
	Findings    []*assessment.Control // Results.Findings: worst first
	Exceptions  []*assessment.Control // controls with an active exception
	Plan        []*assessment.Control // Results.RemediationPlan
	Attested    []*assessment.Control // controls with answers, notes or evidence files, not among the findings
	StatusCount []statusCount
}

type sectionView struct {
	ID, Title string
	Controls  []*assessment.Control
	Counts    map[assessment.ControlStatus]int
}

type statusCount struct {
	Status assessment.ControlStatus
	Label  string
	N      int
}

func newView(r *assessment.Results, opts Options) *view {
	r = forDisplay(r)
	v := &view{R: r, Signer: opts.Signer, Date: opts.Date.UTC().Format("2006-01-02")}
	if v.Signer == "" {
		v.Signer = r.Signer
	}
	idx := map[string]int{}
	for _, s := range r.Sections {
		idx[s.ID] = len(v.Sections)
		v.Sections = append(v.Sections, sectionView{ID: s.ID, Title: s.Title, Counts: map[assessment.ControlStatus]int{}})
	}
	for i := range r.Controls {
		c := &r.Controls[i]
		k, ok := idx[c.Section]
		if !ok { // a control whose section is not listed still gets reported
			k = len(v.Sections)
			idx[c.Section] = k
			v.Sections = append(v.Sections, sectionView{ID: c.Section, Title: c.Section, Counts: map[assessment.ControlStatus]int{}})
		}
		v.Sections[k].Controls = append(v.Sections[k].Controls, c)
		v.Sections[k].Counts[c.Status]++
		if c.Exception != nil {
			v.Exceptions = append(v.Exceptions, c)
		}
		if attested(c) && !c.Status.NeedsAttention() { // findings show it with the finding
			v.Attested = append(v.Attested, c)
		}
	}
	v.Findings, v.Plan = r.Findings(), r.RemediationPlan()
	s := r.Summary
	for _, sc := range []statusCount{
		{assessment.ControlPass, "", s.Pass}, {assessment.ControlFail, "", s.Fail}, {assessment.ControlPartial, "", s.Partial},
		{assessment.ControlNotApplicable, "", s.NotApplicable}, {assessment.ControlNotTested, "", s.NotTested},
		{assessment.ControlError, "", s.Error}, {assessment.ControlExcepted, "", s.Excepted},
	} {
		sc.Label = StatusLabel(sc.Status)
		v.StatusCount = append(v.StatusCount, sc)
	}
	return v
}

// attested: the team said something about the control (answers, a note,
// a justification, files, an owner).
func attested(c *assessment.Control) bool {
	if len(c.Answers) > 0 || c.Note != "" || c.NotApplicable != "" || c.Owner != "" || c.Due != "" {
		return true
	}
	for _, e := range c.Evidence {
		if e.Kind == "file" {
			return true
		}
	}
	return false
}

// Due is the control's due date as printed: "—" when none, marked overdue
// when it lies before the report date and the control is not resolved.
func (v *view) Due(c *assessment.Control) string {
	switch {
	case c.Due == "":
		return "—"
	case c.Due < v.Date && c.Status != assessment.ControlPass && c.Status != assessment.ControlNotApplicable:
		return c.Due + " (overdue)"
	}
	return c.Due
}

// shownEvidence is the evidence listed under a control: a note from the
// answers is printed once, as the control's Note, not again as evidence.
func shownEvidence(c *assessment.Control) []assessment.Reason {
	out := make([]assessment.Reason, 0, len(c.Evidence))
	for _, e := range c.Evidence {
		if e.Kind == "note" && e.Message == c.Note {
			continue
		}
		out = append(out, e)
	}
	return out
}

// evidenceLocation is where the evidence was observed, or "" when that only
// repeats the probe target its Source already names ("probe@target").
func evidenceLocation(e assessment.Reason) string {
	if _, target, ok := strings.Cut(e.Source, "@"); ok && target == e.Location {
		return ""
	}
	return e.Location
}

// StatusLabel is the status as printed: upper case words, readable without colour.
func StatusLabel(s assessment.ControlStatus) string {
	switch s {
	case assessment.ControlPass:
		return "PASS"
	case assessment.ControlFail:
		return "FAIL"
	case assessment.ControlPartial:
		return "PARTIAL"
	case assessment.ControlNotApplicable:
		return "N/A"
	case assessment.ControlNotTested:
		return "NOT TESTED"
	case assessment.ControlError:
		return "ERROR"
	case assessment.ControlExcepted:
		return "EXCEPTED"
	}
	return strings.ToUpper(string(s))
}

// VerdictLabel is the verdict as printed on the cover.
func VerdictLabel(v string) string {
	switch v {
	case assessment.Ready:
		return "READY"
	case assessment.NotReady:
		return "NOT READY"
	}
	return strings.ToUpper(v)
}
