//go:build unix

package input

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A save killed with SIGKILL mid-write leaves its temp file; the next
// process removes it, but never the temp file of a writer still alive.
func TestStaleTempOfAKilledWriterRemovedOnNextStart(t *testing.T) {
	switch os.Getenv("INPUT_TEST_MODE") {
	case "killed-writer": // dies by SIGKILL inside WriteFileAtomic
		afterTempWrite = func() { syscall.Kill(os.Getpid(), syscall.SIGKILL) }
		WriteFileAtomic(os.Getenv("INPUT_TEST_PATH"), []byte("half"), 0o644)
		os.Exit(3)
	case "live-writer": // stops inside WriteFileAtomic until killed
		afterTempWrite = func() { fmt.Println("writing"); select {} }
		WriteFileAtomic(os.Getenv("INPUT_TEST_PATH"), []byte("slow"), 0o644)
		os.Exit(3)
	case "next-start":
		fmt.Println(strings.Join(RemoveStaleTemps(os.Getenv("INPUT_TEST_PATH")), " "))
		os.Exit(0)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "answers.yaml")
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o644))
	child := func(mode string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestStaleTempOfAKilledWriterRemovedOnNextStart$")
		cmd.Env = append(os.Environ(), "INPUT_TEST_MODE="+mode, "INPUT_TEST_PATH="+path)
		return cmd
	}

	err := child("killed-writer").Run()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "killed")
	killed := temps(t, dir)
	require.Len(t, killed, 1, "kill -9 mid-save leaves a temp file")

	live := child("live-writer")
	out, err := live.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, live.Start())
	t.Cleanup(func() { live.Process.Kill(); live.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "writing\n", line)
	require.Len(t, temps(t, dir), 2)

	// Unrelated files that look alike are never touched.
	for _, name := range []string{".answers.yaml.backup.tmp", ".other.yaml.123.tmp", "answers.yaml.123.tmp", ".answers.yaml.123.tmp.keep"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), nil, 0o644))
	}

	got, err := child("next-start").Output()
	require.NoError(t, err)
	assert.Equal(t, killed[0]+"\n", string(got), "only the killed writer's temp is removed")
	assert.NoFileExists(t, filepath.Join(dir, killed[0]))
	assert.Len(t, temps(t, dir), 1, "the live writer's temp stays")
	for _, name := range []string{".answers.yaml.backup.tmp", ".other.yaml.123.tmp", "answers.yaml.123.tmp", ".answers.yaml.123.tmp.keep"} {
		assert.FileExists(t, filepath.Join(dir, name))
	}
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "old", string(b))
}

// temps lists WriteFileAtomic's temp files for answers.yaml in dir.
func temps(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, ".answers.yaml.*.tmp"))
	require.NoError(t, err)
	var out []string
	for _, p := range m {
		if isTempOf(filepath.Join(dir, "answers.yaml"), filepath.Base(p)) {
			out = append(out, filepath.Base(p))
		}
	}
	return out
}
