//go:build unix

package cmd

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHelperMainProcess is not a test: run by the tests below as a child
// process, it is selfassess with the arguments in SELFASSESS_CHILD_ARGS.
func TestHelperMainProcess(t *testing.T) {
	args := os.Getenv("SELFASSESS_CHILD_ARGS")
	if args == "" {
		t.Skip("helper process")
	}
	os.Exit(Main(strings.Split(args, "\x1f")))
}

// SIGINT or SIGTERM while the reports are rendered (a template that never
// ends) exits within a second with one line, and the package of the run
// before is left whole (issue 10.7).
func TestSignalDuringRenderingExitsAtOnce(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			cl := filepath.Join(dir, "acme.yaml")
			require.NoError(t, os.WriteFile(cl, []byte(ownerChecklist), 0o644))
			ans := filepath.Join(dir, "answers.yaml")
			require.NoError(t, os.WriteFile(ans, []byte("schema: selfassess/answers/v1\nchecklist: acme\ncontrols:\n  ACME-OWNER:\n    answers: {owner: Head of Platform}\n  ACME-REVIEW:\n    answers: {reviewed: true}\n"), 0o644))
			tpl := filepath.Join(dir, "tpl")
			require.NoError(t, os.MkdirAll(tpl, 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(tpl, "report.md.tmpl"), []byte("{{range 1000000000000}}{{end}}"), 0o644))
			out := filepath.Join(dir, "out")
			base := []string{"run", "--ci", "--checklist", cl, "--answers", ans, "--out", out}
			var so, se bytes.Buffer
			require.Equal(t, ExitOK, MainWith(base, TestIO(nil, &so, &se, nil)), se.String())
			before, err := os.ReadFile(filepath.Join(out, "SHA256SUMS"))
			require.NoError(t, err)
			zipBefore, err := os.ReadFile(out + ".zip")
			require.NoError(t, err)

			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperMainProcess$")
			cmd.Env = append(os.Environ(), "SELFASSESS_CHILD_ARGS="+strings.Join(append(base, "--template-dir", tpl), "\x1f"), "CI=true")
			stderr, err := cmd.StderrPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			lines := make(chan string, 100)
			go func() {
				sc := bufio.NewScanner(stderr)
				for sc.Scan() {
					lines <- sc.Text()
				}
				close(lines)
			}()
			// the checklist line comes once the inputs are checked; there
			// are no probes, so rendering starts right after it
			select {
			case l := <-lines:
				require.Contains(t, l, "checklist acme 1: 2 controls")
			case <-time.After(20 * time.Second):
				cmd.Process.Kill()
				t.Fatal("the child did not start")
			}
			time.Sleep(500 * time.Millisecond)
			start := time.Now()
			require.NoError(t, cmd.Process.Signal(sig))
			var rest []string
			for l := range lines {
				if !strings.Contains(l, "will not name your organisation") { // run's warning before the questionnaire
					rest = append(rest, l)
				}
			}
			err = cmd.Wait()
			took := time.Since(start)
			var ee *exec.ExitError
			require.ErrorAs(t, err, &ee)
			assert.Equal(t, ExitRuntime, ee.ExitCode())
			assert.Less(t, took, time.Second*raceSlowdown, "exit after the signal")
			assert.Equal(t, []string{"selfassess: error: interrupted; the previous package in " + out + ", if any, is unchanged"}, rest)
			t.Logf("%s: exited %s after the signal", sig, took)

			after, err := os.ReadFile(filepath.Join(out, "SHA256SUMS"))
			require.NoError(t, err)
			assert.Equal(t, string(before), string(after))
			zipAfter, err := os.ReadFile(out + ".zip")
			require.NoError(t, err)
			assert.Equal(t, zipBefore, zipAfter)
			ents, err := os.ReadDir(dir)
			require.NoError(t, err)
			for _, e := range ents {
				assert.False(t, strings.Contains(e.Name(), ".new-") || strings.Contains(e.Name(), ".old-"), "left behind: %s", e.Name())
			}
		})
	}
}
