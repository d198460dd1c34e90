package tlsprobe

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"testing"
	"time"

	"github.com/selfassess/selfassess/internal/pki"
	"github.com/selfassess/selfassess/internal/pki/pkitest"
)

// testCA is a private CA for test certificates.
type testCA struct {
	*pki.CA
	cert *x509.Certificate
	pool *x509.CertPool
}

func newCA(t testing.TB, name string) *testCA {
	t.Helper()
	ca, err := pki.NewCA(name, time.Now().Add(-48*time.Hour), time.Now().Add(10*365*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{ca, ca.Cert, ca.Pool}
}

// leafOpts describe a test leaf certificate.
type leafOpts struct {
	hosts     []string // DNS names or IPs
	notBefore time.Time
	notAfter  time.Time
	rsaBits   int // 0: ECDSA P-256
	sigAlg    x509.SignatureAlgorithm
}

func (ca *testCA) leaf(t testing.TB, o leafOpts) tls.Certificate {
	t.Helper()
	if o.notBefore.IsZero() {
		o.notBefore = time.Now().Add(-24 * time.Hour)
	}
	if o.notAfter.IsZero() {
		o.notAfter = time.Now().Add(90 * 24 * time.Hour)
	}
	c, err := ca.Issue(pki.Leaf{Hosts: o.hosts, NotBefore: o.notBefore, NotAfter: o.notAfter, RSABits: o.rsaBits, SignatureAlgorithm: o.sigAlg})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// writePEM writes the certificate chain and key as PEM files for openssl/nginx.
func writePEM(t testing.TB, dir, name string, c tls.Certificate) (certFile, keyFile string) {
	t.Helper()
	certFile, keyFile, err := pkitest.WriteFiles(dir, name, c)
	if err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// startGoTLS serves TLS handshakes with cfg on a loopback port until the
// test ends and returns host:port.
func startGoTLS(t testing.TB, cfg *tls.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go pkitest.Serve(ln, 5*time.Second, pkitest.Handshake(cfg))
	return ln.Addr().String()
}

// startRaw serves each connection with handle on a loopback port.
func startRaw(t testing.TB, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close() })
	go pkitest.Serve(ln, 0, func(c net.Conn) {
		select {
		case <-done:
		default:
			handle(c)
		}
	})
	return ln.Addr().String()
}
