package input

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A missing path, or a file where a folder is wanted (and the reverse),
// is the user's problem, named by the flag.
func TestCheckPath(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "key")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	assert.NoError(t, CheckPath("--sign-key", file, false))
	assert.NoError(t, CheckPath("--template-dir", dir, true))

	for _, tc := range []struct {
		flag, path string
		dir        bool
		want       string
	}{
		{"--sign-key", dir, false, "--sign-key " + dir + ": give a file, not a folder"},
		{"--template-dir", file, true, "--template-dir " + file + ": give a folder, not a file"},
		{"--previous", filepath.Join(dir, "none.json"), false, "--previous: " + filepath.Join(dir, "none.json") + ": no such file or directory"},
	} {
		err := CheckPath(tc.flag, tc.path, tc.dir)
		assert.EqualError(t, err, tc.want)
		assert.True(t, errors.As(err, new(*Problem)), "exit 2: %v", err)
	}
}

// Positioned problems are reported as they are; any other error is
// prefixed with the flag, a bare *PathError without its operation.
func TestFlagProblem(t *testing.T) {
	errs := &Errors{List: []FieldError{{File: "d.yaml", Line: 2, Col: 3, Path: "overall", Msg: "required"}}}
	err := FlagProblem("--decisions", errors.Join(errs))
	assert.EqualError(t, err, "d.yaml:2:3: overall: required")
	assert.True(t, errors.As(err, new(*Problem)))

	_, statErr := os.Stat("/nonexistent/d.yaml")
	assert.EqualError(t, FlagProblem("--decisions", statErr), "--decisions: /nonexistent/d.yaml: no such file or directory")
	assert.EqualError(t, FlagProblem("--draft", errors.New("bad draft")), "--draft: bad draft")
	assert.True(t, errors.As(FlagProblem("--draft", errors.New("x")), new(*Problem)))
}

func TestPathErr(t *testing.T) {
	_, err := os.Open("/nonexistent/f")
	assert.EqualError(t, PathErr(err), "/nonexistent/f: no such file or directory")
	wrapped := errors.Join(err) // wrapped: kept as it is
	assert.Equal(t, wrapped, PathErr(wrapped))
	other := errors.New("other")
	assert.Equal(t, other, PathErr(other))
	assert.NoError(t, PathErr(nil))
}
