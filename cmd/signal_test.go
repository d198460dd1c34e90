package cmd

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Signal tests (issue 10): SIGINT or SIGTERM while probing stops the
// process within a second with exit 3 and one error line, writes nothing,
// and leaves the previous package as it was. They run the real binary in
// a subprocess (the test binary, under the name testscript.Main dispatches
// on), so the signal goes through the process's own handling.
//
// The questionnaire and rendering cases use the same helpers:
// startSelfassess, stopWith and snapshot.

// selfassessBin links the test binary as "selfassess" in a temporary
// folder: started under that name it runs Main (see TestMain).
func selfassessBin(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "selfassess")
	if err := os.Symlink(exe, bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

// running is a selfassess process started by startSelfassess.
type running struct {
	cmd            *exec.Cmd
	stdout, stderr *bytes.Buffer
	exited         chan struct{}
	err            error
}

// startSelfassess starts selfassess with args in dir, without a terminal.
func startSelfassess(t *testing.T, bin, dir string, args ...string) *running {
	t.Helper()
	r := &running{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, exited: make(chan struct{})}
	r.cmd = exec.Command(bin, args...)
	r.cmd.Dir = dir
	r.cmd.Env = append(os.Environ(), "CI=true", "NO_COLOR=1")
	r.cmd.Stdout, r.cmd.Stderr = r.stdout, r.stderr
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.err = r.cmd.Wait(); close(r.exited) }()
	t.Cleanup(func() {
		select {
		case <-r.exited:
		default:
			r.cmd.Process.Kill()
			<-r.exited
		}
	})
	return r
}

// stopWith sends sig and returns the exit code and how long the process
// took to exit; it fails the test when the process outlives limit.
func (r *running) stopWith(t *testing.T, sig os.Signal, limit time.Duration) (int, time.Duration) {
	t.Helper()
	select {
	case <-r.exited:
		t.Fatalf("exited before the signal: %v\nstderr: %s", r.err, r.stderr)
	default:
	}
	sent := time.Now()
	if err := r.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.exited:
	case <-time.After(limit):
		t.Fatalf("still running %v after %v\nstderr: %s", limit, sig, r.stderr)
	}
	took := time.Since(sent)
	var ee *exec.ExitError
	if r.err != nil && !errors.As(r.err, &ee) {
		t.Fatal(r.err)
	}
	return r.cmd.ProcessState.ExitCode(), took
}

// snapshot maps every file under dir (and dir+".zip" beside it) to its
// SHA-256, and lists the other entries of dir's parent: a run that left
// a temporary file or folder behind changes it.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	parent := filepath.Dir(dir)
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		out["parent:"+e.Name()] = e.Type().String()
	}
	hash := func(p string) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		rel, _ := filepath.Rel(parent, p)
		out[rel] = hex.EncodeToString(sum[:])
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			hash(p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir + ".zip"); err == nil {
		hash(dir + ".zip")
	}
	return out
}

// slowServer accepts requests and answers none until the test ends; hit
// is closed at the first request.
func slowServer(t *testing.T) (url string, hit <-chan struct{}) {
	done := make(chan struct{})
	first := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(first) })
		<-done
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) })
	return srv.URL + "/", first
}

const signalChecklist = `schema: selfassess/checklist/v1
id: acme
title: ACME Pay
version: "1"
provider: {name: ACME Pay}
sections:
  - id: web
    title: Web
    controls:
      - id: ACME-HEADERS
        title: Security headers
        requirement: Send the security headers.
        severity: high
        probes: [http.headers]
        questions:
          - id: owner
            prompt: Who owns the web front end?
            type: text
            pass: {not_empty: true}
`

const signalAnswers = `schema: selfassess/answers/v1
checklist: acme
controls:
  ACME-HEADERS:
    answers:
      owner: Head of Platform
`

func TestSignalDuringProbing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts selfassess processes")
	}
	bin := selfassessBin(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run("probe/"+sig.String(), func(t *testing.T) {
			url, hit := slowServer(t)
			r := startSelfassess(t, bin, t.TempDir(), "probe", "--timeout", "60s", url)
			waitFor(t, hit, r)
			code, took := r.stopWith(t, sig, 5*time.Second*raceSlowdown)
			t.Logf("exit %d, %v after %v", code, took.Round(time.Millisecond), sig)
			checkInterrupted(t, r, code, took)
			if r.stdout.Len() > 0 {
				t.Errorf("an interrupted probe printed results:\n%s", r.stdout)
			}
		})
		t.Run("run --ci/"+sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"acme.yaml": signalChecklist, "answers.yaml": signalAnswers})
			out := filepath.Join(dir, "out")
			// the previous package: a run without a target (not ready, exit 1)
			prev := startSelfassess(t, bin, dir, "run", "--ci", "--checklist", "acme.yaml", "--answers", "answers.yaml", "--out", "out")
			<-prev.exited
			if code := prev.cmd.ProcessState.ExitCode(); code != ExitGate {
				t.Fatalf("previous run: exit %d\n%s", code, prev.stderr)
			}
			before := snapshot(t, out)
			if _, ok := before["out.zip"]; !ok {
				t.Fatalf("no previous package: %v", before)
			}

			url, hit := slowServer(t)
			r := startSelfassess(t, bin, dir, "run", "--ci", "--checklist", "acme.yaml", "--answers", "answers.yaml",
				"--out", "out", "--timeout", "60s", "--target", url)
			waitFor(t, hit, r)
			code, took := r.stopWith(t, sig, 5*time.Second*raceSlowdown)
			t.Logf("exit %d, %v after %v", code, took.Round(time.Millisecond), sig)
			checkInterrupted(t, r, code, took)
			after := snapshot(t, out)
			for k, v := range before {
				if after[k] != v {
					t.Errorf("%s changed: %q, was %q", k, after[k], v)
				}
			}
			for k := range after {
				if _, ok := before[k]; !ok {
					t.Errorf("left behind: %s", k)
				}
			}
		})
	}
}

// waitFor waits until the slow server was reached (probing has begun).
func waitFor(t *testing.T, hit <-chan struct{}, r *running) {
	t.Helper()
	select {
	case <-hit:
	case <-r.exited:
		t.Fatalf("exited before probing: %v\nstderr: %s", r.err, r.stderr)
	case <-time.After(30 * time.Second):
		t.Fatalf("the server was never reached\nstderr: %s", r.stderr)
	}
}

// checkInterrupted: exit 3 within a second, one error line saying so.
func checkInterrupted(t *testing.T, r *running, code int, took time.Duration) {
	t.Helper()
	if limit := time.Second * raceSlowdown; took > limit {
		t.Errorf("exited %v after the signal, want within %v", took, limit)
	}
	if code != ExitRuntime {
		t.Errorf("exit code %d, want %d (interrupted)", code, ExitRuntime)
	}
	var errLines []string
	for _, l := range strings.Split(r.stderr.String(), "\n") {
		if strings.HasPrefix(l, "selfassess: error: ") {
			errLines = append(errLines, l)
		}
	}
	if len(errLines) != 1 || !strings.Contains(errLines[0], "interrupted") {
		t.Errorf("want one error line saying interrupted, stderr:\n%s", r.stderr)
	}
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// scriptServer serves a page referencing /big.js, one line of n bytes of
// dense key=value tokens (the input that made the secret scan
// quadratic); served is closed once the script is written.
func scriptServer(t *testing.T, n int) (url string, served <-chan struct{}) {
	var line bytes.Buffer
	for i := 0; line.Len() < n; i++ {
		fmt.Fprintf(&line, `var k%d={apiKey:"%020x",token=%016x};`, i, i*7919, i*104729)
	}
	body := line.Bytes()[:n]
	done := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/big.js" {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><script src="/big.js"></script></html>`)
			return
		}
		w.Header().Set("Content-Type", "text/javascript")
		w.Write(body)
		once.Do(func() { close(done) })
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/", done
}

// TestSignalDuringScan: SIGINT while the secret rules scan a long
// single-line script a target served stops the process within a second.
func TestSignalDuringScan(t *testing.T) {
	if testing.Short() {
		t.Skip("starts selfassess processes")
	}
	bin := selfassessBin(t)
	for _, size := range []int{1 << 20, 8 << 20} {
		t.Run(fmt.Sprintf("%dMiB", size>>20), func(t *testing.T) {
			url, served := scriptServer(t, size)
			r := startSelfassess(t, bin, t.TempDir(), "probe", "--only", "js.secrets", "--timeout", "60s", url)
			waitFor(t, served, r)
			time.Sleep(400 * time.Millisecond) // into the scan
			code, took := r.stopWith(t, syscall.SIGINT, 5*time.Second*raceSlowdown)
			t.Logf("exit %d, %v after SIGINT", code, took.Round(time.Millisecond))
			checkInterrupted(t, r, code, took)
		})
	}
}
