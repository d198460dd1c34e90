package tlsprobe

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"io"
	"math/big"
	"net"
	"slices"
	"strings"
	"sync"
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
	if got := strings.Join(rules(v), ","); v.Status != probes.Fail || got != "tls-legacy-version,tls-legacy-version,tls-grade" {
		t.Errorf("tls.versions = %s with findings %s, want fail with TLS1.0, TLS1.1 and the grade", v.Status, got)
	}
	if g := obs.Grade; g == nil || g.Grade != "C" || !slices.Equal(slices.Sorted(slices.Values(g.Caps)), []string{"B: TLS1.0 offered", "B: TLS1.1 offered", "C: 64-bit block cipher suite (Sweet32)", "C: RC4 suite"}) {
		t.Errorf("grade = %+v", g)
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
	// connections: the elimination minimum is the accepted suites, plus one
	// refusal per offered version and one per refused version. On top: the
	// refusals of the extra 120-suite chunks (TLS1.0 and 1.1: 1 each, TLS1.2:
	// 2), the certificate handshake, an order check for each of the
	// three versions with several suites, and the TLS 1.2 DHE offer
	// without ffdhe groups (RFC 7919 §4).
	accepted := 5 + 3 + 3
	minimum := accepted + 3 + 3
	t.Logf("connections = %d, minimum %d", obs.Connections, minimum)
	if obs.Connections < minimum || obs.Connections > minimum+4+1+3+1 {
		t.Errorf("connections = %d, want between %d and %d", obs.Connections, minimum, minimum+9)
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
	// port 1 (tcpmux) is closed on any test machine; a freed ephemeral port
	// could be reused by the servers below
	deadAddr := "127.0.0.1:1"
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
		{"stalls mid-handshake", startRaw(t, func(c net.Conn) {
			c.Read(make([]byte, 4096))
			// a record announcing 2000 bytes of handshake, then the start of a ServerHello
			c.Write([]byte{0x16, 0x03, 0x03, 0x07, 0xd0, 0x02, 0x00, 0x07, 0xcc, 0x03, 0x03})
			time.Sleep(3 * timeout)
		}), "no answer within 300ms"},
		{"resets at once", startRaw(t, func(c net.Conn) {
			c.(*net.TCPConn).SetLinger(0)
		}), "closed the connection without answering|connection reset by peer"}, // the RST may beat the connect
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
			s := rs["tls.versions"].Summary
			if !slices.ContainsFunc(strings.Split(tc.reason, "|"), func(r string) bool { return strings.Contains(s, r) }) {
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
		{"untrusted issuer", other, leafOpts{hosts: []string{"127.0.0.1"}}, "127.0.0.1", probes.Fail, "not trusted: the chain ends at root \"CN=Someone Else's CA\", which is not trusted"},
		{"weak RSA key", ca, leafOpts{hosts: []string{"127.0.0.1"}, rsaBits: 1024}, "127.0.0.1", probes.Fail, "RSA key of 1024 bits"},
		{"SHA-1 signature", ca, leafOpts{hosts: []string{"127.0.0.1"}, sigAlg: x509.ECDSAWithSHA1}, "127.0.0.1", probes.Fail, "certificate is signed with ECDSA-SHA1"},
		{"expiring soon", ca, leafOpts{hosts: []string{"127.0.0.1"}, notAfter: now.Add(10 * 24 * time.Hour)}, "127.0.0.1", probes.Warn, "certificate expires in 9 days"},
		{"expiring within a day", ca, leafOpts{hosts: []string{"127.0.0.1"}, notAfter: now.Add(20 * time.Hour)}, "127.0.0.1", probes.Warn, "certificate expires in less than a day"},
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
			// every case but the foreign CA is signed by the trusted CA: the
			// date or name problem must not be reported as distrust too
			// (x509 rightly refuses to verify a SHA-1 signature at all)
			if tc.ca == ca && tc.opts.sigAlg == 0 && strings.Contains(r.Summary, "not trusted") {
				t.Errorf("trusted chain reported untrusted: %q", r.Summary)
			}
		})
	}
}

func TestCertificateUntrustedWithSystemRoots(t *testing.T) {
	ca := newCA(t, "Private CA")
	addr := startGoTLS(t, &tls.Config{Certificates: []tls.Certificate{ca.leaf(t, leafOpts{hosts: []string{"127.0.0.1"}})}})
	r := NewFamily().Run(context.Background(), probes.Target{Kind: probes.KindURL, Value: "https://" + addr},
		[]string{"tls.certificate"}, probes.Config{Timeout: 5 * time.Second})[0]
	if r.Status != probes.Fail || !strings.Contains(r.Summary, `root "CN=Private CA", which is not trusted`) {
		t.Errorf("private CA without RootCAs: %s %q, want fail naming the untrusted root", r.Status, r.Summary)
	}
}

func TestAncientServer(t *testing.T) {
	// SSLv2 and SSLv3 only: no local server speaks them any more.
	addr := startRaw(t, fakeServer{
		versions: []Version{VersionSSL30},
		suites:   map[Version][]uint16{VersionSSL30: {0x0004, 0x000a, 0x0035}},
		sslv2:    []uint32{0x010080, 0x0700c0},
	}.serve)
	rs := runFamily(t, "https://"+addr, probes.Config{})
	v := rs["tls.versions"]
	if got := strings.Join(v.Observed.(VersionsObserved).Offered, " "); got != "SSLv2 SSLv3" {
		t.Fatalf("offered = %q", got)
	}
	if v.Status != probes.Fail || !strings.Contains(v.Findings[len(v.Findings)-1].Message, "neither TLS 1.2 nor TLS 1.3") {
		t.Errorf("tls.versions = %s %+v", v.Status, v.Findings)
	}
	if got := suiteNames(t, rs["tls.ciphers"], "SSLv3"); !slices.Equal(got, []string{"TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_RC4_128_MD5"}) {
		t.Errorf("SSLv3 suites = %v", got)
	}
	if got := suiteNames(t, rs["tls.ciphers"], "SSLv2"); !slices.Equal(got, []string{"SSL_CK_DES_192_EDE3_CBC_WITH_MD5", "SSL_CK_RC4_128_WITH_MD5"}) {
		t.Errorf("SSLv2 suites = %v", got)
	}
	if rs["tls.ciphers"].Status != probes.Fail {
		t.Errorf("tls.ciphers = %s", rs["tls.ciphers"].Status)
	}
	// no certificate in this fake: an error naming the cause, not a crash
	if c := rs["tls.certificate"]; c.Status != probes.Error || !strings.HasPrefix(c.Summary, "cannot fetch the certificate") {
		t.Errorf("tls.certificate = %s %q", c.Status, c.Summary)
	}
}

func TestCertificateFromRawFlight(t *testing.T) {
	// crypto/tls cannot talk SSLv3: the chain is read from the clear-text
	// handshake flight instead.
	ca := newCA(t, "Old CA")
	leaf := ca.leaf(t, leafOpts{hosts: []string{"127.0.0.1"}, rsaBits: 2048})
	addr := startRaw(t, fakeServer{
		versions: []Version{VersionSSL30},
		suites:   map[Version][]uint16{VersionSSL30: {0x002f}},
		chain:    leaf.Certificate,
	}.serve)
	rs := runFamily(t, "https://"+addr, probes.Config{RootCAs: ca.pool})
	c := rs["tls.certificate"]
	f, ok := c.Observed.(CertFacts)
	if !ok {
		t.Fatalf("tls.certificate = %s %q", c.Status, c.Summary)
	}
	if c.Status != probes.Pass || f.Source != "raw-flight" || !f.Trusted || f.KeyBits != 2048 || len(f.Chain) != 2 {
		t.Errorf("tls.certificate = %s %q, facts %+v", c.Status, c.Summary, f)
	}
}

func TestHelloRetryRequestStillNamesTheSuite(t *testing.T) {
	addr := startRaw(t, fakeServer{
		versions: []Version{VersionTLS12, VersionTLS13},
		suites: map[Version][]uint16{
			VersionTLS12: {0xc02f},
			VersionTLS13: {0x1302, 0x1301},
		},
		hrr: true,
	}.serve)
	rs := runFamily(t, "https://"+addr, probes.Config{})
	if got := suiteNames(t, rs["tls.ciphers"], "TLS1.3"); !slices.Equal(got, []string{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"}) {
		t.Errorf("TLS1.3 suites = %v", got)
	}
	if rs["tls.versions"].Status != probes.Pass {
		t.Errorf("tls.versions = %s %q", rs["tls.versions"].Status, rs["tls.versions"].Summary)
	}
	obs := rs["tls.ciphers"].Observed.(CiphersObserved)
	for _, v := range obs.Versions {
		if v.Version == "TLS1.3" && (v.ServerOrder == nil || !*v.ServerOrder) {
			t.Errorf("TLS1.3 server order = %v, want enforced", v.ServerOrder)
		}
	}
}

func TestSNIOnlyForHostnames(t *testing.T) {
	got := make(chan string, 64)
	addr := startRaw(t, func(c net.Conn) {
		hdr := make([]byte, 5)
		if _, err := io.ReadFull(c, hdr); err != nil || hdr[0] != recordHandshake {
			return
		}
		body := make([]byte, int(hdr[3])<<8|int(hdr[4]))
		io.ReadFull(c, body)
		ch, _ := parseClientHello(body[4:])
		select {
		case got <- ch.sni:
		default:
		}
		c.Write(alertRecord(40))
	})
	_, port, _ := net.SplitHostPort(addr)
	NewFamily().Run(context.Background(), probes.Target{Kind: probes.KindURL, Value: "https://localhost:" + port}, []string{"tls.versions"}, probes.Config{Timeout: 2 * time.Second})
	if sni := <-got; sni != "localhost" {
		t.Errorf("SNI for a hostname = %q", sni)
	}
	for len(got) > 0 {
		<-got
	}
	NewFamily().Run(context.Background(), probes.Target{Kind: probes.KindURL, Value: "https://127.0.0.1:" + port}, []string{"tls.versions"}, probes.Config{Timeout: 2 * time.Second})
	if sni := <-got; sni != "" {
		t.Errorf("SNI for an IP = %q, want none", sni)
	}
}

func TestConnectionLimitPerHost(t *testing.T) {
	var mu sync.Mutex
	open, peak := 0, 0
	srv := fakeServer{versions: []Version{VersionTLS12}, suites: map[Version][]uint16{VersionTLS12: {0xc02f, 0xc030, 0x009c, 0x002f}}}
	addr := startRaw(t, func(c net.Conn) {
		mu.Lock()
		open++
		peak = max(peak, open)
		mu.Unlock()
		time.Sleep(5 * time.Millisecond) // let connections overlap
		// a connection counts as open until the server answers: after
		// that the client may close it and start another
		w := &onWrite{Conn: c, f: func() { mu.Lock(); open--; mu.Unlock() }}
		srv.serve(w)
		w.once.Do(w.f) // closed without an answer
	})
	runFamily(t, "https://"+addr, probes.Config{PerHost: 2})
	mu.Lock()
	defer mu.Unlock()
	// the certificate handshake shares the limit with the enumeration; the
	// limit is reached too (one connection at a time would also stay under it)
	if peak != 2 {
		t.Errorf("peak concurrent connections = %d with PerHost 2, want 2", peak)
	}
}

func TestContextCancelStopsQuickly(t *testing.T) {
	addr := startRaw(t, func(c net.Conn) { c.Read(make([]byte, 1)); time.Sleep(2 * time.Second) })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan []probes.Result)
	go func() {
		done <- NewFamily().Run(ctx, probes.Target{Kind: probes.KindURL, Value: "https://" + addr}, NewFamily().IDs(), probes.Config{Timeout: time.Minute})
	}()
	cancel()
	for _, r := range <-done {
		if r.Status != probes.Error {
			t.Errorf("%s = %s after cancel", r.ID, r.Status)
		}
	}
}

func TestSelfSignedCertificate(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(99), Subject: pkix.Name{CommonName: "self"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(90 * 24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	addr := startGoTLS(t, &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})
	r := NewFamily().Run(context.Background(), probes.Target{Kind: probes.KindURL, Value: "https://" + addr},
		[]string{"tls.certificate"}, probes.Config{Timeout: 5 * time.Second, RootCAs: x509.NewCertPool()})[0]
	if r.Status != probes.Fail || r.Summary != "certificate is not trusted: self-signed" {
		t.Errorf("got %s %q", r.Status, r.Summary)
	}
}

// onWrite calls f once, before the first Write.
type onWrite struct {
	net.Conn
	f    func()
	once sync.Once
}

func (c *onWrite) Write(p []byte) (int, error) {
	c.once.Do(c.f)
	return c.Conn.Write(p)
}
