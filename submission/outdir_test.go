package submission

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckOutDir(t *testing.T) {
	dir := t.TempDir()
	assert.NoError(t, CheckOutDir(filepath.Join(dir, "missing")), "a missing folder is created later")
	assert.NoError(t, CheckOutDir(dir))

	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	var ie *InputError
	require.True(t, errors.As(CheckOutDir(file), &ie))
	assert.Equal(t, "is a file, not a folder", ie.Err.Error())
	assert.Contains(t, ie.Hint, "name a folder")

	out := filepath.Join(dir, "out")
	require.NoError(t, os.Mkdir(ZipPathFor(out), 0o755))
	require.True(t, errors.As(CheckOutDir(out), &ie))
	assert.Equal(t, ZipPathFor(out)+" is a folder", ie.Err.Error())
	assert.Contains(t, ie.Hint, "FOLDER.zip")
}
