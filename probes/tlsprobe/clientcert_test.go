package tlsprobe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

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
				got := strings.Join(rulesExcept(r, "tls-ocsp-not-stapled"), ",")
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
		if r.Status != probes.Pass || strings.Join(rulesExcept(r, "tls-ocsp-not-stapled"), ",") != "tls-client-cert-not-requested" {
			t.Errorf("got %s %q %v", r.Status, r.Summary, rules(r))
		}
	})
}

func TestLoadClientCert(t *testing.T) {
	ca := newCA(t, "Load CA")
	dir := t.TempDir()
	certFile, keyFile := writePEM(t, dir, "client", ca.leaf(t, leafOpts{hosts: []string{"client"}}))
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

// OCSP stapling: revocation is judged from the stapled response only (the
// CA's responder is a third party the probes do not contact), and a missing
// staple says that revocation went unchecked (issue 12 item 28).
func TestOCSPStapling(t *testing.T) {
	root := mint(t, caTmpl("OCSP Root"), nil, false)
	inter := mint(t, caTmpl("OCSP Intermediate"), root, false)
	newLeaf := func(must bool) *issued {
		tmpl := leafTmpl("127.0.0.1")
		tmpl.OCSPServer = []string{"http://ocsp.invalid"}
		if must {
			tmpl.ExtraExtensions = []pkix.Extension{{Id: oidTLSFeature, Value: []byte{0x30, 0x03, 0x02, 0x01, 0x05}}}
		}
		return mint(t, tmpl, inter, false)
	}
	staple := func(l *issued, status int, next time.Time) []byte {
		der, err := ocsp.CreateResponse(inter.cert, inter.cert, ocsp.Response{Status: status, SerialNumber: l.cert.SerialNumber,
			ThisUpdate: time.Now().Add(-time.Hour), NextUpdate: next, RevokedAt: time.Now().Add(-2 * time.Hour)}, inter.key)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	week := time.Now().Add(7 * 24 * time.Hour)
	plain, must := newLeaf(false), newLeaf(true)
	cases := []struct {
		name   string
		leaf   *issued
		staple []byte
		status probes.Status
		rule   string
		ocsp   string
	}{
		{"good staple", plain, staple(plain, ocsp.Good, week), probes.Pass, "", "good"},
		{"revoked staple", plain, staple(plain, ocsp.Revoked, week), probes.Fail, "tls-cert-revoked", "revoked"},
		{"expired staple", plain, staple(plain, ocsp.Good, time.Now().Add(-time.Minute)), probes.Warn, "tls-ocsp-staple-invalid", "good"},
		{"no staple", plain, nil, probes.Pass, "tls-ocsp-not-stapled", ""},
		{"must-staple without a staple", must, nil, probes.Fail, "tls-ocsp-must-staple", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := startGoTLS(t, &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{tc.leaf.cert.Raw, inter.cert.Raw},
				PrivateKey: tc.leaf.key, OCSPStaple: tc.staple}}})
			r := NewFamily().Run(context.Background(), probes.Target{Kind: probes.KindURL, Value: "https://" + addr},
				[]string{"tls.certificate"}, probes.Config{RootCAs: pool(root.cert), Timeout: 5 * time.Second})[0]
			f := r.Observed.(CertFacts)
			if r.Status != tc.status || strings.Join(rules(r), ",") != tc.rule || f.OCSP == nil || f.OCSP.Status != tc.ocsp {
				t.Errorf("got %s %q %v %+v", r.Status, r.Summary, rules(r), f.OCSP)
			}
			if tc.rule == "tls-ocsp-not-stapled" && !strings.Contains(r.Findings[0].Message, "http://ocsp.invalid") {
				t.Errorf("finding does not name the responder it did not contact: %q", r.Findings[0].Message)
			}
		})
	}
}
