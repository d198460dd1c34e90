package cmd

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

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
			if os.Getenv("SELFASSESS_REQUIRE_INTEROP") == "1" {
				ts.Fatalf("%s is required (SELFASSESS_REQUIRE_INTEROP=1) but not installed", tool)
			}
			ts.Logf("%s not installed", tool)
		}
	}
}

// scriptCA signs test certificates.
type scriptCA struct {
	cert *x509.Certificate
	key  crypto.Signer
}

func newScriptCA(ts *testscript.TestScript, name string) *scriptCA {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ts.Check(err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-365 * 24 * time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	ts.Check(err)
	cert, err := x509.ParseCertificate(der)
	ts.Check(err)
	return &scriptCA{cert, key}
}

func (ca *scriptCA) leaf(ts *testscript.TestScript, host string, notBefore, notAfter time.Time) tls.Certificate {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	ts.Check(err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: host},
		NotBefore: notBefore, NotAfter: notAfter, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment}
	if ip := net.ParseIP(host); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{host}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	ts.Check(err)
	return tls.Certificate{Certificate: [][]byte{der, ca.cert.Raw}, PrivateKey: key}
}

func writeScriptPEM(ts *testscript.TestScript, path, typ string, der []byte) {
	ts.Check(os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600))
}

func cmdTLSD(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: tlsd NAME good|expired|mismatch|legacy|tls13|plain")
	}
	name, kind := args[0], args[1]
	ca := newScriptCA(ts, name+" test CA")
	writeScriptPEM(ts, ts.MkAbs(name+"-ca.pem"), "CERTIFICATE", ca.cert.Raw)
	now := time.Now()
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	leaf := ca.leaf(ts, "127.0.0.1", now.Add(-time.Hour), now.Add(90*24*time.Hour))
	switch kind {
	case "good":
	case "expired":
		leaf = ca.leaf(ts, "127.0.0.1", now.Add(-60*24*time.Hour), now.Add(-48*time.Hour))
	case "mismatch":
		leaf = ca.leaf(ts, "www.example.com", now.Add(-time.Hour), now.Add(90*24*time.Hour))
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
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				if kind == "plain" {
					c.Read(make([]byte, 4096))
					c.Write([]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"))
					return
				}
				tls.Server(c, cfg).Handshake()
			}()
		}
	}()
	ts.Setenv(name, "https://"+ln.Addr().String())
}

func cmdOSSLD(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 {
		ts.Fatalf("usage: ossld NAME s_server-args...")
	}
	name := args[0]
	ca := newScriptCA(ts, name+" test CA")
	writeScriptPEM(ts, ts.MkAbs(name+"-ca.pem"), "CERTIFICATE", ca.cert.Raw)
	leaf := ca.leaf(ts, "127.0.0.1", time.Now().Add(-time.Hour), time.Now().Add(90*24*time.Hour))
	certFile, keyFile := ts.MkAbs(name+".crt"), ts.MkAbs(name+".key")
	writeScriptPEM(ts, certFile, "CERTIFICATE", leaf.Certificate[0])
	kd, err := x509.MarshalPKCS8PrivateKey(leaf.PrivateKey)
	ts.Check(err)
	writeScriptPEM(ts, keyFile, "PRIVATE KEY", kd)

	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		ts.Check(err)
		addr := ln.Addr().String()
		ln.Close()
		full := append([]string{"s_server", "-quiet", "-www", "-accept", addr, "-cert", certFile, "-key", keyFile}, args[1:]...)
		cmd := exec.Command("openssl", full...)
		logf, err := os.Create(filepath.Join(ts.MkAbs("."), name+"-openssl.log"))
		ts.Check(err)
		cmd.Stdout, cmd.Stderr = logf, logf
		ts.Check(cmd.Start())
		done := make(chan struct{})
		go func() { cmd.Wait(); logf.Close(); close(done) }()
		ts.Defer(func() { cmd.Process.Kill(); <-done })
		if lastErr = waitTCP(addr, 10*time.Second, done); lastErr == nil {
			ts.Setenv(name, "https://"+addr)
			return
		}
	}
	ts.Fatalf("ossld: openssl s_server did not start: %v (see %s-openssl.log)", lastErr, name)
}

func waitTCP(addr string, d time.Duration, exited <-chan struct{}) error {
	deadline := time.Now().Add(d)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("server exited")
		default:
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
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
