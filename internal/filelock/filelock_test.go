package filelock

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAcquireExcludesAndReleases(t *testing.T) {
	dir := t.TempDir()
	lp := filepath.Join(dir, ".answers.yaml.lock")
	l1, err := Acquire(lp, "answers.yaml")
	require.NoError(t, err)

	// A second holder in the same process is refused too, at once.
	start := time.Now()
	_, err = Acquire(lp, "answers.yaml")
	var held *HeldError
	require.True(t, errors.As(err, &held), "%v", err)
	assert.Less(t, time.Since(start), time.Second)
	assert.Regexp(t, fmt.Sprintf(`^answers.yaml is in use by another selfassess session \(pid %d on .+, since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)$`, os.Getpid()), err.Error())

	require.NoError(t, l1.Release())
	assert.NoFileExists(t, lp, "a released lock leaves nothing behind")
	l2, err := Acquire(lp, "answers.yaml")
	require.NoError(t, err)
	require.NoError(t, l2.Release())
	require.NoError(t, l2.Release(), "releasing twice is harmless")
}

// A holder killed with SIGKILL never releases; the lock must not outlive it.
func TestLockDiesWithItsHolder(t *testing.T) {
	if lp := os.Getenv("FILELOCK_TEST_HOLD"); lp != "" {
		if _, err := Acquire(lp, "answers.yaml"); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		fmt.Println("locked")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	lp := filepath.Join(t.TempDir(), ".answers.yaml.lock")
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockDiesWithItsHolder$")
	cmd.Env = append(os.Environ(), "FILELOCK_TEST_HOLD="+lp)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "locked\n", line)

	_, err = Acquire(lp, "answers.yaml")
	var held *HeldError
	require.True(t, errors.As(err, &held), "%v", err)
	assert.Contains(t, held.Holder, fmt.Sprintf("pid %d on ", cmd.Process.Pid))

	require.NoError(t, cmd.Process.Kill())
	cmd.Wait()
	l, err := Acquire(lp, "answers.yaml")
	require.NoError(t, err, "the lock of a killed process is free")
	require.NoError(t, l.Release())
}
