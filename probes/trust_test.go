package probes

import (
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/selfassess/selfassess/internal/pki"
)

func newCA(t *testing.T, name string) *pki.CA {
	t.Helper()
	now := time.Now()
	ca, err := pki.NewCA(name, now.Add(-time.Hour), now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func leafOf(t *testing.T, ca *pki.CA, host string) *x509.Certificate {
	t.Helper()
	now := time.Now()
	c, err := ca.Issue(pki.Leaf{Hosts: []string{host}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return c.Leaf
}

// The system roots are loaded only when the added CAs do not verify a
// chain, and then the verdict is the whole set's.
func TestTrustLoadsSystemRootsOnlyWhenNeeded(t *testing.T) {
	added, other := newCA(t, "added CA"), newCA(t, "other CA")
	trust, err := NewTrust(added.CertPEM())
	if err != nil {
		t.Fatal(err)
	}
	loads := 0
	trust.all = func() *x509.CertPool { loads++; return other.Pool } // stands in for system+added

	if _, err := trust.Verify(leafOf(t, added, "a.example"), x509.VerifyOptions{DNSName: "a.example"}); err != nil {
		t.Fatalf("chain of the added CA: %v", err)
	}
	if loads != 0 {
		t.Fatalf("system roots loaded %d times for a chain the added CA verifies", loads)
	}
	if _, err := trust.Verify(leafOf(t, other, "b.example"), x509.VerifyOptions{DNSName: "b.example"}); err != nil {
		t.Fatalf("chain of a CA in the whole set: %v", err)
	}
	if loads != 1 {
		t.Fatalf("system roots loaded %d times, want 1", loads)
	}
	// wrong host: the whole set's error, as crypto/x509 gives it
	_, err = trust.Verify(leafOf(t, added, "a.example"), x509.VerifyOptions{DNSName: "c.example"})
	_, want := leafOf(t, added, "a.example").Verify(x509.VerifyOptions{DNSName: "c.example", Roots: other.Pool})
	if err == nil || want == nil || errors.As(err, new(x509.HostnameError)) != errors.As(want, new(x509.HostnameError)) {
		t.Fatalf("wrong host: got %v, want an error like %v", err, want)
	}
	// unknown CA
	_, err = trust.Verify(leafOf(t, newCA(t, "stranger"), "d.example"), x509.VerifyOptions{DNSName: "d.example"})
	if !errors.As(err, new(x509.UnknownAuthorityError)) {
		t.Fatalf("unknown CA: got %v, want x509.UnknownAuthorityError", err)
	}
}

func TestTrustRealSystemRootsKeepAddedCA(t *testing.T) {
	added := newCA(t, "added CA")
	trust, err := NewTrust(added.CertPEM())
	if err != nil {
		t.Fatal(err)
	}
	leaf := leafOf(t, added, "a.example")
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "a.example", Roots: trust.Pool()}); err != nil {
		t.Fatalf("Pool (system + added) does not hold the added CA: %v", err)
	}
	cfg := Config{Trust: trust}
	if _, err := cfg.VerifyCert(leaf, x509.VerifyOptions{DNSName: "a.example"}); err != nil {
		t.Fatalf("Config.VerifyCert with Trust: %v", err)
	}
	cfg = Config{RootCAs: added.Pool}
	if _, err := cfg.VerifyCert(leaf, x509.VerifyOptions{DNSName: "a.example"}); err != nil {
		t.Fatalf("Config.VerifyCert with RootCAs: %v", err)
	}
}

func TestNewTrustRejectsPEMWithoutCertificates(t *testing.T) {
	for _, in := range []string{"", "not pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"} {
		if _, err := NewTrust([]byte(in)); !errors.Is(err, ErrNoCertificates) {
			t.Errorf("NewTrust(%q) = %v, want ErrNoCertificates", in, err)
		}
	}
}
