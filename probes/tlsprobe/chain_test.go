package tlsprobe

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
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/selfassess/selfassess/internal/testenv"
	"github.com/selfassess/selfassess/probes"
)

// issued is a certificate with its key, for chains the pki package does not make.
type issued struct {
	cert *x509.Certificate
	key  crypto.Signer
}

var serialN int64 = 1000

// mint signs tmpl with parent (nil: self-signed) for a new key (RSA when
// rsaKey, so SHA-1 RSA signatures can be asked for; else ECDSA P-256).
func mint(t testing.TB, tmpl *x509.Certificate, parent *issued, rsaKey bool) *issued {
	t.Helper()
	var key crypto.Signer
	if rsaKey {
		key, _ = rsa.GenerateKey(rand.Reader, 2048)
	} else {
		key, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	return mintWithKey(t, tmpl, parent, key)
}

func mintWithKey(t testing.TB, tmpl *x509.Certificate, parent *issued, key crypto.Signer) *issued {
	t.Helper()
	serialN++
	tmpl.SerialNumber = big.NewInt(serialN)
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = time.Now().Add(-48 * time.Hour)
	}
	if tmpl.NotAfter.IsZero() {
		tmpl.NotAfter = time.Now().Add(365 * 24 * time.Hour)
	}
	pc, pk := tmpl, key
	if parent != nil {
		pc, pk = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, pc, key.Public(), pk)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &issued{c, key}
}

func caTmpl(name string) *x509.Certificate {
	return &x509.Certificate{Subject: pkix.Name{CommonName: name}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
}

func leafTmpl(host string) *x509.Certificate {
	return &x509.Certificate{Subject: pkix.Name{CommonName: host}, IPAddresses: []net.IP{net.ParseIP(host)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
}

// serveChain serves certs (leaf first) with the leaf's key and returns the
// tls.certificate result with roots as the trust.
func serveChain(t *testing.T, roots *x509.CertPool, key crypto.Signer, certs ...*x509.Certificate) probes.Result {
	t.Helper()
	var ders [][]byte
	for _, c := range certs {
		ders = append(ders, c.Raw)
	}
	addr := startGoTLS(t, &tls.Config{Certificates: []tls.Certificate{{Certificate: ders, PrivateKey: key}}})
	return NewFamily().Run(context.Background(), probes.Target{Kind: probes.KindURL, Value: "https://" + addr},
		[]string{"tls.certificate"}, probes.Config{RootCAs: roots, Timeout: 5 * time.Second})[0]
}

func rules(r probes.Result) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Rule)
	}
	return out
}

// rulesExcept is rules without the skipped ones (the OCSP note every
// unstapled test server gets).
func rulesExcept(r probes.Result, skip ...string) []string {
	var out []string
	for _, rule := range rules(r) {
		if !slices.Contains(skip, rule) {
			out = append(out, rule)
		}
	}
	return out
}

func pool(cs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range cs {
		p.AddCert(c)
	}
	return p
}

// The chain problems badssl.com shows one per host, each with its own
// reason instead of one "unknown authority" (issue 12 item 25).
func TestChainProblemsAreNamed(t *testing.T) {
	root := mint(t, caTmpl("Chain Test Root"), nil, true)
	inter := mint(t, caTmpl("Chain Test Intermediate"), root, true)
	leaf := mint(t, leafTmpl("127.0.0.1"), inter, false)

	t.Run("good chain", func(t *testing.T) {
		r := serveChain(t, pool(root.cert), leaf.key, leaf.cert, inter.cert)
		if r.Status != probes.Pass {
			t.Errorf("got %s %q", r.Status, r.Summary)
		}
	})
	t.Run("SHA-1 intermediate", func(t *testing.T) {
		tmpl := caTmpl("SHA-1 Intermediate")
		tmpl.SignatureAlgorithm = x509.SHA1WithRSA
		sha1Inter := mint(t, tmpl, root, true)
		l := mint(t, leafTmpl("127.0.0.1"), sha1Inter, false)
		r := serveChain(t, pool(root.cert), l.key, l.cert, sha1Inter.cert)
		if r.Status != probes.Fail || !slices.Contains(rules(r), "tls-cert-weak-signature") ||
			!strings.Contains(r.Summary, `"CN=SHA-1 Intermediate" is signed with SHA1-RSA`) {
			t.Errorf("got %s %q %v", r.Status, r.Summary, rules(r))
		}
		if strings.Contains(r.Summary, "unknown authority") {
			t.Errorf("a SHA-1 intermediate reported as an unknown authority: %q", r.Summary)
		}
	})
	t.Run("SHA-1 leaf under a good intermediate", func(t *testing.T) {
		tmpl := leafTmpl("127.0.0.1")
		tmpl.SignatureAlgorithm = x509.SHA1WithRSA
		l := mint(t, tmpl, inter, false)
		r := serveChain(t, pool(root.cert), l.key, l.cert, inter.cert)
		if r.Status != probes.Fail || !strings.Contains(r.Summary, "certificate is signed with SHA1-RSA") ||
			strings.Contains(r.Summary, "unknown authority") {
			t.Errorf("got %s %q", r.Status, r.Summary)
		}
	})
	t.Run("intermediate not sent", func(t *testing.T) {
		tmpl := leafTmpl("127.0.0.1")
		tmpl.IssuingCertificateURL = []string{"http://ca.invalid/inter.crt"}
		l := mint(t, tmpl, inter, false)
		r := serveChain(t, pool(root.cert), l.key, l.cert)
		if r.Status != probes.Fail || !slices.Contains(rules(r), "tls-cert-incomplete-chain") ||
			!strings.Contains(r.Summary, `issued by "CN=Chain Test Intermediate", whose certificate was not sent`) ||
			!strings.Contains(r.Summary, "AIA") {
			t.Errorf("got %s %q %v", r.Status, r.Summary, rules(r))
		}
	})
	t.Run("untrusted root sent", func(t *testing.T) {
		r := serveChain(t, x509.NewCertPool(), leaf.key, leaf.cert, inter.cert, root.cert)
		if r.Status != probes.Fail || !slices.Contains(rules(r), "tls-cert-untrusted-root") ||
			!strings.Contains(r.Summary, `root "CN=Chain Test Root", which is not trusted`) {
			t.Errorf("got %s %q %v", r.Status, r.Summary, rules(r))
		}
	})
}

// A CA certificate (basicConstraints CA:TRUE, keyUsage keyCertSign) served
// as the server's own certificate is no server certificate (RFC 5280
// 4.2.1.9, 4.2.1.3; issue 12 item 26), though Go's Verify accepts it.
func TestCACertificateAsLeaf(t *testing.T) {
	root := mint(t, caTmpl("Leaf Test Root"), nil, false)
	tmpl := caTmpl("Served Intermediate")
	tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	inter := mint(t, tmpl, root, false)
	r := serveChain(t, pool(root.cert), inter.key, inter.cert)
	if r.Status != probes.Fail || !slices.Contains(rules(r), "tls-cert-leaf-is-ca") || !slices.Contains(rules(r), "tls-cert-key-usage") {
		t.Errorf("got %s %q %v", r.Status, r.Summary, rules(r))
	}
	f := r.Observed.(CertFacts)
	if f.Subject == "" {
		t.Errorf("facts: leaf_is_ca = false")
	}

	t.Run("self-signed CA certificate trusted directly", func(t *testing.T) {
		// how httptest and many private test servers are made: left alone
		st := caTmpl("Self-signed Server")
		st.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
		st.KeyUsage |= x509.KeyUsageDigitalSignature
		self := mint(t, st, nil, false)
		r := serveChain(t, pool(self.cert), self.key, self.cert)
		if r.Status != probes.Pass || slices.Contains(rules(r), "tls-cert-leaf-is-ca") {
			t.Errorf("got %s %q %v", r.Status, r.Summary, rules(r))
		}
	})
	t.Run("client-auth-only EKU", func(t *testing.T) {
		lt := leafTmpl("127.0.0.1")
		lt.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		l := mint(t, lt, root, false)
		r := serveChain(t, pool(root.cert), l.key, l.cert)
		if r.Status != probes.Fail || !slices.Contains(rules(r), "tls-cert-key-usage") ||
			!strings.Contains(r.Summary, "serverAuth") {
			t.Errorf("got %s %q %v", r.Status, r.Summary, rules(r))
		}
	})
}

// An expired leaf sent with a reissued intermediate (same name and key,
// valid only from after the leaf expired) is expired, not untrusted
// (issue 12 item 27): the chain is sound today, the leaf's dates are not.
func TestExpiredLeafWithReissuedIntermediate(t *testing.T) {
	now := time.Now()
	root := mint(t, caTmpl("Reissue Root"), nil, false)
	interKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	oldT := caTmpl("Reissued Intermediate")
	oldT.NotBefore, oldT.NotAfter = now.Add(-400*24*time.Hour), now.Add(-20*24*time.Hour)
	old := mintWithKey(t, oldT, root, interKey)
	newT := caTmpl("Reissued Intermediate")
	newT.NotBefore, newT.NotAfter = now.Add(-5*24*time.Hour), now.Add(365*24*time.Hour)
	reissued := mintWithKey(t, newT, root, interKey)
	lt := leafTmpl("127.0.0.1")
	lt.NotBefore, lt.NotAfter = now.Add(-300*24*time.Hour), now.Add(-10*24*time.Hour)
	l := mint(t, lt, old, false)

	r := serveChain(t, pool(root.cert), l.key, l.cert, reissued.cert)
	if r.Status != probes.Fail || !slices.Equal(rulesExcept(r, "tls-ocsp-not-stapled"), []string{"tls-cert-expired"}) {
		t.Errorf("got %s %q %v, want only the expiry", r.Status, r.Summary, rules(r))
	}
	if f := r.Observed.(CertFacts); !f.Trusted {
		t.Errorf("trusted = false: %s", f.TrustError)
	}
}

// An MD5-signed leaf under a trusted CA: Go cannot sign with MD5, openssl
// can (issue 12 item 25).
func TestMD5Leaf(t *testing.T) {
	testenv.RequireTool(t, "openssl")
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("openssl", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
	}
	run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=MD5 Test CA", "-days", "3",
		"-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=keyCertSign")
	run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=127.0.0.1")
	if err := os.WriteFile(filepath.Join(dir, "ext"), []byte("subjectAltName=IP:127.0.0.1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-md5", "-days", "2", "-out", "leaf.pem", "-extfile", "ext")
	leafPEM, _ := os.ReadFile(filepath.Join(dir, "leaf.pem"))
	caPEM, _ := os.ReadFile(filepath.Join(dir, "ca.pem"))
	c, err := tls.X509KeyPair(append(leafPEM, caPEM...), must(os.ReadFile(filepath.Join(dir, "leaf.key"))))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	addr := startGoTLS(t, &tls.Config{Certificates: []tls.Certificate{c}})
	r := NewFamily().Run(context.Background(), probes.Target{Kind: probes.KindURL, Value: "https://" + addr},
		[]string{"tls.certificate"}, probes.Config{RootCAs: roots, Timeout: 5 * time.Second})[0]
	if r.Status != probes.Fail || !slices.Equal(rulesExcept(r, "tls-ocsp-not-stapled"), []string{"tls-cert-weak-signature"}) ||
		!strings.Contains(r.Summary, "certificate is signed with MD5-RSA (the chain leads to a trusted root") {
		t.Errorf("got %s %q %v", r.Status, r.Summary, rules(r))
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
