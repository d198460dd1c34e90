package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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
	"deref":   func(b *bool) bool { return b != nil && *b },
	"fmttime": func(t *time.Time) string { return fmtTime(*t) },
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

// execute renders the named template within opts' limits; errors of a
// template from opts.TemplateDir are *TemplateError.
func execute(ctx context.Context, opts Options, name string, data any) ([]byte, error) {
	dir := opts.TemplateDir
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
	limit, timeout := opts.MaxOutput, opts.TemplateTimeout
	if limit <= 0 {
		limit = DefaultMaxOutput
	}
	if timeout <= 0 {
		timeout = DefaultTemplateTimeout
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	w := &boundedWriter{ctx: tctx, max: limit}
	done := make(chan error, 1)
	// text/template cannot be stopped from outside: a template that loops
	// without writing is left running (it ends with the process, moments
	// later); one that writes fails at its next write.
	go func() { done <- t.Execute(w, data) }()
	select {
	case err := <-done:
		if errors.Is(err, errTooLarge) {
			return nil, wrap(fmt.Errorf("%s: output larger than %s; stopped", t.Name(), input.Size(limit)))
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, wrap(err)
		}
		return w.buf.Bytes(), nil
	case <-tctx.Done():
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return nil, wrap(fmt.Errorf("%s: still running after %s; stopped (a loop that never ends?)", t.Name(), timeout))
	}
}

// errTooLarge: a template wrote more than its budget.
var errTooLarge = errors.New("output too large")

// boundedWriter collects a template's output up to max bytes, and fails
// every write once ctx is done, so a writing template stops.
type boundedWriter struct {
	ctx context.Context
	max int64
	buf bytes.Buffer
}

func (w *boundedWriter) Write(p []byte) (int, error) {
	if err := w.ctx.Err(); err != nil {
		return 0, err
	}
	if int64(w.buf.Len())+int64(len(p)) > w.max {
		return 0, errTooLarge
	}
	return w.buf.Write(p)
}

// Markdown renders report.md.
func Markdown(r *assessment.Results, opts Options) ([]byte, error) {
	return markdown(context.Background(), r, opts)
}

func markdown(ctx context.Context, r *assessment.Results, opts Options) ([]byte, error) {
	return execute(ctx, opts, ReportTemplate, newView(r, opts))
}

// ChangesMarkdown renders changes.md from a diff; the names label the two results.
func ChangesMarkdown(d *assessment.DiffResult, oldName, newName, templateDir string) ([]byte, error) {
	return ChangesMarkdownContext(context.Background(), d, oldName, newName, Options{TemplateDir: templateDir})
}

// ChangesMarkdownContext is ChangesMarkdown with cancellation and
// opts' template directory and limits.
func ChangesMarkdownContext(ctx context.Context, d *assessment.DiffResult, oldName, newName string, opts Options) ([]byte, error) {
	data := struct {
		Diff             diffView
		OldName, NewName string
	}{diffView{diffForDisplay(d)}, oldName, newName}
	return execute(ctx, opts, ChangesTemplate, data)
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
