package submission

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/assessment"
)

// issueLeaf makes a test CA and a leaf certificate over pub named cn,
// both DER.
func issueLeaf(t *testing.T, pub crypto.PublicKey, cn string) (leaf, ca []byte) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test CA"}, NotBefore: date.AddDate(-1, 0, 0), NotAfter: date.AddDate(5, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	ca, err = x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	require.NoError(t, err)
	caCert, err := x509.ParseCertificate(ca)
	require.NoError(t, err)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: cn},
		NotBefore: date.AddDate(0, -1, 0), NotAfter: date.AddDate(1, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature}
	leaf, err = x509.CreateCertificate(rand.Reader, leafTmpl, caCert, pub, caKey)
	require.NoError(t, err)
	return leaf, ca
}

// issuedChain writes a PEM chain (a leaf over s's PDF key, then its CA)
// and returns its path.
func issuedChain(t *testing.T, s *Signer, cn string) string {
	t.Helper()
	key, _ := s.PDFKey()
	leaf, ca := issueLeaf(t, key.Public(), cn)
	p := filepath.Join(t.TempDir(), "chain.pem")
	b := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf}), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca})...)
	require.NoError(t, os.WriteFile(p, b, 0o644))
	return p
}

// Which certificate signs report.pdf: none without a key; a certificate
// self-signed over the key naming the project; or --pdf-cert's chain,
// named by its leaf. A key that cannot sign a PDF is a note, or the user's
// problem when they asked for --pdf-cert.
func TestPDFSignatureFor(t *testing.T) {
	proj := assessment.Project{Organisation: "Acme Payments GmbH", Integration: "checkout"}
	s := testSigner(t)
	chain := issuedChain(t, s, "Acme-Checkout")

	sig, note, err := PDFSignatureFor(nil, proj, date, "")
	assert.NoError(t, err)
	assert.Nil(t, sig)
	assert.Empty(t, note, "unsigned package: the warning is about the package")
	_, _, err = PDFSignatureFor(nil, proj, date, chain)
	assert.Equal(t, "--pdf-cert needs a signing key", requireProblem(t, err))

	sig, note, err = PDFSignatureFor(s, proj, date, "")
	require.NoError(t, err)
	assert.Empty(t, note)
	require.Len(t, sig.Chain, 1, "self-signed")
	assert.Equal(t, "Acme Payments GmbH / checkout", sig.Name)
	assert.Equal(t, sig.Chain[0].Subject, sig.Chain[0].Issuer)
	key, _ := s.PDFKey()
	assert.True(t, key.Public().(*ecdsa.PublicKey).Equal(sig.Chain[0].PublicKey))
	sig, _, err = PDFSignatureFor(s, assessment.Project{}, date, "")
	require.NoError(t, err)
	assert.Equal(t, "selfassess "+s.Fingerprint(), sig.Name, "a project without names: the key")

	sig, _, err = PDFSignatureFor(s, proj, date, chain)
	require.NoError(t, err)
	require.Len(t, sig.Chain, 2)
	assert.Equal(t, "Acme-Checkout", sig.Name, "the CA-issued certificate's name")

	_, _, err = PDFSignatureFor(testSigner(t), proj, date, chain)
	assert.Contains(t, requireProblem(t, err), "--pdf-cert "+chain+": the first certificate (CN=Acme-Checkout) is not for the signing key")
	missing := filepath.Join(t.TempDir(), "none.pem")
	_, _, err = PDFSignatureFor(s, proj, date, missing)
	assert.Equal(t, "--pdf-cert: "+missing+": no such file or directory", requireProblem(t, err))
	_, _, err = PDFSignatureFor(s, proj, date, t.TempDir())
	assert.Contains(t, requireProblem(t, err), "a directory, not a regular file")

	ed, err := LoadSigner(ed25519Source(t))
	require.NoError(t, err)
	sig, note, err = PDFSignatureFor(ed, proj, date, "")
	assert.NoError(t, err)
	assert.Nil(t, sig)
	assert.True(t, strings.HasPrefix(note, "Ed25519 keys make PDF signatures"), note)
	_, _, err = PDFSignatureFor(ed, proj, date, chain)
	assert.True(t, strings.HasPrefix(requireProblem(t, err), "--pdf-cert: the signing key cannot sign a PDF: Ed25519 keys"))
}

// Recipients come from --encrypt-to files, then the config's
// reviewer_recipients; each error names the file (and line) or the entry.
func TestRecipients(t *testing.T) {
	id1, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	id2, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	id3, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	dir := t.TempDir()
	file := filepath.Join(dir, "reviewers.txt")
	require.NoError(t, os.WriteFile(file, []byte("# reviewers\n"+id1.Recipient().String()+"\n"+id2.Recipient().String()+"\n"), 0o644))

	rs, err := Recipients([]string{file}, []string{id3.Recipient().String()}, "selfassess.yaml")
	require.NoError(t, err)
	var labels []string
	for _, r := range rs {
		labels = append(labels, r.Label)
	}
	assert.Equal(t, []string{id1.Recipient().String(), id2.Recipient().String(), id3.Recipient().String()}, labels)
	rs, err = Recipients(nil, nil, "")
	assert.NoError(t, err)
	assert.Empty(t, rs, "nobody: not encrypted")

	_, err = Recipients(nil, []string{id3.Recipient().String(), "age1notakey"}, "selfassess.yaml")
	assert.True(t, strings.HasPrefix(requireProblem(t, err), "selfassess.yaml: reviewer_recipients[1]: "), err.Error())

	bad := filepath.Join(dir, "bad.txt")
	require.NoError(t, os.WriteFile(bad, []byte(id1.Recipient().String()+"\nhello\n"), 0o644))
	_, err = Recipients([]string{file, bad}, nil, "")
	assert.True(t, strings.HasPrefix(requireProblem(t, err), "--encrypt-to "+bad+":2: not a recipient"), err.Error())

	missing := filepath.Join(dir, "missing.txt")
	_, err = Recipients([]string{missing}, nil, "")
	assert.Equal(t, "--encrypt-to: "+missing+": no such file or directory", requireProblem(t, err))
}
