package cmd

import (
	"crypto/tls"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() {
	scriptCmdSet = append(scriptCmdSet, func(m map[string]func(ts *testscript.TestScript, neg bool, args []string)) {
		m["demosites"] = cmdDemoSites
	})
}

// demosites starts the demo's well-configured and flawed HTTPS sites on
// loopback (real crypto/tls servers), sets $GOOD_URL and $FLAWED_URL, and
// writes their CA to $WORK/ca.pem for --ca-file.
func cmdDemoSites(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: demosites")
	}
	cert, _, err := demoCertificate(time.Now())
	ts.Check(err)
	ca := cert.Certificate[len(cert.Certificate)-1]
	ts.Check(os.WriteFile(filepath.Join(ts.Getenv("WORK"), "ca.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca}), 0o644))
	serve := func(name string, h http.Handler, minVersion uint16, suites []uint16) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		ts.Check(err)
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ErrorLog: quietLog(),
			TLSConfig: &tls.Config{MinVersion: minVersion, CipherSuites: suites, Certificates: []tls.Certificate{cert}}}
		go srv.ServeTLS(ln, "", "")
		ts.Defer(func() { srv.Close() })
		ts.Setenv(name, fmt.Sprintf("https://localhost:%d/", ln.Addr().(*net.TCPAddr).Port))
	}
	serve("GOOD_URL", demoGoodHandler(), tls.VersionTLS12, demoStrongSuites)
	serve("FLAWED_URL", demoFlawedHandler(), tls.VersionTLS10, nil)
}
