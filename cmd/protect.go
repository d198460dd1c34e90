package cmd

import (
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/report"
	"github.com/selfassess/selfassess/submission"
)

// protectFlags are run's and report --package's flags for the PDF's own
// signature and for encrypting the package to the reviewer.
type protectFlags struct {
	pdfCert   string
	encryptTo []string
	keepPlain bool
}

func (p *protectFlags) bind(f *pflag.FlagSet) {
	f.StringVar(&p.pdfCert, "pdf-cert", "", "PEM `FILE`: a CA-issued certificate for the signing key (then its issuers) for report.pdf's signature; default self-signed")
	f.StringArrayVar(&p.encryptTo, "encrypt-to", nil, "`FILE` of reviewer public keys (ssh-ed25519, ssh-rsa or age1…, one per line): write PACKAGE.zip.age instead of the zip; repeatable")
	f.BoolVar(&p.keepPlain, "keep-plain", false, "with --encrypt-to or reviewer_recipients, keep the plain zip too")
}

// pdfSignature is report.pdf's signature with signer's key: a certificate
// from --pdf-cert, or one self-signed over the key naming the project.
// Without it, note says why in one line (an Ed25519 key, ssh-agent).
func pdfSignature(signer *submission.Signer, proj assessment.Project, date time.Time, pdfCert string) (sig *report.PDFSignature, note string, err error) {
	if signer == nil {
		if pdfCert != "" {
			return nil, "", usageErr("give --sign-key (the key the certificate is for)", "--pdf-cert needs a signing key")
		}
		return nil, "", nil
	}
	key, why := signer.PDFKey()
	if key == nil {
		if pdfCert != "" {
			return nil, "", usageErr("", "--pdf-cert: the signing key cannot sign a PDF: %s", why)
		}
		return nil, why, nil
	}
	name := strings.Trim(proj.Organisation+" / "+proj.Integration, " /")
	if name == "" {
		name = "selfassess " + signer.Fingerprint()
	}
	if pdfCert != "" {
		b, err := readSmall(pdfCert)
		if err != nil {
			return nil, "", usageErr("", "--pdf-cert: %v", err)
		}
		chain, err := submission.ParseCertChain("--pdf-cert "+pdfCert, b, key.Public())
		if err != nil {
			return nil, "", usageErr("", "%v", err)
		}
		if cn := chain[0].Subject.CommonName; cn != "" {
			name = cn
		}
		return &report.PDFSignature{Key: key, Chain: chain, Name: name}, "", nil
	}
	cert, err := submission.CertificateFor(key, proj.Organisation, proj.Integration, date)
	if err != nil {
		return nil, "", runtimeErr("", "making the PDF signing certificate: %v", err)
	}
	return &report.PDFSignature{Key: key, Chain: []*x509.Certificate{cert}, Name: name}, "", nil
}

// recipients reads --encrypt-to files and the config's reviewer_recipients.
func recipients(files, fromConfig []string, configPath string) ([]submission.Recipient, error) {
	var out []submission.Recipient
	for _, f := range files {
		b, err := readSmall(f)
		if err != nil {
			return nil, usageErr("", "--encrypt-to: %v", err)
		}
		rs, err := submission.ParseRecipients(f, b)
		if err != nil {
			return nil, usageErr("", "--encrypt-to %v", err)
		}
		out = append(out, rs...)
	}
	for i, line := range fromConfig {
		r, err := submission.ParseRecipient(line)
		if err != nil {
			return nil, usageErr("", "%s: reviewer_recipients[%d]: %v", configPath, i, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// printEncrypted tells the team what to send and the reviewer how to open it.
func printEncrypted(ios *IOStreams, sum outputSummary) {
	if sum.Encrypted == "" {
		return
	}
	fmt.Fprintf(ios.Out, "Encrypted to %s: send %s\n", strings.Join(sum.EncryptedTo, ", "), sum.Encrypted)
	fmt.Fprintf(ios.Out, "The reviewer opens it with: age -d -i KEY %s > %s   (or: selfassess verify %s --identity KEY)\n",
		sum.Encrypted, strings.TrimSuffix(sum.Encrypted, submission.AgeExt), sum.Encrypted)
}
