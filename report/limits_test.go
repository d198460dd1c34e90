package report

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/assessment"
)

func templateDir(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, ReportTemplate), []byte(body), 0o644))
	return dir
}

// A template that never ends, writing nothing, is stopped at its time
// limit with a one-line *TemplateError (issue 10.7).
func TestTemplateTimeLimit(t *testing.T) {
	dir := templateDir(t, "{{range 1000000000000}}{{end}}")
	start := time.Now()
	_, err := RenderContext(context.Background(), &assessment.Results{}, []string{"md"}, Options{TemplateDir: dir, TemplateTimeout: 300 * time.Millisecond})
	var te *TemplateError
	require.ErrorAs(t, err, &te)
	assert.Contains(t, err.Error(), "report.md.tmpl: still running after 300ms; stopped (a loop that never ends?)")
	assert.NotContains(t, err.Error(), "\n")
	assert.Less(t, time.Since(start), 2*time.Second)
}

// A template writing without end is stopped at its output budget; the
// default budget holds for a 200 GB output.
func TestTemplateOutputBudget(t *testing.T) {
	dir := templateDir(t, "{{range 200000000000}}0123456789{{end}}")
	_, err := RenderContext(context.Background(), &assessment.Results{}, []string{"md"}, Options{TemplateDir: dir, MaxOutput: 1 << 20})
	var te *TemplateError
	require.ErrorAs(t, err, &te)
	assert.Contains(t, err.Error(), "report.md.tmpl: output larger than 1 MiB; stopped")

	start := time.Now()
	_, err = RenderContext(context.Background(), &assessment.Results{}, []string{"md"}, Options{TemplateDir: dir})
	require.ErrorAs(t, err, &te)
	assert.Contains(t, err.Error(), "output larger than 64 MiB; stopped")
	t.Logf("64 MiB budget reached in %s", time.Since(start))
}

// Cancelling (Ctrl-C) stops rendering at once, whatever the template does.
func TestRenderCancelled(t *testing.T) {
	for name, body := range map[string]string{
		"silent":  "{{range 1000000000000}}{{end}}",
		"writing": "{{range 1000000000000}}x{{end}}",
	} {
		t.Run(name, func(t *testing.T) {
			dir := templateDir(t, body)
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(200*time.Millisecond, cancel)
			start := time.Now()
			_, err := RenderContext(ctx, &assessment.Results{}, []string{"md", "pdf"}, Options{TemplateDir: dir})
			assert.True(t, errors.Is(err, context.Canceled), "%v", err)
			assert.Less(t, time.Since(start), time.Second)
		})
	}
}

// The built-in templates render as before within the limits.
func TestRenderDefaultTemplatesWithinLimits(t *testing.T) {
	out, err := RenderContext(context.Background(), &assessment.Results{}, []string{"md"}, Options{MaxOutput: 1 << 20, TemplateTimeout: 5 * time.Second})
	require.NoError(t, err)
	assert.Contains(t, string(out["report.md"]), "#")
}
