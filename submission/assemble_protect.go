package submission

import (
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/internal/input"
	"github.com/selfassess/selfassess/report"
)

// maxProtectFile bounds a --pdf-cert or --encrypt-to file (a few keys or
// certificates).
const maxProtectFile = 1 << 20

// PDFSignatureFor is report.pdf's signature with signer's key: the chain
// in the PEM file pdfCert, or a certificate self-signed over the key naming
// the project. When the key cannot sign a PDF (Ed25519, ssh-agent) and no
// chain was asked for, sig is nil and note says why in one line.
func PDFSignatureFor(signer *Signer, proj assessment.Project, date time.Time, pdfCert string) (sig *report.PDFSignature, note string, err error) {
	if signer == nil {
		if pdfCert != "" {
			return nil, "", input.Problemf("give --sign-key (the key the certificate is for)", "--pdf-cert needs a signing key")
		}
		return nil, "", nil
	}
	key, why := signer.PDFKey()
	if key == nil {
		if pdfCert != "" {
			return nil, "", input.Problemf("", "--pdf-cert: the signing key cannot sign a PDF: %s", why)
		}
		return nil, why, nil
	}
	name := strings.Trim(proj.Organisation+" / "+proj.Integration, " /")
	if name == "" {
		name = "selfassess " + signer.Fingerprint()
	}
	if pdfCert != "" {
		b, err := input.ReadFile(pdfCert, maxProtectFile)
		if err != nil {
			return nil, "", input.Problemf("", "--pdf-cert: %v", input.PathErr(err))
		}
		chain, err := ParseCertChain("--pdf-cert "+pdfCert, b, key.Public())
		if err != nil {
			return nil, "", &input.Problem{Err: err}
		}
		if cn := chain[0].Subject.CommonName; cn != "" {
			name = cn
		}
		return &report.PDFSignature{Key: key, Chain: chain, Name: name}, "", nil
	}
	cert, err := CertificateFor(key, proj.Organisation, proj.Integration, date)
	if err != nil {
		return nil, "", fmt.Errorf("making the PDF signing certificate: %v", err)
	}
	return &report.PDFSignature{Key: key, Chain: []*x509.Certificate{cert}, Name: name}, "", nil
}

// Recipients reads the reviewer keys to encrypt to: each of the files
// (--encrypt-to) and each line of the config's reviewer_recipients, whose
// errors name configPath and the entry.
func Recipients(files, fromConfig []string, configPath string) ([]Recipient, error) {
	var out []Recipient
	for _, f := range files {
		b, err := input.ReadFile(f, maxProtectFile)
		if err != nil {
			return nil, input.Problemf("", "--encrypt-to: %v", input.PathErr(err))
		}
		rs, err := ParseRecipients(f, b)
		if err != nil {
			return nil, input.Problemf("", "--encrypt-to %v", err)
		}
		out = append(out, rs...)
	}
	for i, line := range fromConfig {
		r, err := ParseRecipient(line)
		if err != nil {
			return nil, input.Problemf("", "%s: reviewer_recipients[%d]: %v", configPath, i, err)
		}
		out = append(out, r)
	}
	return out, nil
}
