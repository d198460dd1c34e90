package cmd

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const ownerChecklist = `schema: selfassess/checklist/v1
id: acme
title: ACME Pay
version: "1"
provider: {name: ACME Pay}
sections:
  - id: org
    title: Organisation
    controls:
      - id: ACME-OWNER
        title: Security owner
        requirement: Name who owns security findings.
        severity: low
        questions:
          - id: owner
            prompt: Who owns security findings?
            type: text
            pass: {not_empty: true}
      - id: ACME-REVIEW
        title: Yearly review
        requirement: Review the integration every year.
        severity: high
        questions:
          - id: reviewed
            prompt: Was the integration reviewed this year?
            type: confirm
            pass: {equals: true}
`

// terminalIO is a test's streams that claim to be a terminal, so run takes
// the interactive path (accessible, line-based prompts: TERM=dumb).
func terminalIO(in string, out, errOut *bytes.Buffer) *IOStreams {
	ios := TestIO(strings.NewReader(in), out, errOut, map[string]string{"TERM": "dumb", "USER": "ana"})
	ios.stdinTTY, ios.stdoutTTY = true, true
	return ios
}

func TestRunInteractiveAsksSavesAndEvaluates(t *testing.T) {
	dir := t.TempDir()
	cl := filepath.Join(dir, "acme.yaml")
	require.NoError(t, os.WriteFile(cl, []byte(ownerChecklist), 0o644))
	ansPath := filepath.Join(dir, "answers.yaml")
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	code := MainWith([]string{"run", "--checklist", cl, "--answers", ansPath, "--out", filepath.Join(dir, "out")},
		terminalIO("Head of Platform\n\nn\n\nplatform team\n2027-03-31\n", out, errOut))
	t.Logf("stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Equal(t, ExitGate, code, "the high control answered no fails the gate")
	saved, err := os.ReadFile(ansPath)
	require.NoError(t, err)
	assert.Contains(t, string(saved), "owner: Head of Platform")
	assert.Contains(t, string(saved), "reviewed: false")
	assert.Contains(t, string(saved), "answered_by: ana")
	assert.Contains(t, string(saved), "owner: platform team")
	assert.Contains(t, string(saved), `due: "2027-03-31"`)
	assert.Contains(t, out.String(), "ACME-REVIEW (high) failed")
	assert.FileExists(t, filepath.Join(dir, "out", "results.json"))
}

func TestRunInteractiveInterruptedKeepsAnswers(t *testing.T) {
	dir := t.TempDir()
	cl := filepath.Join(dir, "acme.yaml")
	require.NoError(t, os.WriteFile(cl, []byte(ownerChecklist), 0o644))
	ansPath := filepath.Join(dir, "answers.yaml")
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	// input ends after the first control: it is saved, the second is not
	code := MainWith([]string{"run", "--checklist", cl, "--answers", ansPath, "--out", filepath.Join(dir, "out")},
		terminalIO("Head of Platform\n\n", out, errOut))
	assert.Equal(t, ExitUsage, code)
	assert.Contains(t, errOut.String(), "questionnaire interrupted; the answers given so far are saved in "+ansPath)
	assert.Contains(t, errOut.String(), "hint: run the same command again to continue at the first unanswered control")
	saved, err := os.ReadFile(ansPath)
	require.NoError(t, err)
	assert.Contains(t, string(saved), "owner: Head of Platform")
	assert.NotContains(t, string(saved), "ACME-REVIEW")
	assert.NoDirExists(t, filepath.Join(dir, "out"))

	// running again resumes at the unanswered control
	out.Reset()
	errOut.Reset()
	code = MainWith([]string{"run", "--checklist", cl, "--answers", ansPath, "--out", filepath.Join(dir, "out")},
		terminalIO("y\n\n", out, errOut))
	assert.Equal(t, ExitOK, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.NotContains(t, out.String(), "Who owns security findings")
	assert.Contains(t, out.String(), "Verdict: READY")
}

// The questionnaire saves after every control: an answers file it could not
// write is refused before the first question, not after it.
func TestRunInteractiveAnswersDirMissing(t *testing.T) {
	dir := t.TempDir()
	cl := filepath.Join(dir, "acme.yaml")
	require.NoError(t, os.WriteFile(cl, []byte(ownerChecklist), 0o644))
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	ansPath := filepath.Join(dir, "nope", "answers.yaml")
	code := MainWith([]string{"run", "--checklist", cl, "--answers", ansPath, "--out", filepath.Join(dir, "out")},
		terminalIO("Head of Platform\n\n", out, errOut))
	assert.Equal(t, ExitUsage, code)
	assert.Contains(t, errOut.String(), "selfassess: error: --answers "+ansPath+": directory "+filepath.Dir(ansPath)+" does not exist")
	assert.NotContains(t, out.String(), "Who owns security findings")
}

// Two questionnaires on one answers file: the second says who holds it and
// exits 2 before asking anything; the first one's answers are all kept.
func TestRunInteractiveSecondSessionRefused(t *testing.T) {
	dir := t.TempDir()
	cl := filepath.Join(dir, "acme.yaml")
	require.NoError(t, os.WriteFile(cl, []byte(ownerChecklist), 0o644))
	ansPath := filepath.Join(dir, "answers.yaml")
	args := []string{"run", "--checklist", cl, "--answers", ansPath, "--out", filepath.Join(dir, "out")}

	in, keys := io.Pipe()
	t.Cleanup(func() { keys.Close() })
	outA, errA := &syncBuffer{}, &syncBuffer{}
	iosA := TestIO(in, outA, errA, map[string]string{"TERM": "dumb", "USER": "ana"})
	iosA.stdinTTY, iosA.stdoutTTY = true, true
	codeA := make(chan int, 1)
	go func() { codeA <- MainWith(args, iosA) }()
	io.WriteString(keys, "Head of Platform\n\n")
	require.Eventually(t, func() bool {
		b, _ := os.ReadFile(ansPath)
		return strings.Contains(string(b), "owner: Head of Platform")
	}, 20*time.Second, 10*time.Millisecond, "the first session saves its first control")

	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	// another --out: the same one is refused by the output folder's lock
	argsB := append(args[:len(args)-1:len(args)-1], filepath.Join(dir, "out-b"))
	code := MainWith(argsB, terminalIO("Someone Else\n\ny\n\n", out, errOut))
	assert.Equal(t, ExitUsage, code, errOut.String())
	assert.Regexp(t, `(?m)^selfassess: error: `+regexp.QuoteMeta(ansPath)+` is in use by another selfassess session \(pid \d+ on .+\)$`, errOut.String())
	assert.Contains(t, errOut.String(), "selfassess: hint: answer in that session, or wait until it ends")
	assert.NotContains(t, out.String(), "Who owns security findings")

	io.WriteString(keys, "y\n\n")
	select {
	case <-codeA:
	case <-time.After(20 * time.Second):
		t.Fatal("the first session did not finish")
	}
	saved, err := os.ReadFile(ansPath)
	require.NoError(t, err)
	assert.Contains(t, string(saved), "owner: Head of Platform")
	assert.Contains(t, string(saved), "reviewed: true")
	assert.NotContains(t, string(saved), "Someone Else")
}

// syncBuffer is a bytes.Buffer safe for a command running in a goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
