package cmd

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/selfassess/selfassess/review"
	"github.com/selfassess/selfassess/submission"
)

type verifyOptions struct {
	ios            *IOStreams
	path           string
	signer         string
	allowedSigners string
	review         string
	reviewerKeys   string
	now            func() time.Time
	identity       string
}

func newVerifyCmd(ios *IOStreams) *cobra.Command {
	o := &verifyOptions{ios: ios}
	c := &cobra.Command{
		Use:   "verify PACKAGE.zip|DIR",
		Short: "Verify a submission package: every hash, no missing or extra files, the signature",
		Long: `verify checks a submission package (the zip or its folder): every file's
SHA-256 against SHA256SUMS, that no file is missing or extra, and the SSH
signature over SHA256SUMS. Archive entries that escape the folder or are links
are rejected. With --allowed-signers the key must be listed there as
ssh-keygen -Y verify -I selfassess -n selfassess requires: for principal
selfassess (exact, comma-separated lists, * and ? patterns, !negation), within
valid-after/valid-before, and for namespace selfassess when namespaces="…" is
given; cert-authority lines are not supported. Without --signer or
--allowed-signers the signature is checked against the package's own
allowed_signers, which proves integrity only, not who signed it. Exit 0 only
when everything holds; 1 when verification fails; 2 for bad input.

With --review REVIEW --reviewer-keys FILE it then checks the reviewer's
signed review (namespace selfassess-review, a key listed in FILE for
principal selfassess-review), that it names this package's SHA256SUMS digest,
and prints its decision; exit 0 only for an approval still valid today.

report.pdf's embedded PDF signature, when it has one, must verify over the
whole file and its certificate must be over the key that signed SHA256SUMS.
An age-encrypted package (PACKAGE.zip.age) is decrypted in memory with
--identity (the reviewer's SSH private key or age identity file); nothing
is written to disk.`,
		Example: `  selfassess verify acme-package.zip --signer team.pub
  selfassess verify ./acme-package --allowed-signers ~/.ssh/allowed_signers
  selfassess verify acme-package.zip.age --identity ~/.ssh/id_ed25519 --signer team.pub`,
		Args: exactArgs("PACKAGE"),
		RunE: func(c *cobra.Command, args []string) error {
			o.path = args[0]
			return runVerify(o)
		},
	}
	c.Flags().StringVar(&o.signer, "signer", "", "the team's public key `FILE` (authorized_keys format)")
	c.Flags().StringVar(&o.allowedSigners, "allowed-signers", "", "OpenSSH allowed_signers `FILE` naming the trusted keys")
	c.Flags().StringVar(&o.review, "review", "", "a review `PACKAGE` (zip or folder) of this package: print its decision; exit 0 only for a valid approval")
	c.Flags().StringVar(&o.reviewerKeys, "reviewer-keys", "", "allowed_signers `FILE` naming the reviewers' keys (principal selfassess-review)")
	c.Flags().StringVarP(&o.identity, "identity", "i", "", "private key `FILE` (OpenSSH ed25519/RSA or age identity) to decrypt a PACKAGE.zip.age")
	return c
}

func runVerify(o *verifyOptions) error {
	trust, err := submission.LoadTrust(o.signer, o.allowedSigners)
	if err != nil {
		return err
	}
	var reviewKeys []submission.AllowedSigner
	if o.review != "" || o.reviewerKeys != "" {
		if o.review == "" || o.reviewerKeys == "" {
			return usageErr("", "--review and --reviewer-keys go together")
		}
		if reviewKeys, err = review.LoadReviewerKeys(o.reviewerKeys); err != nil {
			return err
		}
	}
	id := submission.IdentitySource{Path: o.identity, Getenv: o.ios.Getenv}
	if o.ios.CanPrompt() {
		id.Prompt = func(prompt string) ([]byte, error) { return readPassword(o.ios, prompt) }
	}
	res, err := submission.VerifyPackage(o.path, trust, id)
	if err != nil {
		return err
	}
	w := o.ios.Out
	fmt.Fprintf(w, "package: %s", o.path)
	if res.Decrypted {
		fmt.Fprint(w, " (decrypted in memory)")
	}
	fmt.Fprintln(w)
	res.WriteReport(w)
	if !res.OK() {
		return errGate
	}
	if !res.IdentityProven {
		fmt.Fprintf(o.ios.ErrOut, "selfassess: warning: this proves integrity, not identity; compare %s with the team's key or pass --signer\n", res.KeyFP)
	}
	if o.review == "" {
		return nil
	}
	return verifyReview(o, res, reviewKeys)
}

// verifyReview prints the decision of the review of a verified package
// (review.CheckApproval's); only an approval still valid today is success.
func verifyReview(o *verifyOptions, pkg *submission.Result, keys []submission.AllowedSigner) error {
	if o.now == nil {
		o.now = time.Now
	}
	a, err := review.CheckApproval(o.review, keys, pkg.SumsSHA256, o.now())
	if errors.As(err, new(*review.VerifyError)) {
		return &ExitError{Code: ExitGate, Err: err}
	} else if err != nil {
		return err
	}
	for _, l := range a.Lines(o.reviewerKeys) {
		fmt.Fprintln(o.ios.Out, l)
	}
	if !a.Approved {
		return errGate
	}
	return nil
}
