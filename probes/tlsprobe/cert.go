package tlsprobe

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math"
	"net"
	"strings"
	"time"

	"github.com/selfassess/selfassess/probes"
)

// CertFacts are the tls.certificate observations.
type CertFacts struct {
	Subject            string    `json:"subject"`
	SANs               []string  `json:"sans"`
	Issuer             string    `json:"issuer"`
	Chain              []string  `json:"chain"` // subjects, leaf first, as the server sent them
	NotBefore          time.Time `json:"not_before"`
	NotAfter           time.Time `json:"not_after"`
	DaysLeft           int       `json:"days_left"`
	Expired            bool      `json:"expired"`
	NotYetValid        bool      `json:"not_yet_valid"`
	KeyType            string    `json:"key_type"`
	KeyBits            int       `json:"key_bits"`
	SignatureAlgorithm string    `json:"signature_algorithm"`
	Trusted            bool      `json:"trusted"`
	TrustError         string    `json:"trust_error,omitempty"`
	HostnameMatch      bool      `json:"hostname_match"`
	Source             string    `json:"source"` // "handshake" or "raw-flight"
}

// goSuites is every suite crypto/tls implements, insecure ones included, so
// the certificate handshake works against old servers too.
func goSuites() []uint16 {
	var ids []uint16
	for _, s := range tls.CipherSuites() {
		ids = append(ids, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		ids = append(ids, s.ID)
	}
	return ids
}

// FetchChain completes a normal crypto/tls handshake (TLS 1.0–1.3, verifying
// nothing: we verify ourselves) and returns the chain the server sent.
func FetchChain(ctx context.Context, ep Endpoint, opt Options) ([]*x509.Certificate, error) {
	timeout := opt.Timeout
	if opt.slots != nil {
		select {
		case opt.slots <- struct{}{}:
			defer func() { <-opt.slots }()
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	d := tls.Dialer{
		NetDialer: &net.Dialer{Timeout: timeout},
		Config: &tls.Config{
			ServerName: ep.SNI,
			// The handshake only fetches the chain; Inspect checks it with
			// x509 (roots, hostname, dates) and reports each failure as a
			// finding, which a failed handshake could not do.
			InsecureSkipVerify: true, // selfassess:allow: we verify the chain ourselves in Inspect
			MinVersion:         tls.VersionTLS10,
			CipherSuites:       goSuites(),
		},
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := d.DialContext(ctx, "tcp", ep.Addr())
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return conn.(*tls.Conn).ConnectionState().PeerCertificates, nil
}

// ParseChain parses DER certificates.
func ParseChain(ders [][]byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for _, d := range ders {
		c, err := x509.ParseCertificate(d)
		if err != nil {
			return nil, fmt.Errorf("parsing certificate: %v", err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("the server sent no certificate")
	}
	return out, nil
}

// Inspect describes chain[0] and checks it: trust against roots (nil =
// system roots) with the intermediates the server sent, host name (IP SANs
// for IP hosts), and validity at now.
func Inspect(chain []*x509.Certificate, host string, roots *x509.CertPool, now time.Time) CertFacts {
	return inspect(chain, host, probes.Config{RootCAs: roots}.VerifyCert, now)
}

// inspect is Inspect with the trust as a function (probes.Config.VerifyCert).
func inspect(chain []*x509.Certificate, host string, verify func(*x509.Certificate, x509.VerifyOptions) ([][]*x509.Certificate, error), now time.Time) CertFacts {
	leaf := chain[0]
	f := CertFacts{
		Subject:            leaf.Subject.String(),
		Issuer:             leaf.Issuer.String(),
		NotBefore:          leaf.NotBefore.UTC(),
		NotAfter:           leaf.NotAfter.UTC(),
		DaysLeft:           int(math.Floor(leaf.NotAfter.Sub(now).Hours() / 24)),
		SignatureAlgorithm: leaf.SignatureAlgorithm.String(),
	}
	f.Expired = now.After(leaf.NotAfter)
	f.NotYetValid = now.Before(leaf.NotBefore)
	f.SANs = append(f.SANs, leaf.DNSNames...)
	for _, ip := range leaf.IPAddresses {
		f.SANs = append(f.SANs, ip.String())
	}
	if f.SANs == nil {
		f.SANs = []string{}
	}
	for _, c := range chain {
		f.Chain = append(f.Chain, c.Subject.String())
	}
	f.KeyType, f.KeyBits = keyInfo(leaf)
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	opts := x509.VerifyOptions{Intermediates: inter, CurrentTime: now}
	_, err := verify(leaf, opts)
	// An expired (or not yet valid) leaf from a trusted CA is "trusted, but
	// expired": two findings, each with its own reason. So the chain is
	// judged again at the edge of the leaf's validity.
	var ci x509.CertificateInvalidError
	if errors.As(err, &ci) && ci.Reason == x509.Expired && (f.Expired || f.NotYetValid) {
		opts.CurrentTime = leaf.NotAfter.Add(-time.Second)
		if f.NotYetValid {
			opts.CurrentTime = leaf.NotBefore.Add(time.Second)
		}
		_, err = verify(leaf, opts)
	}
	f.Trusted = err == nil
	if err != nil {
		f.TrustError = trustReason(err)
		if len(chain) == 1 && bytes.Equal(leaf.RawIssuer, leaf.RawSubject) && errors.As(err, new(x509.UnknownAuthorityError)) {
			f.TrustError = "self-signed"
		}
	}
	f.HostnameMatch = leaf.VerifyHostname(strings.Trim(host, "[]")) == nil
	return f
}

func trustReason(err error) string {
	var ua x509.UnknownAuthorityError
	var ci x509.CertificateInvalidError
	switch {
	case errors.As(err, &ua):
		return "issued by an unknown authority"
	case errors.As(err, &ci):
		return "invalid certificate in the chain: " + ci.Error()
	}
	return err.Error()
}

func keyInfo(c *x509.Certificate) (string, int) {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen()
	case *ecdsa.PublicKey:
		return "ECDSA", k.Curve.Params().BitSize
	case ed25519.PublicKey:
		return "Ed25519", 256
	}
	return c.PublicKeyAlgorithm.String(), 0
}
