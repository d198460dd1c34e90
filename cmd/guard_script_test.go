package cmd

import (
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/selfassess/selfassess/internal/filelock"
	"github.com/selfassess/selfassess/submission"
)

// countd servers count the requests they receive, so a script can prove
// that no probe ran (`countd-is NAME 0`) and that one did.
var (
	countdMu   sync.Mutex
	countdHits = map[string]*atomic.Int64{} // by $WORK/NAME
)

func init() {
	scriptCmdSet = append(scriptCmdSet, func(m map[string]func(ts *testscript.TestScript, neg bool, args []string)) {
		// countd NAME starts an HTTPS server answering 200 to everything,
		// sets $NAME to its URL and $NAME_CA to a PEM file trusting it.
		m["countd"] = func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 1 {
				ts.Fatalf("usage: countd NAME")
			}
			hits := &atomic.Int64{}
			srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				w.Header().Set("Content-Type", "text/html")
				w.Write([]byte("<html></html>"))
			}))
			ts.Defer(srv.Close)
			key := filepath.Join(ts.Getenv("WORK"), args[0])
			countdMu.Lock()
			countdHits[key] = hits
			countdMu.Unlock()
			ts.Defer(func() {
				countdMu.Lock()
				delete(countdHits, key)
				countdMu.Unlock()
			})
			ca := filepath.Join(ts.Getenv("WORK"), args[0]+"-ca.pem")
			ts.Check(os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644))
			ts.Setenv(args[0], srv.URL+"/")
			ts.Setenv(args[0]+"_CA", ca)
		}
		// countd-is NAME N checks the number of requests NAME received;
		// `! countd-is NAME 0` checks that it received some.
		m["countd-is"] = func(ts *testscript.TestScript, neg bool, args []string) {
			if len(args) != 2 {
				ts.Fatalf("usage: countd-is NAME N")
			}
			want, err := strconv.ParseInt(args[1], 10, 64)
			ts.Check(err)
			countdMu.Lock()
			hits := countdHits[filepath.Join(ts.Getenv("WORK"), args[0])]
			countdMu.Unlock()
			if hits == nil {
				ts.Fatalf("countd-is: no countd server %s", args[0])
			}
			got := hits.Load()
			switch {
			case !neg && got != want:
				ts.Fatalf("%s received %d requests, want %d", args[0], got, want)
			case neg && got == want:
				ts.Fatalf("%s received %d requests", args[0], got)
			}
		}
		// hold-lock DIR holds the package folder DIR's lock (in the test
		// process, so exec'd runs see another holder) until release-lock DIR.
		m["hold-lock"] = func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 1 {
				ts.Fatalf("usage: hold-lock DIR")
			}
			dir := ts.MkAbs(args[0])
			l, err := submission.LockOutput(dir, submission.ZipPathFor(dir))
			ts.Check(err)
			heldMu.Lock()
			held[dir] = l
			heldMu.Unlock()
			ts.Defer(func() { l.Release() })
		}
		m["release-lock"] = func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 1 {
				ts.Fatalf("usage: release-lock DIR")
			}
			dir := ts.MkAbs(args[0])
			heldMu.Lock()
			l := held[dir]
			delete(held, dir)
			heldMu.Unlock()
			if l == nil {
				ts.Fatalf("release-lock: %s is not held", args[0])
			}
			ts.Check(l.Release())
		}
	})
}

var (
	heldMu sync.Mutex
	held   = map[string]*filelock.Lock{}
)
