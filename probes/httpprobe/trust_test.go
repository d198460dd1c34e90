package httpprobe

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/selfassess/selfassess/internal/pki"
	"github.com/selfassess/selfassess/probes"
)

// With --ca-file (cfg.Trust) the chain is verified by our own callback; every
// verdict and message must be the one crypto/tls gives with RootCAs.
func TestTrustVerifiesLikeRootCAs(t *testing.T) {
	now := time.Now()
	ca, err := pki.NewCA("selfassess test CA", now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := pki.NewCA("selfassess test CA", now.Add(-time.Hour), now.Add(time.Hour)) // same name, other key
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue(pki.Leaf{Hosts: []string{"127.0.0.1"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		w.Write([]byte("<html></html>"))
	})
	serve := func(network, addr string) string {
		ln, err := net.Listen(network, addr)
		if err != nil {
			return ""
		}
		srv := httptest.NewUnstartedServer(handler)
		srv.Listener = ln
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
		srv.StartTLS()
		t.Cleanup(srv.Close)
		return srv.URL
	}
	v4 := serve("tcp4", "127.0.0.1:0")
	_, port, _ := net.SplitHostPort(v4[len("https://"):])
	trust, err := probes.NewTrust(ca.CertPEM())
	if err != nil {
		t.Fatal(err)
	}
	strangerTrust, err := probes.NewTrust(stranger.CertPEM())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		url    string
		roots  *x509.CertPool
		trust  *probes.Trust
		failed bool
	}{
		{"trusted", v4, ca.Pool, trust, false},
		{"wrong host name", "https://localhost:" + port, ca.Pool, trust, true},
		{"unknown CA", v4, stranger.Pool, strangerTrust, true},
	}
	if v6 := serve("tcp6", "[::1]:0"); v6 != "" {
		cases = append(cases, struct {
			name   string
			url    string
			roots  *x509.CertPool
			trust  *probes.Trust
			failed bool
		}{"wrong IPv6 address", v6, ca.Pool, trust, true})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ids := []string{"http.hsts"}
			withRoots := run(t, newFamily(), tc.url, ids, testConfig(tc.roots, now))["http.hsts"]
			cfg := testConfig(nil, now)
			cfg.Trust = tc.trust
			withTrust := run(t, newFamily(), tc.url, ids, cfg)["http.hsts"]
			if withRoots.Summary != withTrust.Summary || withRoots.Status != withTrust.Status {
				t.Fatalf("RootCAs: %s %q\nTrust:   %s %q", withRoots.Status, withRoots.Summary, withTrust.Status, withTrust.Summary)
			}
			if failed := withTrust.Status == probes.Error; failed != tc.failed {
				t.Fatalf("status %s (%s), want failed=%v", withTrust.Status, withTrust.Summary, tc.failed)
			}
			t.Log(withTrust.Summary)
		})
	}
}
