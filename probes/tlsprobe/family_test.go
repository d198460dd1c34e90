package tlsprobe

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/selfassess/selfassess/probes"
)

func runFamily(t *testing.T, url string, cfg probes.Config) map[string]probes.Result {
	t.Helper()
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	rs := NewFamily().Run(context.Background(), probes.Target{Kind: probes.KindURL, Value: url}, NewFamily().IDs(), cfg)
	out := map[string]probes.Result{}
	for _, r := range rs {
		if _, err := json.Marshal(r); err != nil {
			t.Fatalf("%s: observed not JSON-marshalable: %v", r.ID, err)
		}
		if strings.Contains(r.Summary, "\n") {
			t.Errorf("%s: summary is not one line: %q", r.ID, r.Summary)
		}
		out[r.ID] = r
	}
	if len(out) != 3 {
		t.Fatalf("got %d results, want 3", len(out))
	}
	return out
}

func suiteNames(t *testing.T, r probes.Result, version string) []string {
	t.Helper()
	obs := r.Observed.(CiphersObserved)
	for _, v := range obs.Versions {
		if v.Version == version {
			var names []string
			for _, s := range v.Suites {
				names = append(names, s.Name)
			}
			slices.Sort(names)
			return names
		}
	}
	return nil
}

func TestGoServerLegacySuites(t *testing.T) {
	ca := newCA(t, "Test CA")
	addr := startGoTLS(t, &tls.Config{
		Certificates: []tls.Certificate{ca.leaf(t, leafOpts{hosts: []string{"127.0.0.1"}, rsaBits: 2048})},
		MinVersion:   tls.VersionTLS10,
		MaxVersion:   tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_RC4_128_SHA, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA},
	})
	rs := runFamily(t, "https://"+addr, probes.Config{RootCAs: ca.pool})

	v := rs["tls.versions"]
	obs := v.Observed.(VersionsObserved)
	if got := strings.Join(obs.Offered, " "); got != "TLS1.0 TLS1.1 TLS1.2" {
		t.Fatalf("offered = %q", got)
	}
	if v.Status != probes.Fail || len(v.Findings) != 2 {
		t.Errorf("tls.versions = %s with %d findings, want fail with 2 (TLS1.0, TLS1.1)", v.Status, len(v.Findings))
	}

	c := rs["tls.ciphers"]
	want12 := []string{"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
		"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_RC4_128_SHA"}
	if got := suiteNames(t, c, "TLS1.2"); !slices.Equal(got, want12) {
		t.Errorf("TLS1.2 suites = %v, want %v", got, want12)
	}
	want10 := []string{"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_RC4_128_SHA"}
	if got := suiteNames(t, c, "TLS1.0"); !slices.Equal(got, want10) {
		t.Errorf("TLS1.0 suites = %v, want %v", got, want10)
	}
	if c.Status != probes.Fail {
		t.Errorf("tls.ciphers = %s, want fail (RC4, 3DES)", c.Status)
	}
	if !strings.Contains(c.Summary, "server enforces its order") {
		t.Errorf("summary %q does not report the server's order (Go servers enforce theirs)", c.Summary)
	}
	// connections: accepted suites + one refusal per chunk per version, one
	// order check per version with several suites, one SSLv2 hello.
	accepted := 5 + 3 + 3
	minimum := accepted + 1 + 1 + 3 // SSLv2, SSLv3, a refusal per TLS version
	if obs.Connections < minimum || obs.Connections > minimum+12 {
		t.Errorf("connections = %d, want between %d and %d", obs.Connections, minimum, minimum+12)
	}

	cert := rs["tls.certificate"]
	if cert.Status != probes.Pass {
		t.Errorf("tls.certificate = %s: %s", cert.Status, cert.Summary)
	}
	f := cert.Observed.(CertFacts)
	if f.KeyType != "RSA" || f.KeyBits != 2048 || !f.HostnameMatch || !f.Trusted {
		t.Errorf("certificate facts = %+v", f)
	}
}

func TestGoServerTLS13Only(t *testing.T) {
	ca := newCA(t, "Test CA")
	addr := startGoTLS(t, &tls.Config{
		Certificates: []tls.Certificate{ca.leaf(t, leafOpts{hosts: []string{"127.0.0.1"}})},
		MinVersion:   tls.VersionTLS13,
	})
	rs := runFamily(t, "https://"+addr, probes.Config{RootCAs: ca.pool})
	if got := strings.Join(rs["tls.versions"].Observed.(VersionsObserved).Offered, " "); got != "TLS1.3" {
		t.Fatalf("offered = %q", got)
	}
	if rs["tls.versions"].Status != probes.Pass {
		t.Errorf("tls.versions = %s", rs["tls.versions"].Status)
	}
	want := []string{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}
	if got := suiteNames(t, rs["tls.ciphers"], "TLS1.3"); !slices.Equal(got, want) {
		t.Errorf("TLS1.3 suites = %v, want %v", got, want)
	}
	if rs["tls.ciphers"].Status != probes.Pass || rs["tls.certificate"].Status != probes.Pass {
		t.Errorf("ciphers %s (%s), certificate %s (%s)", rs["tls.ciphers"].Status, rs["tls.ciphers"].Summary,
			rs["tls.certificate"].Status, rs["tls.certificate"].Summary)
	}
}

func TestBadServersAreErrors(t *testing.T) {
	const timeout = 300 * time.Millisecond
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	deadAddr := dead.Addr().String()
	dead.Close()
	cases := []struct {
		name   string
		addr   string
		reason string
	}{
		{"plain HTTP", startRaw(t, func(c net.Conn) {
			c.Read(make([]byte, 1024))
			c.Write([]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"))
		}), `not a TLS server: it answered "HTTP/1.1 400 Bad"`},
		{"closes at once", startRaw(t, func(c net.Conn) {}), "closed the connection without answering"},
		{"garbage", startRaw(t, func(c net.Conn) {
			c.Read(make([]byte, 1024))
			c.Write([]byte{0x16, 0x03, 0x03, 0x00, 0x04, 0x0e, 0x00, 0x00, 0x00}) // ServerHelloDone first
		}), "expected a ServerHello"},
		{"never answers", startRaw(t, func(c net.Conn) { c.Read(make([]byte, 1)); time.Sleep(3 * timeout) }), "no answer within 300ms"},
		{"nothing listening", deadAddr, "cannot connect"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rs := runFamily(t, "https://"+tc.addr, probes.Config{Timeout: timeout})
			for id, r := range rs {
				if r.Status != probes.Error {
					t.Errorf("%s = %s (%s), want error", id, r.Status, r.Summary)
				}
			}
			if s := rs["tls.versions"].Summary; !strings.Contains(s, tc.reason) {
				t.Errorf("tls.versions summary %q does not contain %q", s, tc.reason)
			}
		})
	}
}

func TestPlainHTTPTargetIsSkipped(t *testing.T) {
	rs := runFamily(t, "http://127.0.0.1:1", probes.Config{})
	for id, r := range rs {
		if r.Status != probes.Skipped || !strings.Contains(r.Summary, "plain http://") {
			t.Errorf("%s = %s %q", id, r.Status, r.Summary)
		}
	}
}

func TestCertificateProblems(t *testing.T) {
	ca := newCA(t, "Test CA")
	other := newCA(t, "Someone Else's CA")
	now := time.Now()
	cases := []struct {
		name   string
		ca     *testCA
		opts   leafOpts
		host   string
		status probes.Status
		reason string
	}{
		{"good, IP SAN", ca, leafOpts{hosts: []string{"127.0.0.1"}}, "127.0.0.1", probes.Pass, ""},
		{"good, DNS name", ca, leafOpts{hosts: []string{"localhost"}}, "localhost", probes.Pass, ""},
		{"expired", ca, leafOpts{hosts: []string{"127.0.0.1"}, notBefore: now.Add(-60 * 24 * time.Hour), notAfter: now.Add(-24 * time.Hour)}, "127.0.0.1", probes.Fail, "certificate expired on"},
		{"not yet valid", ca, leafOpts{hosts: []string{"127.0.0.1"}, notBefore: now.Add(24 * time.Hour), notAfter: now.Add(60 * 24 * time.Hour)}, "127.0.0.1", probes.Fail, "not valid before"},
		{"hostname mismatch", ca, leafOpts{hosts: []string{"www.example.com"}}, "127.0.0.1", probes.Fail, "does not match the host name (SANs: www.example.com)"},
		{"untrusted issuer", other, leafOpts{hosts: []string{"127.0.0.1"}}, "127.0.0.1", probes.Fail, "not trusted: issued by an unknown authority"},
		{"weak RSA key", ca, leafOpts{hosts: []string{"127.0.0.1"}, rsaBits: 1024}, "127.0.0.1", probes.Fail, "RSA key of 1024 bits"},
		{"expiring soon", ca, leafOpts{hosts: []string{"127.0.0.1"}, notAfter: now.Add(10 * 24 * time.Hour)}, "127.0.0.1", probes.Warn, "certificate expires in 9 days"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := startGoTLS(t, &tls.Config{Certificates: []tls.Certificate{tc.ca.leaf(t, tc.opts)}})
			_, port, _ := net.SplitHostPort(addr)
			r := NewFamily().Run(context.Background(), probes.Target{Kind: probes.KindURL, Value: "https://" + net.JoinHostPort(tc.host, port)},
				[]string{"tls.certificate"}, probes.Config{RootCAs: ca.pool, Timeout: 5 * time.Second})[0]
			if r.Status != tc.status || !strings.Contains(r.Summary, tc.reason) {
				t.Errorf("got %s %q, want %s containing %q", r.Status, r.Summary, tc.status, tc.reason)
			}
		})
	}
}

func TestCertificateUntrustedWithSystemRoots(t *testing.T) {
	ca := newCA(t, "Private CA")
	addr := startGoTLS(t, &tls.Config{Certificates: []tls.Certificate{ca.leaf(t, leafOpts{hosts: []string{"127.0.0.1"}})}})
	r := NewFamily().Run(context.Background(), probes.Target{Kind: probes.KindURL, Value: "https://" + addr},
		[]string{"tls.certificate"}, probes.Config{Timeout: 5 * time.Second})[0]
	if r.Status != probes.Fail || !strings.Contains(r.Summary, "unknown authority") {
		t.Errorf("private CA without RootCAs: %s %q, want fail naming the unknown authority", r.Status, r.Summary)
	}
}
