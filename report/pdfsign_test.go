package report

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/go-pdf/fpdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/internal/cms"
)

// rfc6979 signs ECDSA deterministically (a nil Reader), as submission's key does.
type rfc6979 struct{ crypto.Signer }

func (d rfc6979) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return d.Signer.Sign(nil, digest, opts)
}

func testSignature(t testing.TB, key crypto.Signer) *PDFSignature {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "acme-checkout", Organization: []string{"Acme Payments GmbH"}},
		NotBefore: date.AddDate(0, 0, -1), NotAfter: date.AddDate(3, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(nil, tmpl, tmpl, key.Public(), rfc6979{key})
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return &PDFSignature{Key: rfc6979{key}, Chain: []*x509.Certificate{cert}, Name: "Acme Payments GmbH / acme-checkout"}
}

// pdfsig runs poppler's pdfsig on b and returns its output.
func pdfsig(t *testing.T, b []byte) string {
	t.Helper()
	tool := requireTool(t, "pdfsig")
	p := filepath.Join(t.TempDir(), "report.pdf")
	require.NoError(t, os.WriteFile(p, b, 0o644))
	out, _ := exec.Command(tool, p).CombinedOutput() // exits non-zero for an invalid signature
	return string(out)
}

// TestPDFSignatureAcceptedByPdfsig: poppler (NSS) calls the signature valid
// and whole-document for ECDSA and RSA keys, RSA-3072 included
// (digitorus/pdfsign produced "Not total document signed" for it: its
// placeholder had no room for a 384-byte signature and its retry appended
// a second update; the placeholder here is sized from a trial signature).
func TestPDFSignatureAcceptedByPdfsig(t *testing.T) {
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	rsa2048, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	rsa3072, err := rsa.GenerateKey(rand.Reader, 3072)
	require.NoError(t, err)
	for name, key := range map[string]crypto.Signer{"ecdsa-p256": p256, "ecdsa-p384": p384, "rsa-2048": rsa2048, "rsa-3072": rsa3072} {
		t.Run(name, func(t *testing.T) {
			b, err := PDF(load(t), Options{Date: date, Signer: "SHA256:AbCdEf", PDFSign: testSignature(t, key)})
			require.NoError(t, err)
			out := pdfsig(t, b)
			assert.Contains(t, out, "Signature Validation: Signature is Valid.", out)
			assert.Contains(t, out, "Total document signed", out)
			assert.NotContains(t, out, "Not total document signed", out)
			assert.Contains(t, out, "Signer Certificate Common Name: acme-checkout", out)
			assert.Contains(t, out, "Signing Time: Nov 21 2026", out)
			assert.Equal(t, 1, strings.Count(out, "Signature #"), out)
		})
	}
}

// TestPDFSignatureDetectsChangedByte: one changed byte inside the signed
// range makes pdfsig (and our own check) call the signature invalid.
func TestPDFSignatureDetectsChangedByte(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	b, err := PDF(load(t), Options{Date: date, Signer: "SHA256:AbCdEf", PDFSign: testSignature(t, key)})
	require.NoError(t, err)
	require.Contains(t, pdfsig(t, b), "Signature is Valid.")

	// A byte of the report's own text, well inside the first signed range.
	i := bytes.Index(b, []byte("/Title"))
	require.Positive(t, i)
	bad := append([]byte(nil), b...)
	bad[i+8] ^= 0x01
	out := pdfsig(t, bad)
	assert.Contains(t, out, "Signature Validation: Digest Mismatch.", out)

	// The same with our verifier's CMS check over the byte ranges.
	br := byteRange(t, bad)
	content := append(append([]byte(nil), bad[:br[1]]...), bad[br[2]:]...)
	_, err = cms.Verify(contents(t, bad, br), content)
	assert.ErrorContains(t, err, "message digest does not match")
	good := append(append([]byte(nil), b[:br[1]]...), b[br[2]:]...)
	_, err = cms.Verify(contents(t, b, br), good)
	assert.NoError(t, err)
}

// TestPDFSignatureDeterministic: the same results, key and date give the
// same signed bytes (RFC 6979 nonces, signing time from the date).
func TestPDFSignatureDeterministic(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	sig := testSignature(t, key)
	a, err := PDF(load(t), Options{Date: date, Signer: "SHA256:x", PDFSign: sig})
	require.NoError(t, err)
	b, err := PDF(load(t), Options{Date: date, Signer: "SHA256:x", PDFSign: sig})
	require.NoError(t, err)
	assert.True(t, bytes.Equal(a, b), "two signed renders differ")
	// An incremental update: the rendered report is untouched in front.
	plain, _, err := renderPDF(load(t), Options{Date: date, Signer: "SHA256:x", PDFSign: sig})
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(a, plain), "the signature must be appended, not rewrite the report")
}

func TestPDFSignatureRefusesEd25519(t *testing.T) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: date, NotAfter: date.AddDate(1, 0, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, priv.Public(), priv)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	_, err = PDF(load(t), Options{Date: date, Signer: "SHA256:x", PDFSign: &PDFSignature{Key: priv, Chain: []*x509.Certificate{cert}, Name: "x"}})
	assert.ErrorContains(t, err, "ECDSA or RSA only")
}

func TestPDFSignatureBlockText(t *testing.T) {
	pdftotext := requireTool(t, "pdftotext")
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	b, err := PDF(load(t), Options{Date: date, Signer: "SHA256:AbCdEfFingerprint", PDFSign: testSignature(t, key)})
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "report.pdf")
	require.NoError(t, os.WriteFile(p, b, 0o644))
	out, err := exec.Command(pdftotext, "-layout", p, "-").Output()
	require.NoError(t, err)
	pages := strings.Split(string(out), "\f")
	last := strings.Join(strings.Fields(pages[len(pages)-2]), " ") // text ends with a form feed
	for _, want := range []string{"Signer: Acme Payments GmbH / acme-checkout", "Key fingerprint: SHA256:AbCdEfFingerprint", "Signed: 2026-11-21", "digital signature"} {
		assert.Contains(t, last, want)
	}
}

func byteRange(t *testing.T, b []byte) []int {
	t.Helper()
	i := bytes.LastIndex(b, []byte("/ByteRange ["))
	require.Positive(t, i)
	var br [4]int
	_, err := fmt.Sscan(string(b[i+len("/ByteRange ["):i+80]), &br[0], &br[1], &br[2], &br[3])
	require.NoError(t, err)
	return br[:]
}

func contents(t *testing.T, b []byte, br []int) []byte {
	t.Helper()
	der := make([]byte, (br[2]-br[1]-2)/2)
	_, err := hex.Decode(der, b[br[1]+1:br[2]-1])
	require.NoError(t, err)
	return der // zero padding follows the DER
}

// TestPDFSignatureKeepsLinks: a last page that already has annotations
// (links) keeps them, and the signature still covers the whole file.
func TestPDFSignatureKeepsLinks(t *testing.T) {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCreationDate(date)
	f.SetModificationDate(date)
	f.AddPage()
	f.SetFont("Helvetica", "", 12)
	f.WriteLinkString(6, "provider", "https://provider.example/")
	var buf bytes.Buffer
	require.NoError(t, f.Output(&buf))
	require.Contains(t, buf.String(), "/Annots [")
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	b, err := signPDF(buf.Bytes(), testSignature(t, key), sigField{llx: 50, lly: 50, urx: 250, ury: 80, placed: true}, date)
	require.NoError(t, err)
	out := pdfsig(t, b)
	assert.Contains(t, out, "Signature is Valid.", out)
	assert.Contains(t, out, "Total document signed", out)
	// The rewritten page keeps the inline link (whose /Rect holds brackets)
	// and adds the signature field after it.
	update := string(b[len(buf.Bytes()):])
	assert.Regexp(t, `/Annots \[<</Type /Annot /Subtype /Link /Rect \[[^\]]+\] /Border \[0 0 0\] /A <</S /URI /URI \(https://provider.example/\)>>>> \d+ 0 R\]`, update)
	// poppler sees both annotations on the page
	if pdfinfo, err := exec.LookPath("pdfinfo"); err == nil {
		p := filepath.Join(t.TempDir(), "l.pdf")
		require.NoError(t, os.WriteFile(p, b, 0o644))
		out, err := exec.Command(pdfinfo, "-url", p).CombinedOutput()
		require.NoError(t, err, string(out))
		assert.Contains(t, string(out), "https://provider.example/")
	}
}
