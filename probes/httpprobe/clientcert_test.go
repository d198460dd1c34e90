package httpprobe

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/selfassess/selfassess/internal/pki"
	"github.com/selfassess/selfassess/probes"
)

// A payment API that requires mutual TLS: with --client-cert/--client-key
// (cfg.ClientCert) the HTTP probes must present the certificate, as the TLS
// probes do, or they cannot reach the site at all.
func TestMutualTLSTarget(t *testing.T) {
	now := time.Now()
	ca, err := pki.NewCA("selfassess client CA", now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	client, err := ca.Issue(pki.Leaf{Hosts: []string{"team.example"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		w.Write([]byte("<html></html>"))
	}))
	// Any certificate: pki issues server-auth leaves; what matters is that one is sent.
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAnyClientCert}
	srv.StartTLS()
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())

	cfg := testConfig(pool, now)
	without := run(t, newFamily(), srv.URL+"/", []string{"http.hsts"}, cfg)
	if got := without["http.hsts"].Status; got != probes.Error {
		t.Fatalf("without a client certificate: %s (%s), want error", got, without["http.hsts"].Summary)
	}
	cfg.ClientCert = &client
	with := run(t, newFamily(), srv.URL+"/", []string{"http.hsts"}, cfg)
	if got := with["http.hsts"].Status; got != probes.Pass {
		t.Errorf("with the client certificate: %s (%s), want pass", got, with["http.hsts"].Summary)
	}
}
