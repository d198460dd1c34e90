package tlsprobe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/selfassess/selfassess/internal/pki"
	"github.com/selfassess/selfassess/probes"
)

// clientCert issues a client certificate (EKU clientAuth) from ca.
func clientCert(t *testing.T, ca *testCA) *tls.Certificate {
	t.Helper()
	tmpl := leafTmpl("127.0.0.1")
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	c := mint(t, tmpl, &issued{ca.cert, ca.Key}, false)
	return &tls.Certificate{Certificate: [][]byte{c.cert.Raw}, PrivateKey: c.key}
}

// Mutual-TLS servers (common for payment APIs): the chain is read and
// judged whether or not we hold a client certificate, and the handshake
// with --client-cert is tested (issue 12 item 28).
func TestMutualTLS(t *testing.T) {
	serverCA := newCA(t, "Server CA")
	clientCA := newCA(t, "Client CA")
	other := newCA(t, "Other Client CA")
	good, foreign := clientCert(t, clientCA), clientCert(t, other)
	for _, maxV := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		name := map[uint16]string{tls.VersionTLS12: "TLS1.2", tls.VersionTLS13: "TLS1.3"}[maxV]
		addr := startGoTLS(t, &tls.Config{
			Certificates: []tls.Certificate{serverCA.leaf(t, leafOpts{hosts: []string{"127.0.0.1"}})},
			ClientAuth:   tls.RequireAndVerifyClientCert, ClientCAs: clientCA.pool, MaxVersion: maxV,
		})
		cases := []struct {
			name   string
			cert   *tls.Certificate
			state  string
			status probes.Status
			rule   string
		}{
			{"no client certificate", nil, "required", probes.Pass, "tls-client-cert-required"},
			{"accepted client certificate", good, "accepted", probes.Pass, ""},
			{"client certificate from another CA", foreign, "rejected", probes.Fail, "tls-client-cert-rejected"},
		}
		for _, tc := range cases {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				r := NewFamily().Run(context.Background(), probes.Target{Kind: probes.KindURL, Value: "https://" + addr},
					[]string{"tls.certificate"}, probes.Config{RootCAs: serverCA.pool, ClientCert: tc.cert, Timeout: 5 * time.Second})[0]
				f, ok := r.Observed.(CertFacts)
				if !ok {
					t.Fatalf("got %s %q", r.Status, r.Summary)
				}
				got := strings.Join(rules(r), ",")
				if f.ClientAuth != tc.state || r.Status != tc.status || got != tc.rule || !f.Trusted || f.Source != "handshake" {
					t.Errorf("got %s %q, client_auth %q, rules %q; want %s %q %q", r.Status, r.Summary, f.ClientAuth, got, tc.status, tc.state, tc.rule)
				}
			})
		}
	}
	t.Run("server without client auth", func(t *testing.T) {
		addr := startGoTLS(t, &tls.Config{Certificates: []tls.Certificate{serverCA.leaf(t, leafOpts{hosts: []string{"127.0.0.1"}})}})
		r := NewFamily().Run(context.Background(), probes.Target{Kind: probes.KindURL, Value: "https://" + addr},
			[]string{"tls.certificate"}, probes.Config{RootCAs: serverCA.pool, ClientCert: good, Timeout: 5 * time.Second})[0]
		if r.Status != probes.Pass || strings.Join(rules(r), ",") != "tls-client-cert-not-requested" {
			t.Errorf("got %s %q %v", r.Status, r.Summary, rules(r))
		}
	})
}

func TestLoadClientCert(t *testing.T) {
	ca := newCA(t, "Load CA")
	dir := t.TempDir()
	certFile, keyFile, err := pki.WriteFiles(dir, "client", ca.leaf(t, leafOpts{hosts: []string{"client"}}))
	if err != nil {
		t.Fatal(err)
	}
	if c, err := LoadClientCert(certFile, keyFile); err != nil || c == nil || len(c.Certificate) != 2 {
		t.Fatalf("LoadClientCert = %v, %v", c, err)
	}
	if c, err := LoadClientCert("", ""); c != nil || err != nil {
		t.Errorf("no flags: %v %v", c, err)
	}
	keyPEM, _ := os.ReadFile(keyFile)
	var ce *ClientCertError
	check := func(name, cert, key, flag, want string) {
		t.Helper()
		_, err := LoadClientCert(cert, key)
		if !errors.As(err, &ce) || ce.Flag != flag || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %s … %s", name, err, flag, want)
		}
		if err != nil && strings.Contains(err.Error(), "PRIVATE KEY") || err != nil && strings.Contains(err.Error(), string(keyPEM[30:60])) {
			t.Errorf("%s: the error shows key material: %v", name, err)
		}
	}
	check("cert without key", certFile, "", "--client-cert", "needs --client-key")
	check("key without cert", "", keyFile, "--client-key", "needs --client-cert")
	open := filepath.Join(dir, "open.key")
	os.WriteFile(open, keyPEM, 0o644)
	check("world-readable key", certFile, open, "--client-key", "permissions 0644 let other users read the private key")
	if ce.Hint != "run: chmod 600 "+open {
		t.Errorf("hint = %q", ce.Hint)
	}
	check("missing key", certFile, filepath.Join(dir, "nope.key"), "--client-key", "no such file")
	check("key given as the cert", keyFile, keyFile, "--client-cert", "tls:")
	other := filepath.Join(dir, "other.key")
	otherKey, _ := pki.KeyPEM(clientCert(t, ca).PrivateKey)
	os.WriteFile(other, otherKey, 0o600)
	check("key of another certificate", certFile, other, "--client-cert", "private key does not match public key")
}
