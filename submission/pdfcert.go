package submission

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"
)

// deterministicSigner signs with RFC 6979 nonces (ECDSA) or PKCS #1 v1.5
// (RSA), both deterministic, so SOURCE_DATE_EPOCH gives identical
// signatures, certificates and PDFs from run to run.
type deterministicSigner struct{ key crypto.Signer }

func (d deterministicSigner) Public() crypto.PublicKey { return d.key.Public() }

func (d deterministicSigner) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if _, ok := opts.(*rsa.PSSOptions); ok {
		return nil, errors.New("RSA-PSS is not used")
	}
	// crypto/ecdsa: a nil Reader means RFC 6979; RSA PKCS #1 v1.5 uses none.
	return d.key.Sign(nil, digest, opts)
}

// PDFKey says whether s can sign a PDF, and why not. PDF readers (Acrobat,
// poppler's pdfsig/NSS) accept ECDSA and RSA signatures, not Ed25519, and a
// key held by ssh-agent signs SSH messages only, not a CMS digest.
func (s *Signer) PDFKey() (crypto.Signer, string) {
	if s == nil {
		return nil, "no signing key"
	}
	switch k := s.key.(type) {
	case *ecdsa.PrivateKey, *rsa.PrivateKey:
		return deterministicSigner{key: k.(crypto.Signer)}, ""
	case ed25519.PrivateKey, *ed25519.PrivateKey:
		return nil, "Ed25519 keys make PDF signatures that neither Acrobat nor pdfsig accept; 'selfassess keygen' makes an ECDSA P-256 key that signs both"
	}
	if s.From == "ssh-agent" {
		return nil, "the key is in ssh-agent, which cannot sign a PDF; name the private key file with --sign-key"
	}
	return nil, fmt.Sprintf("%s keys cannot sign a PDF (ECDSA or RSA only)", s.PublicKey().Type())
}

// CertificateFor is the self-signed X.509 certificate over key that the
// PDF signature carries: subject O=organisation, CN=integration, so a
// reviewer can match it to the key fingerprint they were given. Its serial
// and validity derive from the key and date, so the same inputs give the
// same certificate.
func CertificateFor(key crypto.Signer, organisation, integration string, date time.Time) (*x509.Certificate, error) {
	pubDER, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return nil, err
	}
	cn := integration
	if cn == "" {
		cn = organisation
	}
	if cn == "" {
		cn = "selfassess signing key"
	}
	subject := pkix.Name{CommonName: cn}
	if organisation != "" {
		subject.Organization = []string{organisation}
	}
	h := sha256.Sum256(append(append(pubDER, []byte(cn+"\x00"+organisation+"\x00")...), []byte(date.UTC().Format(time.RFC3339))...))
	h[0] &= 0x7f // a positive serial of at most 20 octets
	skid := sha256.Sum256(pubDER)
	tmpl := &x509.Certificate{
		SerialNumber:          new(big.Int).SetBytes(h[:16]),
		Subject:               subject,
		NotBefore:             date.UTC().Add(-time.Hour),
		NotAfter:              date.UTC().AddDate(3, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
		BasicConstraintsValid: true,
		SubjectKeyId:          skid[:20],
	}
	der, err := x509.CreateCertificate(nil, tmpl, tmpl, key.Public(), deterministicSigner{key: key})
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// ParseCertChain reads --pdf-cert: PEM certificates, the signing
// certificate first (the one over key), then its issuers. The leaf's public
// key must be the signing key's.
func ParseCertChain(name string, pemData []byte, key crypto.PublicKey) ([]*x509.Certificate, error) {
	var chain []*x509.Certificate
	rest := pemData
	for {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			if bytes.Contains([]byte(blk.Type), []byte("PRIVATE")) {
				return nil, fmt.Errorf("%s holds a private key; give the certificate chain only", name)
			}
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: certificate %d: %v", name, len(chain)+1, err)
		}
		chain = append(chain, c)
	}
	if len(chain) == 0 {
		return nil, fmt.Errorf("%s holds no PEM certificate", name)
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	if e, ok := chain[0].PublicKey.(equaler); !ok || !e.Equal(key) {
		return nil, fmt.Errorf("%s: the first certificate (%s) is not for the signing key; put the certificate issued for --sign-key first", name, chain[0].Subject)
	}
	for i := 1; i < len(chain); i++ {
		if err := chain[i-1].CheckSignatureFrom(chain[i]); err != nil {
			return nil, fmt.Errorf("%s: certificate %d is not issued by certificate %d: %v", name, i, i+1, err)
		}
	}
	return chain, nil
}
