package cmd

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/selfassess/selfassess/internal/localserver"
	"github.com/selfassess/selfassess/internal/pki"
	"github.com/selfassess/selfassess/internal/pki/pkitest"
	"github.com/selfassess/selfassess/internal/testenv"
	"github.com/selfassess/selfassess/probes/tlsprobe/oracle"
)

// TLS servers for the probe_tls*.txtar scripts:
//
//	tlsd NAME KIND      start a crypto/tls server; $NAME is its https URL and
//	                    NAME-ca.pem the CA that signed its certificate.
//	                    KIND: good expired mismatch legacy tls13 plain
//	ossld NAME ARGS...  start `openssl s_server ARGS...` the same way
//	require-interop TOOL...  fail when a tool is missing under SELFASSESS_REQUIRE_INTEROP=1
//	sslscan-match FILE NAME  compare the probe JSON in FILE with sslscan on $NAME
func init() {
	scriptCmdSet = append(scriptCmdSet, func(m map[string]func(ts *testscript.TestScript, neg bool, args []string)) {
		m["tlsd"] = cmdTLSD
		m["ossld"] = cmdOSSLD
		m["require-interop"] = cmdRequireInterop
		m["sslscan-match"] = cmdSSLScanMatch
	})
}

// cmdRequireInterop fails when a tool is missing under
// SELFASSESS_REQUIRE_INTEROP=1; otherwise it only logs, and the script's
// next line skips: `[!exec:TOOL] skip`.
func cmdRequireInterop(ts *testscript.TestScript, neg bool, args []string) {
	for _, tool := range args {
		if _, err := exec.LookPath(tool); err != nil {
			if testenv.Required() {
				ts.Fatalf("%s is required (SELFASSESS_REQUIRE_INTEROP=1) but not installed", tool)
			}
			ts.Logf("%s not installed", tool)
		}
	}
}

// newScriptCA makes a private CA for one script server.
func newScriptCA(ts *testscript.TestScript, name string) *pki.CA {
	ca, err := pki.NewCA(name, time.Now().Add(-365*24*time.Hour), time.Now().Add(365*24*time.Hour))
	ts.Check(err)
	return ca
}

// scriptLeaf is a server certificate with an RSA 2048 key for host.
func scriptLeaf(ts *testscript.TestScript, ca *pki.CA, host string, notBefore, notAfter time.Time) tls.Certificate {
	leaf, err := ca.Issue(pki.Leaf{Hosts: []string{host}, NotBefore: notBefore, NotAfter: notAfter, RSABits: 2048})
	ts.Check(err)
	return leaf
}

func cmdTLSD(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: tlsd NAME good|expired|mismatch|legacy|tls13|plain")
	}
	name, kind := args[0], args[1]
	ca := newScriptCA(ts, name+" test CA")
	ts.Check(os.WriteFile(ts.MkAbs(name+"-ca.pem"), ca.CertPEM(), 0o600))
	now := time.Now()
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	leaf := scriptLeaf(ts, ca, "127.0.0.1", now.Add(-time.Hour), now.Add(90*24*time.Hour))
	switch kind {
	case "good":
	case "expired":
		leaf = scriptLeaf(ts, ca, "127.0.0.1", now.Add(-60*24*time.Hour), now.Add(-48*time.Hour))
	case "mismatch":
		leaf = scriptLeaf(ts, ca, "www.example.com", now.Add(-time.Hour), now.Add(90*24*time.Hour))
	case "legacy":
		cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS10, tls.VersionTLS12
		cfg.CipherSuites = []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_RC4_128_SHA, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA}
	case "tls13":
		cfg.MinVersion = tls.VersionTLS13
	case "plain":
	default:
		ts.Fatalf("tlsd: unknown kind %q", kind)
	}
	cfg.Certificates = []tls.Certificate{leaf}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	ts.Defer(func() { ln.Close() })
	handle := pkitest.Handshake(cfg)
	if kind == "plain" {
		handle = func(c net.Conn) {
			c.Read(make([]byte, 4096))
			c.Write([]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"))
		}
	}
	go pkitest.Serve(ln, 5*time.Second, handle)
	ts.Setenv(name, "https://"+ln.Addr().String())
}

func cmdOSSLD(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 {
		ts.Fatalf("usage: ossld NAME s_server-args...")
	}
	name := args[0]
	ca := newScriptCA(ts, name+" test CA")
	ts.Check(os.WriteFile(ts.MkAbs(name+"-ca.pem"), ca.CertPEM(), 0o600))
	leaf := scriptLeaf(ts, ca, "127.0.0.1", time.Now().Add(-time.Hour), time.Now().Add(90*24*time.Hour))
	leaf.Certificate = leaf.Certificate[:1] // s_server sends the leaf alone
	certFile, keyFile, err := pkitest.WriteFiles(ts.MkAbs("."), name, leaf)
	ts.Check(err)

	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := localserver.FreePort()
		ts.Check(err)
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		full := append([]string{"s_server", "-quiet", "-www", "-accept", addr, "-cert", certFile, "-key", keyFile}, args[1:]...)
		logDir := ts.MkAbs(name + "-log")
		ts.Check(os.MkdirAll(logDir, 0o755))
		p, err := localserver.Start(logDir, "openssl", full...)
		ts.Check(err)
		ts.Defer(p.Stop)
		if lastErr = localserver.WaitListening(addr, 10*time.Second, p.Exited()); lastErr == nil {
			ts.Setenv(name, "https://"+addr)
			return
		}
	}
	ts.Fatalf("ossld: openssl s_server did not start: %v (see %s-log/openssl.log)", lastErr, name)
}

func cmdSSLScanMatch(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: sslscan-match PROBE-JSON-FILE URL")
	}
	ours, err := oracle.FromProbeJSON([]byte(ts.ReadFile(args[0])), true)
	ts.Check(err)
	addr := strings.TrimPrefix(args[1], "https://")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	scan, err := oracle.SSLScan(ctx, addr, "")
	ts.Check(err)
	diff := oracle.Diff(scan, ours)
	if len(diff) > 0 && !neg {
		ts.Fatalf("selfassess and sslscan disagree:\n%s", strings.Join(diff, "\n"))
	}
	if len(diff) == 0 && neg {
		ts.Fatalf("selfassess and sslscan agree")
	}
	ts.Logf("sslscan agrees: versions %v, %d suite lists", scan.Versions, len(scan.Suites))
}

// failingWriter fails every write, as stdout on a full disk does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestProbeOutputWriteFailure: output that cannot be written is a runtime
// failure (exit 3) with one line naming it, in every format, not a pass.
func TestProbeOutputWriteFailure(t *testing.T) {
	for _, args := range [][]string{
		{"probe", "--list"},
		{"probe", "--only", "tls.versions", "--timeout", "1s", "https://127.0.0.1:1/"},
		{"probe", "--only", "tls.versions", "--timeout", "1s", "--format", "json", "https://127.0.0.1:1/"},
	} {
		var stderr bytes.Buffer
		code := MainWith(args, TestIO(strings.NewReader(""), failingWriter{}, &stderr, nil))
		if code != ExitRuntime || !strings.Contains(stderr.String(), "selfassess: error: writing output: no space left on device\n") {
			t.Errorf("%v: exit %d, stderr %q; want %d and a 'writing output' error", args, code, stderr.String(), ExitRuntime)
		}
	}
}
