package cmd

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/probes"
)

// Script commands for the report/package scripts:
//
//	results-fixture DEST                     copy testdata/results/finhub-acme.json to DEST
//	results-edit SRC DEST ID=STATUS|-ID|+ID  change control statuses, remove (-) or add (+) controls;
//	                                         sha256=FILE sets the checklist digest to FILE's,
//	                                         version=V the checklist version,
//	                                         probe=FILE replaces (or adds) the probe result
//	                                         of FILE's id and target
//	mkzip OUT NAME=FILE|NAME@>TARGET...      write a zip with the given entries (@> makes a symlink)
//	perm-is FILE MODE                        the file's permission bits are MODE (octal)
//	allowed-signers OUT PUB PREFIX...        write OUT with a line "PREFIX KEY" per prefix, KEY from PUB
func init() {
	scriptCmdSet = append(scriptCmdSet, func(m map[string]func(ts *testscript.TestScript, neg bool, args []string)) {
		m["results-fixture"] = cmdResultsFixture
		m["results-edit"] = cmdResultsEdit
		m["mkzip"] = cmdMkzip
		m["perm-is"] = cmdPermIs
		m["allowed-signers"] = cmdAllowedSigners
	})
}

var fixtureDir, _ = filepath.Abs("../testdata/results")

func cmdResultsFixture(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: results-fixture DEST")
	}
	b, err := os.ReadFile(filepath.Join(fixtureDir, "finhub-acme.json"))
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), b, 0o644))
}

func cmdResultsEdit(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: results-edit SRC DEST ID=STATUS|-ID|+ID...")
	}
	b, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	var r assessment.Results
	ts.Check(json.Unmarshal(b, &r))
	for _, e := range args[2:] {
		switch {
		case strings.HasPrefix(e, "-"):
			var keep []assessment.Control
			for _, c := range r.Controls {
				if c.ID != e[1:] {
					keep = append(keep, c)
				}
			}
			r.Controls = keep
		case strings.HasPrefix(e, "+"):
			r.Controls = append(r.Controls, assessment.Control{ID: e[1:], Section: "web", Title: "Added control " + e[1:],
				Severity: "low", Status: assessment.ControlPass, Answers: []assessment.Answer{}, ProbeRefs: []string{}, Evidence: []assessment.Reason{}})
		case strings.HasPrefix(e, "probe="):
			data, err := os.ReadFile(ts.MkAbs(strings.TrimPrefix(e, "probe=")))
			ts.Check(err)
			var pr probes.Result
			ts.Check(json.Unmarshal(data, &pr))
			i := slices.IndexFunc(r.Probes, func(x probes.Result) bool { return x.ID == pr.ID && x.Target == pr.Target })
			if i < 0 {
				r.Probes = append(r.Probes, pr)
			} else {
				r.Probes[i] = pr
			}
		case strings.HasPrefix(e, "version="):
			r.Checklist.Version = strings.TrimPrefix(e, "version=")
		case strings.HasPrefix(e, "sha256="):
			data, err := os.ReadFile(ts.MkAbs(strings.TrimPrefix(e, "sha256=")))
			ts.Check(err)
			r.Checklist.SHA256 = fmt.Sprintf("%x", sha256.Sum256(data))
		default:
			id, st, ok := strings.Cut(e, "=")
			if !ok {
				ts.Fatalf("bad edit %q", e)
			}
			found := false
			for i := range r.Controls {
				if r.Controls[i].ID == id {
					r.Controls[i].Status = assessment.ControlStatus(st)
					found = true
				}
			}
			if !found {
				ts.Fatalf("no control %s", id)
			}
		}
	}
	out, err := json.MarshalIndent(&r, "", "  ")
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), out, 0o644))
}

func cmdMkzip(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: mkzip OUT NAME=FILE|NAME@>TARGET...")
	}
	f, err := os.Create(ts.MkAbs(args[0]))
	ts.Check(err)
	zw := zip.NewWriter(f)
	for _, e := range args[1:] {
		var name string
		var data []byte
		mode := os.FileMode(0o644)
		if n, target, ok := strings.Cut(e, "@>"); ok {
			name, data, mode = n, []byte(target), os.ModeSymlink|0o777
		} else {
			n, src, ok := strings.Cut(e, "=")
			if !ok {
				ts.Fatalf("bad entry %q", e)
			}
			name = n
			data, err = os.ReadFile(ts.MkAbs(src))
			ts.Check(err)
		}
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		ts.Check(err)
		_, err = w.Write(data)
		ts.Check(err)
	}
	ts.Check(zw.Close())
	ts.Check(f.Close())
}

func cmdPermIs(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: perm-is FILE MODE")
	}
	fi, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	want, err := strconv.ParseUint(args[1], 8, 32)
	ts.Check(err)
	if got := fi.Mode().Perm(); (got == os.FileMode(want)) == neg {
		ts.Fatalf("%s has mode %04o", args[0], got)
	}
}

// File names from an untrusted package never reach the terminal raw: a
// control character would let the package drive the reviewer's terminal.
func TestVerifyQuotesControlCharacters(t *testing.T) {
	p := filepath.Join(t.TempDir(), "evil.zip")
	f, err := os.Create(p)
	require.NoError(t, err)
	zw := zip.NewWriter(f)
	w, err := zw.Create("pkg/SHA256SUMS")
	require.NoError(t, err)
	fmt.Fprintf(w, "%064x  gone\x1b]0;owned\x07.txt\n", 0)
	w, err = zw.Create("pkg/extra\x1b[2J.txt")
	require.NoError(t, err)
	w.Write([]byte("x"))
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
	var out, errOut bytes.Buffer
	code := MainWith([]string{"verify", p}, TestIO(strings.NewReader(""), &out, &errOut, nil))
	assert.Equal(t, ExitGate, code, errOut.String())
	assert.NotContains(t, out.String()+errOut.String(), "\x1b")
	assert.Contains(t, out.String(), `MISSING   "gone\x1b]0;owned\a.txt"`)
	assert.Contains(t, out.String(), `EXTRA     "extra\x1b[2J.txt"`)
}

func cmdAllowedSigners(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 {
		ts.Fatalf("usage: allowed-signers OUT PUB PREFIX...")
	}
	fields := strings.Fields(ts.ReadFile(args[1]))
	if len(fields) < 2 {
		ts.Fatalf("%s: not a public key", args[1])
	}
	var b strings.Builder
	for _, prefix := range args[2:] {
		fmt.Fprintf(&b, "%s %s %s\n", prefix, fields[0], fields[1])
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(b.String()), 0o644))
}
