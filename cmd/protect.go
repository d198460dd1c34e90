package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

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

// printEncrypted tells the team what to send and the reviewer how to open it.
func printEncrypted(ios *IOStreams, sum outputSummary) {
	if sum.Encrypted == "" {
		return
	}
	fmt.Fprintf(ios.Out, "Encrypted to %s: send %s\n", strings.Join(sum.EncryptedTo, ", "), sum.Encrypted)
	fmt.Fprintf(ios.Out, "The reviewer opens it with: age -d -i KEY %s > %s   (or: selfassess verify %s --identity KEY)\n",
		sum.Encrypted, strings.TrimSuffix(sum.Encrypted, submission.AgeExt), sum.Encrypted)
}
