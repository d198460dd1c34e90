package report

import (
	"bytes"
	"path/filepath"
	"strings"
	"text/template"
	"time"

	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/internal/input"
	"github.com/selfassess/selfassess/templates"
)

// Template file names (embedded, or in Options.TemplateDir).
const (
	ReportTemplate  = "report.md.tmpl"
	ChangesTemplate = "changes.md.tmpl"
)

var funcs = template.FuncMap{
	"status":  StatusLabel,
	"verdict": VerdictLabel,
	"cell":    mdCell,
	"join":    strings.Join,
	"upper":   strings.ToUpper,
	"line":    oneLine,
	"quote":   mdQuote,
	"hashes":  mdHashes,
	// evidence and where: see shownEvidence and evidenceLocation.
	"evidence": shownEvidence,
	"where":    evidenceLocation,
	"response": responseText,
}

// mdCell makes text safe inside a Markdown table cell.
func mdCell(s string) string {
	return oneLine(strings.ReplaceAll(s, "|", `\|`))
}

// mdHashes shows a script's integrity attribute and the sha384 of the file
// served (either may be ""), as code in a table cell; "—" when neither.
func mdHashes(integrity, sha384 string) string {
	var parts []string
	for _, h := range []struct{ label, v string }{{"integrity", integrity}, {"served", sha384}} {
		if v := strings.ReplaceAll(oneLine(h.v), "`", ""); v != "" {
			parts = append(parts, h.label+" `"+strings.ReplaceAll(v, "|", `\|`)+"`")
		}
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, "; ")
}

// oneLine folds line breaks and runs of spaces, so a value stays inside
// its list item.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// mdQuote makes every line of s part of one blockquote.
func mdQuote(s string) string {
	return "> " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n> ")
}

// maxTemplateSize bounds a --template-dir template; ours are a few KiB.
const maxTemplateSize = 1 << 20

// loadTemplate reads name from dir when dir is set, else the embedded copy.
func loadTemplate(dir, name string) (*template.Template, error) {
	var b []byte
	var err error
	src := name
	if dir != "" {
		src = filepath.Join(dir, name)
		b, err = input.ReadFile(src, maxTemplateSize)
	} else {
		b, err = templates.FS.ReadFile(name)
	}
	if err != nil {
		return nil, err
	}
	// text/template errors already carry name:line.
	return template.New(src).Funcs(funcs).Option("missingkey=error").Parse(string(b))
}

// TemplateError is a template from Options.TemplateDir that cannot be
// read, parsed or executed: the user's input, not a failure of ours.
type TemplateError struct {
	Path string
	Err  error
}

func (e *TemplateError) Error() string { return e.Err.Error() }
func (e *TemplateError) Unwrap() error { return e.Err }

// execute renders the named template; errors of a template from dir are *TemplateError.
func execute(dir, name string, data any) ([]byte, error) {
	wrap := func(err error) error {
		if dir == "" {
			return err // the embedded templates are tested
		}
		return &TemplateError{Path: filepath.Join(dir, name), Err: err}
	}
	t, err := loadTemplate(dir, name)
	if err != nil {
		return nil, wrap(err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return nil, wrap(err)
	}
	return buf.Bytes(), nil
}

// Markdown renders report.md.
func Markdown(r *assessment.Results, opts Options) ([]byte, error) {
	return execute(opts.TemplateDir, ReportTemplate, newView(r, opts))
}

// ChangesMarkdown renders changes.md from a diff; the names label the two results.
func ChangesMarkdown(d *assessment.DiffResult, oldName, newName, templateDir string) ([]byte, error) {
	data := struct {
		Diff             diffView
		OldName, NewName string
	}{diffView{diffForDisplay(d)}, oldName, newName}
	return execute(templateDir, ChangesTemplate, data)
}

// diffView formats the diff's times for templates.
type diffView struct{ *assessment.DiffResult }

func (d diffView) OldFinished() string { return fmtTime(d.DiffResult.OldFinished) }
func (d diffView) NewFinished() string { return fmtTime(d.DiffResult.NewFinished) }

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}
