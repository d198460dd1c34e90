// Package cms builds and checks the detached CMS (PKCS #7) SignedData that a
// PDF signature (SubFilter adbe.pkcs7.detached) carries: one signer, SHA-256,
// signed attributes content-type, signing-time, message-digest and ESS
// signing-certificate-v2. Building it here, rather than in the PDF library,
// lets the signing time come from SOURCE_DATE_EPOCH, so the same report and
// key give the same bytes.
package cms

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"time"
)

var (
	oidData                = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidContentType         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningTime         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidSigningCertificate2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	oidSHA256              = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidRSA                 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidECDSAWithSHA256     = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
)

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue // [0] EXPLICIT, built and read by hand
}

type signedData struct {
	Version          int
	DigestAlgorithms []pkix.AlgorithmIdentifier `asn1:"set"`
	EncapContentInfo encapContentInfo
	Certificates     asn1.RawValue `asn1:"optional,tag:0"`
	SignerInfos      []signerInfo  `asn1:"set"`
}

type encapContentInfo struct {
	ContentType asn1.ObjectIdentifier
}

type issuerAndSerial struct {
	Issuer asn1.RawValue
	Serial *big.Int
}

type signerInfo struct {
	Version            int
	SID                issuerAndSerial
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        asn1.RawValue `asn1:"optional,tag:0"`
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
}

type attribute struct {
	Type   asn1.ObjectIdentifier
	Values asn1.RawValue // SET OF
}

// essCertIDv2 with the default hash (SHA-256) leaves hashAlgorithm out.
type essCertIDv2 struct {
	CertHash []byte
}

type signingCertificateV2 struct {
	Certs []essCertIDv2
}

// Sign returns the DER SignedData for content (the PDF's signed byte
// ranges), signed by key for chain[0], with chain[1:] included. The time is
// the signing-time attribute. With a deterministic key (ECDSA per RFC 6979,
// RSA PKCS #1 v1.5) the same inputs give the same bytes.
func Sign(content []byte, chain []*x509.Certificate, key crypto.Signer, at time.Time) ([]byte, error) {
	if len(chain) == 0 {
		return nil, errors.New("no certificate")
	}
	leaf := chain[0]
	sigAlg, err := signatureAlgorithm(key.Public())
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256(content)
	certHash := sha256.Sum256(leaf.Raw)
	attrs, err := marshalAttrs(at, digest[:], certHash[:])
	if err != nil {
		return nil, err
	}
	// The signature covers the attributes encoded as a SET OF (tag 0x31);
	// they are stored under [0] IMPLICIT.
	h := sha256.Sum256(attrs)
	sig, err := key.Sign(nil, h[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	signed := append([]byte(nil), attrs...)
	signed[0] = 0xa0

	var certs []byte
	for _, c := range chain {
		certs = append(certs, c.Raw...)
	}
	si := signerInfo{
		Version:            1,
		SID:                issuerAndSerial{Issuer: asn1.RawValue{FullBytes: leaf.RawIssuer}, Serial: leaf.SerialNumber},
		DigestAlgorithm:    pkix.AlgorithmIdentifier{Algorithm: oidSHA256},
		SignedAttrs:        asn1.RawValue{FullBytes: signed},
		SignatureAlgorithm: sigAlg,
		Signature:          sig,
	}
	sd := signedData{
		Version:          1,
		DigestAlgorithms: []pkix.AlgorithmIdentifier{{Algorithm: oidSHA256}},
		EncapContentInfo: encapContentInfo{ContentType: oidData},
		Certificates:     asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: certs},
		SignerInfos:      []signerInfo{si},
	}
	inner, err := asn1.Marshal(sd)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(contentInfo{ContentType: oidSignedData, Content: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: inner}})
}

func signatureAlgorithm(pub crypto.PublicKey) (pkix.AlgorithmIdentifier, error) {
	switch pub.(type) {
	case *ecdsa.PublicKey:
		return pkix.AlgorithmIdentifier{Algorithm: oidECDSAWithSHA256}, nil
	case *rsa.PublicKey:
		return pkix.AlgorithmIdentifier{Algorithm: oidRSA, Parameters: asn1.NullRawValue}, nil
	}
	return pkix.AlgorithmIdentifier{}, fmt.Errorf("%T keys cannot sign a PDF (ECDSA or RSA only)", pub)
}

func marshalAttrs(at time.Time, digest, certHash []byte) ([]byte, error) {
	scv2, err := asn1.Marshal(signingCertificateV2{Certs: []essCertIDv2{{CertHash: certHash}}})
	if err != nil {
		return nil, err
	}
	values := []struct {
		oid asn1.ObjectIdentifier
		v   any
	}{
		{oidContentType, oidData},
		{oidSigningTime, at.UTC()},
		{oidMessageDigest, digest},
		{oidSigningCertificate2, asn1.RawValue{FullBytes: scv2}},
	}
	var encoded [][]byte
	for _, a := range values {
		v, err := asn1.Marshal(a.v)
		if err != nil {
			return nil, err
		}
		set, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: v})
		if err != nil {
			return nil, err
		}
		b, err := asn1.Marshal(attribute{Type: a.oid, Values: asn1.RawValue{FullBytes: set}})
		if err != nil {
			return nil, err
		}
		encoded = append(encoded, b)
	}
	// DER: a SET OF is sorted by its elements' encodings.
	sort.Slice(encoded, func(i, j int) bool { return bytes.Compare(encoded[i], encoded[j]) < 0 })
	return asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: bytes.Join(encoded, nil)})
}

// Signature is a checked SignedData.
type Signature struct {
	// Chain is the certificates the SignedData carries, signer first.
	Chain []*x509.Certificate
	// SigningTime is the signing-time attribute (zero when absent).
	SigningTime time.Time
}

// Verify checks that der is a SignedData over content: the message digest
// matches and the signer's certificate key signed the attributes. It does
// not judge the certificate's trust; the caller compares its key.
func Verify(der, content []byte) (*Signature, error) {
	var ci contentInfo
	rest, err := asn1.Unmarshal(der, &ci)
	if err != nil {
		return nil, fmt.Errorf("not a CMS structure: %v", err)
	}
	if len(bytes.Trim(rest, "\x00")) != 0 {
		return nil, errors.New("data after the CMS structure")
	}
	if !ci.ContentType.Equal(oidSignedData) || ci.Content.Class != asn1.ClassContextSpecific || ci.Content.Tag != 0 {
		return nil, errors.New("not a CMS SignedData")
	}
	var sd signedData
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		return nil, fmt.Errorf("malformed SignedData: %v", err)
	}
	if len(sd.SignerInfos) != 1 {
		return nil, fmt.Errorf("%d signers, want 1", len(sd.SignerInfos))
	}
	certs, err := x509.ParseCertificates(sd.Certificates.Bytes)
	if err != nil {
		return nil, fmt.Errorf("certificates: %v", err)
	}
	si := sd.SignerInfos[0]
	var leaf *x509.Certificate
	for _, c := range certs {
		if bytes.Equal(c.RawIssuer, si.SID.Issuer.FullBytes) && c.SerialNumber.Cmp(si.SID.Serial) == 0 {
			leaf = c
			break
		}
	}
	if leaf == nil {
		return nil, errors.New("the signer's certificate is not included")
	}
	if !si.DigestAlgorithm.Algorithm.Equal(oidSHA256) {
		return nil, fmt.Errorf("digest algorithm %v, want SHA-256", si.DigestAlgorithm.Algorithm)
	}
	if len(si.SignedAttrs.FullBytes) == 0 {
		return nil, errors.New("no signed attributes")
	}
	var attrs []attribute
	if _, err := asn1.UnmarshalWithParams(si.SignedAttrs.FullBytes, &attrs, "set,tag:0"); err != nil {
		return nil, fmt.Errorf("signed attributes: %v", err)
	}
	out := &Signature{Chain: []*x509.Certificate{leaf}}
	for _, c := range certs {
		if c != leaf {
			out.Chain = append(out.Chain, c)
		}
	}
	var digest []byte
	for _, a := range attrs {
		switch {
		case a.Type.Equal(oidMessageDigest):
			var vals []asn1.RawValue
			if _, err := asn1.UnmarshalWithParams(a.Values.FullBytes, &vals, "set"); err != nil || len(vals) != 1 {
				return nil, errors.New("malformed message-digest attribute")
			}
			if _, err := asn1.Unmarshal(vals[0].FullBytes, &digest); err != nil {
				return nil, errors.New("malformed message-digest attribute")
			}
		case a.Type.Equal(oidSigningTime):
			var vals []asn1.RawValue
			if _, err := asn1.UnmarshalWithParams(a.Values.FullBytes, &vals, "set"); err == nil && len(vals) == 1 {
				var t time.Time
				if _, err := asn1.Unmarshal(vals[0].FullBytes, &t); err == nil {
					out.SigningTime = t
				}
			}
		}
	}
	sum := sha256.Sum256(content)
	if !bytes.Equal(digest, sum[:]) {
		return nil, errors.New("the signed bytes were changed (message digest does not match)")
	}
	set := append([]byte(nil), si.SignedAttrs.FullBytes...)
	set[0] = 0x31
	var alg x509.SignatureAlgorithm
	switch leaf.PublicKey.(type) {
	case *ecdsa.PublicKey:
		alg = x509.ECDSAWithSHA256
	case *rsa.PublicKey:
		alg = x509.SHA256WithRSA
	default:
		return nil, fmt.Errorf("unsupported signer key %T", leaf.PublicKey)
	}
	if err := leaf.CheckSignature(alg, set, si.Signature); err != nil {
		return nil, fmt.Errorf("the signature does not verify: %v", err)
	}
	return out, nil
}
