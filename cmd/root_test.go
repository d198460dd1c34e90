package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/internal/input"
	"github.com/selfassess/selfassess/report"
)

// The root lists the CLI: no command file adds itself from an init().
func TestCommandsAreListedInTheRoot(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, obj := range af.Decls {
			if fd, ok := obj.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "init" {
				t.Errorf("%s has an init(): register commands in newRootCmd", f)
			}
		}
	}
	root := newRootCmd(TestIO(nil, &bytes.Buffer{}, &bytes.Buffer{}, nil))
	var names []string
	for _, c := range root.Commands() {
		names = append(names, c.Name())
	}
	assert.Subset(t, names, []string{"init", "run", "probe", "report", "diff", "verify", "keygen", "checklist", "version"})
}

// Only a broken --template-dir template is the user's error; any other
// rendering failure (the PDF, say) is ours, whatever its message says.
func TestRenderErrBlamesOnlyTemplates(t *testing.T) {
	var out bytes.Buffer
	tpl := &report.TemplateError{Path: "tpl/report.md.tmpl", Err: errors.New(`template: tpl/report.md.tmpl:1: function "nope" not defined`)}
	assert.Equal(t, ExitUsage, reportError(&out, renderErr(fmt.Errorf("rendering report.md: %w", tpl))))
	assert.Equal(t, "selfassess: error: --template-dir: rendering report.md: template: tpl/report.md.tmpl:1: function \"nope\" not defined\n", out.String())

	out.Reset()
	assert.Equal(t, ExitRuntime, reportError(&out, renderErr(errors.New("rendering report.md: write failed"))))
	assert.Equal(t, "selfassess: error: rendering report.md: write failed\n", out.String())
	assert.Equal(t, ExitRuntime, reportError(&out, renderErr(errors.New("rendering report.pdf: font"))))
}

// An error that is not an *ExitError is a runtime failure, even when its
// text looks like one of cobra's usage messages.
func TestUntypedErrorsAreRuntime(t *testing.T) {
	var out bytes.Buffer
	assert.Equal(t, ExitRuntime, reportError(&out, errors.New(`unknown command "x" for "selfassess"`)))
	assert.Equal(t, ExitRuntime, reportError(&out, errors.New("dial tcp: invalid argument")))
}

// A domain package's *input.Problem, however deeply wrapped, is the user's
// error: exit 2 with its hint, without cmd classifying it.
func TestDomainProblemsAreUsageErrors(t *testing.T) {
	var out bytes.Buffer
	err := fmt.Errorf("loading: %w", input.Problemf("give a folder", "--source x: is a file, not a folder"))
	assert.Equal(t, ExitUsage, reportError(&out, err))
	assert.Equal(t, "selfassess: error: loading: --source x: is a file, not a folder\nselfassess: hint: give a folder\n", out.String())
}

func TestPlural(t *testing.T) {
	assert.Equal(t, "1 target", plural(1, "target"))
	assert.Equal(t, "0 targets", plural(0, "target"))
	assert.Equal(t, "3 problems", plural(3, "problem"))
}
