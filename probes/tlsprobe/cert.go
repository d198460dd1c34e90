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
	// ChainProblem names why the chain does not verify: "weak-signature",
	// "incomplete", "untrusted-root", "self-signed" or "" (see TrustError).
	ChainProblem string `json:"chain_problem,omitempty"`
	// WeakSignatures lists the sent certificates signed with SHA-1 or MD5
	// ("leaf: SHA1-RSA", "\"CN=…\": SHA1-RSA"); self-signed roots excluded.
	WeakSignatures []string `json:"weak_signatures,omitempty"`
	LeafIsCA       bool     `json:"leaf_is_ca"`
	SelfSigned     bool     `json:"self_signed"`
	KeyUsage       []string `json:"key_usage,omitempty"`
	ExtKeyUsage    []string `json:"ext_key_usage,omitempty"`
	// UsageProblems say why the leaf's keyUsage/extendedKeyUsage do not
	// allow a TLS server (RFC 5280 4.2.1.3, 4.2.1.12).
	UsageProblems []string `json:"usage_problems,omitempty"`
	Source        string   `json:"source"` // "handshake" or "raw-flight"
	// ClientAuth: "none", "optional", "required", "accepted" or "rejected"
	// (ClientAuth.State); ClientAuthError is the server's refusal.
	ClientAuth      string `json:"client_auth,omitempty"`
	ClientAuthError string `json:"client_auth_error,omitempty"`
	// OCSP is the stapled OCSP response, when the handshake had one; nil
	// for a raw-flight certificate (no stapling seen).
	OCSP *OCSPFacts `json:"ocsp,omitempty"`
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

// ClientAuth is what the certificate handshake learnt about client
// certificates (mutual TLS).
type ClientAuth struct {
	Requested bool   // the server sent a CertificateRequest
	Sent      bool   // we answered with the --client-cert certificate
	Refused   string // the server's refusal after asking, if any
	// Staple is the OCSP response the server stapled (nil: none), when
	// the handshake completed (Completed).
	Staple    []byte
	Completed bool
}

// State is "none" (not asked), "optional" (asked, handshake fine without
// one), "required", "accepted" (ours worked) or "rejected" (ours refused).
func (c ClientAuth) State() string {
	switch {
	case !c.Requested:
		return "none"
	case c.Sent && c.Refused != "":
		return "rejected"
	case c.Sent:
		return "accepted"
	case c.Refused != "":
		return "required"
	}
	return "optional"
}

// clientAuthWait bounds the wait for a TLS 1.3 server's verdict on the
// client certificate: it comes after the client's handshake is complete,
// and a server that accepts it says nothing.
const clientAuthWait = 300 * time.Millisecond

// FetchChain completes a normal crypto/tls handshake (TLS 1.0–1.3, verifying
// nothing: we verify ourselves) and returns the chain the server sent.
func FetchChain(ctx context.Context, ep Endpoint, opt Options) ([]*x509.Certificate, error) {
	chain, _, err := fetchChain(ctx, ep, opt, nil)
	return chain, err
}

// fetchChain is FetchChain presenting client (nil: none) when the server
// asks for a certificate; it reports what came of that. The chain is kept
// even when the server refuses the handshake for want of a certificate.
func fetchChain(ctx context.Context, ep Endpoint, opt Options, client *tls.Certificate) ([]*x509.Certificate, ClientAuth, error) {
	var ca ClientAuth
	timeout := opt.Timeout
	if opt.slots != nil {
		select {
		case opt.slots <- struct{}{}:
			defer func() { <-opt.slots }()
		case <-ctx.Done():
			return nil, ca, ctx.Err()
		}
	}
	var raw [][]byte
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
			VerifyPeerCertificate: func(certs [][]byte, _ [][]*x509.Certificate) error {
				raw = certs
				return nil
			},
			GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
				ca.Requested = true
				if client != nil {
					ca.Sent = true
					return client, nil
				}
				return &tls.Certificate{}, nil
			},
		},
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := d.DialContext(ctx, "tcp", ep.Addr())
	if err != nil {
		if ca.Requested && raw != nil {
			// TLS ≤ 1.2: refused at the end of the handshake, the chain seen
			ca.Refused = oneLine(err.Error())
			chain, perr := ParseChain(raw)
			return chain, ca, perr
		}
		return nil, ca, err
	}
	defer conn.Close()
	tc := conn.(*tls.Conn)
	if ca.Requested && tc.ConnectionState().Version == tls.VersionTLS13 {
		tc.SetReadDeadline(time.Now().Add(min(timeout, clientAuthWait)))
		if _, err := tc.Read(make([]byte, 1)); err != nil && strings.Contains(err.Error(), "remote error") {
			ca.Refused = oneLine(err.Error())
		}
	}
	ca.Staple, ca.Completed = tc.ConnectionState().OCSPResponse, true
	chain, err := ParseChain(raw)
	return chain, ca, err
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
	f.LeafIsCA = leaf.BasicConstraintsValid && leaf.IsCA
	f.SelfSigned = selfSigned(leaf)
	f.KeyUsage, f.ExtKeyUsage, f.UsageProblems = usage(leaf)
	var weakCerts []string
	for i, c := range chain {
		if !weakSig(c.SignatureAlgorithm) || selfSigned(c) {
			continue
		}
		name := "leaf"
		if i > 0 {
			name = fmt.Sprintf("%q", c.Subject.String())
		}
		f.WeakSignatures = append(f.WeakSignatures, name+": "+c.SignatureAlgorithm.String())
		weakCerts = append(weakCerts, fmt.Sprintf("%q", c.Subject.String()))
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	opts := x509.VerifyOptions{Intermediates: inter, CurrentTime: now}
	if len(f.UsageProblems) > 0 {
		// judged by its own finding; trust is about the chain
		opts.KeyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageAny}
	}
	_, err := verify(leaf, opts)
	// An expired (or not yet valid) leaf from a trusted CA is "trusted, but
	// expired": two findings, each with its own reason. So the chain is
	// judged again at the edge of the leaf's validity.
	var ci x509.CertificateInvalidError
	if errors.As(err, &ci) && ci.Reason == x509.Expired && (f.Expired || f.NotYetValid) {
		edge := opts
		edge.CurrentTime = leaf.NotAfter.Add(-time.Second)
		if f.NotYetValid {
			edge.CurrentTime = leaf.NotBefore.Add(time.Second)
		}
		if _, err = verify(leaf, edge); err != nil && anchoredIssuer(leaf, chain[1:], opts, verify) {
			// The intermediate was reissued after the leaf expired (same
			// name and key, later dates): at the leaf's edge it was not
			// valid yet, today it is. The leaf's signature checks against
			// it and it verifies today, so the chain is sound and the leaf
			// is merely expired.
			err = nil
		}
	}
	f.Trusted = err == nil
	if err != nil {
		f.TrustError = trustReason(err)
		if errors.As(err, new(x509.UnknownAuthorityError)) {
			f.ChainProblem, f.TrustError = chainProblem(chain, weakCerts, opts, verify, f.TrustError)
		}
	}
	f.HostnameMatch = leaf.VerifyHostname(strings.Trim(host, "[]")) == nil
	return f
}

// chainProblem says why a chain from an unknown authority does not verify.
func chainProblem(chain []*x509.Certificate, weak []string, opts x509.VerifyOptions, verify func(*x509.Certificate, x509.VerifyOptions) ([][]*x509.Certificate, error), fallback string) (string, string) {
	leaf, top := chain[0], chain[len(chain)-1]
	if len(weak) > 0 {
		// x509 refuses to check SHA-1 and MD5 signatures at all, so such a
		// chain is "unknown authority" whoever signed it. When a sent
		// certificate above the weak ones verifies, the anchor is trusted
		// and the weak signature is the whole problem.
		for _, c := range chain[1:] {
			if weakSig(c.SignatureAlgorithm) {
				continue
			}
			o := opts
			o.KeyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageAny}
			if _, err := verify(c, o); err == nil {
				return "weak-signature", "the chain leads to a trusted root, but verifiers reject SHA-1 and MD5 signatures"
			}
		}
		return "weak-signature", "the chain cannot be verified past " + weak[len(weak)-1] + ": verifiers reject SHA-1 and MD5 signatures"
	}
	if selfSigned(top) {
		if len(chain) == 1 {
			return "self-signed", "self-signed"
		}
		return "untrusted-root", fmt.Sprintf("the chain ends at root %q, which is not trusted", top.Subject.String())
	}
	if len(chain) == 1 && leaf.CheckSignatureFrom(leaf) == nil {
		return "", fallback
	}
	msg := fmt.Sprintf("the chain is incomplete: %q is issued by %q, whose certificate was not sent and is not a trusted root", top.Subject.String(), top.Issuer.String())
	if len(top.IssuingCertificateURL) > 0 {
		msg += "; clients that fetch missing intermediates (AIA: " + top.IssuingCertificateURL[0] + ") may still connect, others fail"
	} else {
		msg += "; the certificate names no AIA issuer URL, so no client can fetch it"
	}
	return "incomplete", msg
}

// anchoredIssuer reports whether a sent certificate signed leaf and
// verifies today on its own.
func anchoredIssuer(leaf *x509.Certificate, sent []*x509.Certificate, opts x509.VerifyOptions, verify func(*x509.Certificate, x509.VerifyOptions) ([][]*x509.Certificate, error)) bool {
	for _, c := range sent {
		if !bytes.Equal(leaf.RawIssuer, c.RawSubject) || leaf.CheckSignatureFrom(c) != nil {
			continue
		}
		o := opts
		o.KeyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageAny}
		if _, err := verify(c, o); err == nil {
			return true
		}
	}
	return false
}

func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

func weakSig(a x509.SignatureAlgorithm) bool {
	s := strings.ToUpper(a.String())
	return strings.Contains(s, "SHA1") || strings.Contains(s, "MD5") || strings.Contains(s, "MD2")
}

var keyUsageNames = []struct {
	bit  x509.KeyUsage
	name string
}{
	{x509.KeyUsageDigitalSignature, "digitalSignature"}, {x509.KeyUsageContentCommitment, "nonRepudiation"},
	{x509.KeyUsageKeyEncipherment, "keyEncipherment"}, {x509.KeyUsageDataEncipherment, "dataEncipherment"},
	{x509.KeyUsageKeyAgreement, "keyAgreement"}, {x509.KeyUsageCertSign, "keyCertSign"},
	{x509.KeyUsageCRLSign, "cRLSign"}, {x509.KeyUsageEncipherOnly, "encipherOnly"}, {x509.KeyUsageDecipherOnly, "decipherOnly"},
}

var extKeyUsageNames = map[x509.ExtKeyUsage]string{
	x509.ExtKeyUsageAny: "any", x509.ExtKeyUsageServerAuth: "serverAuth", x509.ExtKeyUsageClientAuth: "clientAuth",
	x509.ExtKeyUsageCodeSigning: "codeSigning", x509.ExtKeyUsageEmailProtection: "emailProtection",
	x509.ExtKeyUsageTimeStamping: "timeStamping", x509.ExtKeyUsageOCSPSigning: "OCSPSigning",
}

// usage names the leaf's key usages and what keeps them from a TLS server:
// a keyUsage without digitalSignature, keyEncipherment or keyAgreement, or
// an extendedKeyUsage without serverAuth (RFC 5280 4.2.1.3, 4.2.1.12).
func usage(c *x509.Certificate) (ku, eku, problems []string) {
	for _, k := range keyUsageNames {
		if c.KeyUsage&k.bit != 0 {
			ku = append(ku, k.name)
		}
	}
	tlsBits := x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageKeyAgreement
	if c.KeyUsage != 0 && c.KeyUsage&tlsBits == 0 {
		problems = append(problems, "keyUsage ("+strings.Join(ku, ", ")+") allows no TLS server use (digitalSignature, keyEncipherment or keyAgreement)")
	}
	server := false
	for _, e := range c.ExtKeyUsage {
		n, ok := extKeyUsageNames[e]
		if !ok {
			n = fmt.Sprintf("#%d", e)
		}
		eku = append(eku, n)
		server = server || e == x509.ExtKeyUsageServerAuth || e == x509.ExtKeyUsageAny
	}
	for _, oid := range c.UnknownExtKeyUsage {
		eku = append(eku, oid.String())
	}
	if len(eku) > 0 && !server {
		problems = append(problems, "extendedKeyUsage ("+strings.Join(eku, ", ")+") lacks serverAuth")
	}
	return ku, eku, problems
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
