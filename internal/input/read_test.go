package input

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Files the user names are read with a bound; a directory, a device or an
// oversized file is a one-line error naming it, not a read of gigabytes.
func TestReadFileBounds(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	require.NoError(t, os.WriteFile(big, make([]byte, 2049), 0o644))
	_, err := ReadFile(big, 2048)
	assert.EqualError(t, err, big+": larger than 2 KiB; is it the right file?")
	data, err := ReadFile(big, 2049)
	require.NoError(t, err)
	assert.Len(t, data, 2049)
	_, err = ReadFile(dir, 2048)
	assert.EqualError(t, err, dir+": a directory, not a regular file")
	_, err = ReadFile(filepath.Join(dir, "none.yaml"), 2048)
	assert.ErrorIs(t, err, os.ErrNotExist)
	if runtime.GOOS != "windows" {
		_, err = ReadFile("/dev/zero", 1<<30)
		assert.EqualError(t, err, "/dev/zero: a device, not a regular file")
	}
}

func TestSize(t *testing.T) {
	assert.Equal(t, "4 MiB", Size(4<<20))
	assert.Equal(t, "64 KiB", Size(64<<10))
	assert.Equal(t, "1000 bytes", Size(1000))
}

// Only temp files older than this process are candidates: a newer one may
// be a save still under way (of a writer that could not lock it).
func TestRemoveStaleTempsAge(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "answers.yaml")
	tmp := filepath.Join(dir, ".answers.yaml.42.tmp")
	require.NoError(t, os.WriteFile(tmp, []byte("x"), 0o644))
	require.NoError(t, os.Chtimes(tmp, processStart.Add(time.Second), processStart.Add(time.Second)))
	assert.Empty(t, RemoveStaleTemps(path))
	assert.FileExists(t, tmp)
	require.NoError(t, os.Chtimes(tmp, processStart.Add(-time.Hour), processStart.Add(-time.Hour)))
	assert.Equal(t, []string{".answers.yaml.42.tmp"}, RemoveStaleTemps(path))
	assert.NoFileExists(t, tmp)
}
