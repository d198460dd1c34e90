package cmd

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/selfassess/selfassess/submission"
)

type keygenOptions struct {
	ios           *IOStreams
	out           string
	passphraseEnv string
	comment       string
	keyType       string
	force         bool
}

func newKeygenCmd(ios *IOStreams) *cobra.Command {
	o := &keygenOptions{ios: ios}
	c := &cobra.Command{
		Use:   "keygen",
		Short: "Write an OpenSSH key pair (ECDSA P-256) for signing packages and report.pdf",
		Long: `keygen writes an OpenSSH key pair: the private key (mode 0600) and PATH.pub
(0644), and prints the public key and its SHA256 fingerprint. Give the .pub
file to your provider's reviewer through a channel they trust. The passphrase,
when wanted, comes from an environment variable, never a flag.

The default type, ecdsa (P-256), signs the package (SSH signature) and
report.pdf (a PDF signature Acrobat and pdfsig show). An ed25519 key signs the
package only: no PDF reader accepts Ed25519 PDF signatures. rsa is 3072 bits.

Exit codes: 0 written, 2 usage error (the files exist, no passphrase),
3 runtime failure.`,
		Example: `  selfassess keygen --out ~/.ssh/selfassess
  SIGNING_PASS=… selfassess keygen --out ci_key --passphrase-env SIGNING_PASS`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error { return runKeygen(o) },
	}
	c.Flags().StringVarP(&o.out, "out", "o", "selfassess_key", "private key `PATH` (the public key goes to PATH.pub)")
	c.Flags().StringVar(&o.passphraseEnv, "passphrase-env", "", "encrypt the private key with the passphrase in environment `VAR`")
	c.Flags().StringVar(&o.comment, "comment", "selfassess", "key `TEXT`")
	c.Flags().StringVarP(&o.keyType, "type", "t", submission.KeyECDSA, "key `TYPE`: "+strings.Join(submission.KeyTypes, ", "))
	c.Flags().BoolVar(&o.force, "force", false, "replace existing key files")
	return c
}

func runKeygen(o *keygenOptions) error {
	kp, err := submission.NewKey{Path: o.out, Type: o.keyType, Comment: o.comment,
		PassphraseEnv: o.passphraseEnv, Force: o.force}.Write(o.ios.Getenv)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.ios.Out, "%s", kp.Public)
	fmt.Fprintf(o.ios.Out, "fingerprint: %s\n", kp.Fingerprint)
	fmt.Fprintf(o.ios.ErrOut, "wrote %s (private, 0600) and %s.pub", o.out, o.out)
	if len(o.passphraseEnv) > 0 {
		fmt.Fprintf(o.ios.ErrOut, "; the private key is encrypted with $%s", o.passphraseEnv)
	}
	fmt.Fprintf(o.ios.ErrOut, "\nsign with: selfassess run --sign-key %s\n", filepath.Clean(o.out))
	if o.keyType == submission.KeyEd25519 {
		fmt.Fprintf(o.ios.ErrOut, "note: an ed25519 key signs the package but not report.pdf (PDF readers refuse Ed25519 signatures)\n")
	}
	return nil
}
