package submission

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/selfassess/selfassess/internal/synthetic"
	"github.com/selfassess/selfassess/report"
)

// signedReport renders the synthetic report, signed with key and chain.
func signedReport(t *testing.T, s *Signer, key crypto.Signer, chain []*x509.Certificate) []byte {
	t.Helper()
	opts := report.Options{Date: date, Signer: s.Fingerprint()}
	if key != nil {
		opts.PDFSign = &report.PDFSignature{Key: key, Chain: chain, Name: "Synthetic Org / synthetic"}
	}
	b, err := report.PDF(synthetic.Results(30), opts)
	require.NoError(t, err)
	return b
}

func pdfPackage(t *testing.T, s *Signer, pdf []byte) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "pkg")
	zipPath := ZipPathFor(dir)
	_, err := Build(dir, []File{{Name: "report.pdf", Data: pdf}, {Name: "results.json", Data: []byte("{}\n")}}, nil, Options{Signer: s, Date: date, Zip: zipPath})
	require.NoError(t, err)
	return zipPath
}

func selfSigned(t *testing.T, s *Signer) (crypto.Signer, []*x509.Certificate) {
	t.Helper()
	key, why := s.PDFKey()
	require.NotNil(t, key, why)
	cert, err := CertificateFor(key, "Synthetic Org", "synthetic", date)
	require.NoError(t, err)
	return key, []*x509.Certificate{cert}
}

// TestVerifyChecksEmbeddedPDFSignature: verify reports report.pdf's
// signature valid when its certificate's key signed the package, and fails
// the package when another key signed the PDF.
func TestVerifyChecksEmbeddedPDFSignature(t *testing.T) {
	s := testSigner(t)
	key, chain := selfSigned(t, s)
	zipPath := pdfPackage(t, s, signedReport(t, s, key, chain))
	res, err := Verify(zipPath, trustOf(s))
	require.NoError(t, err)
	assert.True(t, res.OK(), "%+v", res.Problems)
	require.Len(t, res.PDFs, 1)
	pc := res.PDFs[0]
	assert.True(t, pc.Signed && pc.Valid && pc.SelfSigned, "%+v", pc)
	assert.Equal(t, "CN=synthetic,O=Synthetic Org", pc.Subject)
	assert.Equal(t, date, pc.SigningTime)

	other := testSigner(t)
	okey, ochain := selfSigned(t, other)
	res, err = Verify(pdfPackage(t, s, signedReport(t, s, okey, ochain)), trustOf(s))
	require.NoError(t, err)
	assert.False(t, res.OK())
	assert.Contains(t, strings.Join(res.Problems, ";"), "not the package's signing key")
}

// TestVerifyPDFSignatureDetectsChanges: bytes appended after signing, or
// one changed byte of the signed range, are caught even when SHA256SUMS was
// recomputed to match.
func TestVerifyPDFSignatureDetectsChanges(t *testing.T) {
	s := testSigner(t)
	key, chain := selfSigned(t, s)
	pdf := signedReport(t, s, key, chain)
	sig, err := VerifyPDFSignature(pdf)
	require.NoError(t, err)
	require.NotNil(t, sig)

	_, err = VerifyPDFSignature(append(append([]byte(nil), pdf...), "\n% appended\n"...))
	assert.ErrorContains(t, err, "does not cover the whole document")

	changed := append([]byte(nil), pdf...)
	changed[bytes.Index(changed, []byte("/Producer"))+12] ^= 1
	_, err = VerifyPDFSignature(changed)
	assert.ErrorContains(t, err, "message digest does not match")

	res, err := Verify(pdfPackage(t, s, changed), trustOf(s))
	require.NoError(t, err)
	assert.False(t, res.OK())
	assert.Contains(t, strings.Join(res.Problems, ";"), "report.pdf: PDF signature: the signed bytes were changed")
}

// TestEd25519KeySignsPackageNotPDF: an Ed25519 key cannot sign the PDF (no
// reader accepts it); the package is still signed and verifies, and verify
// reports the PDF as unsigned without failing.
func TestEd25519KeySignsPackageNotPDF(t *testing.T) {
	kp, err := GenerateKeyType(KeyEd25519, nil, "")
	require.NoError(t, err)
	s, err := LoadSigner(KeySource{Getenv: func(k string) string {
		if k == EnvSigningKey {
			return string(kp.PrivatePEM)
		}
		return ""
	}})
	require.NoError(t, err)
	key, why := s.PDFKey()
	assert.Nil(t, key)
	assert.Contains(t, why, "Ed25519")
	assert.NotContains(t, why, "\n")

	res, err := Verify(pdfPackage(t, s, signedReport(t, s, nil, nil)), trustOf(s))
	require.NoError(t, err)
	assert.True(t, res.OK(), "%+v", res.Problems)
	require.Len(t, res.PDFs, 1)
	assert.False(t, res.PDFs[0].Signed)
}

// TestKeysSignDeterministically: a loaded ECDSA key gives the same SSH
// signature and certificate twice (RFC 6979), so SOURCE_DATE_EPOCH keeps
// the package byte-identical.
func TestKeysSignDeterministically(t *testing.T) {
	for _, typ := range KeyTypes {
		t.Run(typ, func(t *testing.T) {
			kp, err := GenerateKeyType(typ, nil, "")
			require.NoError(t, err)
			p := filepath.Join(t.TempDir(), "id")
			require.NoError(t, WriteKeyPair(p, kp, false))
			s, err := LoadSigner(KeySource{Path: p})
			require.NoError(t, err)
			a, err := Sign([]byte("sums"), s)
			require.NoError(t, err)
			b, err := Sign([]byte("sums"), s)
			require.NoError(t, err)
			assert.Equal(t, a, b)
			key, _ := s.PDFKey()
			if typ == KeyEd25519 {
				assert.Nil(t, key)
				return
			}
			c1, err := CertificateFor(key, "Org", "int", date)
			require.NoError(t, err)
			c2, err := CertificateFor(key, "Org", "int", date)
			require.NoError(t, err)
			assert.Equal(t, c1.Raw, c2.Raw)
			assert.Equal(t, "CN=int,O=Org", c1.Subject.String())
			pub, err := ssh.NewPublicKey(c1.PublicKey)
			require.NoError(t, err)
			assert.Equal(t, s.Fingerprint(), ssh.FingerprintSHA256(pub), "the certificate is over the signing key")
		})
	}
}

// TestCAIssuedCertificate: --pdf-cert takes a PEM chain whose first
// certificate is over the signing key; pdfsig shows that identity.
func TestCAIssuedCertificate(t *testing.T) {
	s := testSigner(t)
	key, _ := s.PDFKey()
	leafDER, caDER := issueLeaf(t, key.Public(), "Acme Payments GmbH")
	chainPEM := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER}), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})...)

	chain, err := ParseCertChain("chain.pem", chainPEM, key.Public())
	require.NoError(t, err)
	require.Len(t, chain, 2)
	_, err = ParseCertChain("chain.pem", chainPEM, testSigner(t).PublicKey().(ssh.CryptoPublicKey).CryptoPublicKey())
	assert.ErrorContains(t, err, "not for the signing key")
	reversed := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER})...)
	_, err = ParseCertChain("chain.pem", reversed, key.Public())
	assert.ErrorContains(t, err, "first certificate")
	_, err = ParseCertChain("chain.pem", []byte("nothing"), key.Public())
	assert.ErrorContains(t, err, "no PEM certificate")

	pdf := signedReport(t, s, key, chain)
	res, err := Verify(pdfPackage(t, s, pdf), trustOf(s))
	require.NoError(t, err)
	assert.True(t, res.OK(), "%+v", res.Problems)
	assert.False(t, res.PDFs[0].SelfSigned)

	pdfsig := requireTool(t, "pdfsig")
	p := filepath.Join(t.TempDir(), "report.pdf")
	require.NoError(t, os.WriteFile(p, pdf, 0o644))
	out, _ := exec.Command(pdfsig, p).CombinedOutput()
	assert.Contains(t, string(out), "Signature is Valid.", string(out))
	assert.Contains(t, string(out), "Signer Certificate Common Name: Acme Payments GmbH", string(out))
	assert.Contains(t, string(out), "Total document signed", string(out))
}
