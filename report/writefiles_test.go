package report

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/internal/input"
)

// WriteFiles writes in name order into a folder it creates, and says what
// it wrote.
func TestWriteFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out", "sub")
	written, err := WriteFiles(dir, map[string][]byte{"results.json": []byte("{}"), "report.md": []byte("# r")}, "")
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join(dir, "report.md"), filepath.Join(dir, "results.json")}, written)
	b, err := os.ReadFile(filepath.Join(dir, "report.md"))
	require.NoError(t, err)
	assert.Equal(t, "# r", string(b))
}

// Re-rendering results.json into its own folder would replace the input:
// refused before anything is written, as the user's problem.
func TestWriteFilesRefusesInput(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "results.json")
	require.NoError(t, os.WriteFile(src, []byte("input"), 0o644))
	written, err := WriteFiles(dir, map[string][]byte{"report.md": []byte("# r"), "results.json": []byte("{}")}, src)
	var p *input.Problem
	require.True(t, errors.As(err, &p), "%T: %v", err, err)
	assert.Equal(t, "refusing to overwrite the input "+src, err.Error())
	assert.Equal(t, "choose another --out", p.Hint)
	assert.Empty(t, written)
	assert.NoFileExists(t, filepath.Join(dir, "report.md"), "nothing written")
	b, _ := os.ReadFile(src)
	assert.Equal(t, "input", string(b))

	// the same file under another name (a relative path) is still the input
	t.Chdir(dir)
	assert.Error(t, RefuseInput(".", []string{"results.json"}, "results.json"))
	assert.NoError(t, RefuseInput(".", []string{"report.md"}, "results.json"))
	assert.NoError(t, RefuseInput(".", []string{"results.json"}, ""))
}

// A folder that cannot be made is a runtime failure naming what is in the way.
func TestWriteFilesCannotCreate(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	_, err := WriteFiles(filepath.Join(file, "out"), map[string][]byte{"report.md": nil}, "")
	var p *input.Problem
	assert.False(t, errors.As(err, &p))
	assert.Equal(t, "creating "+filepath.Join(file, "out")+": "+file+": not a directory", err.Error(), "the component in the way, no mkdir op")
}
