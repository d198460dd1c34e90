package cmd

import (
	"errors"
	"fmt"
	"time"

	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/selfassess/selfassess/internal/input"
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
	trust, err := teamTrust(o.signer, o.allowedSigners)
	if err != nil {
		return err
	}
	var reviewKeys []submission.AllowedSigner
	if o.review != "" || o.reviewerKeys != "" {
		if o.review == "" || o.reviewerKeys == "" {
			return usageErr("", "--review and --reviewer-keys go together")
		}
		if reviewKeys, err = loadReviewerKeys(o.reviewerKeys); err != nil {
			return err
		}
	}
	var res *submission.Result
	switch encrypted := submission.IsEncrypted(o.path); {
	case encrypted && o.identity == "":
		return usageErr("give your private key with --identity KEY, or decrypt first: age -d -i KEY "+o.path+" > PACKAGE.zip",
			"%s is encrypted with age", o.path)
	case encrypted:
		ids, ierr := o.identities()
		if ierr != nil {
			return ierr
		}
		res, err = submission.VerifyEncrypted(o.path, ids, trust)
	case o.identity != "":
		return usageErr("", "--identity: %s is not encrypted", o.path)
	default:
		res, err = submission.Verify(o.path, trust)
	}
	if err != nil {
		return usageErr("", "%v", err)
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

// verifyReview checks the review of a verified package and prints its
// decision; only an approval still valid today is success.
func verifyReview(o *verifyOptions, pkg *submission.Result, keys []submission.AllowedSigner) error {
	now := time.Now()
	if o.now != nil {
		now = o.now()
	}
	opened, err := review.Open(o.review, keys, now)
	if err == nil {
		err = opened.Review.Binds(pkg.SumsSHA256)
	}
	if errors.As(err, new(*review.VerifyError)) {
		return &ExitError{Code: ExitGate, Err: err}
	} else if err != nil {
		return usageErr("", "--review: %v", pathErr(err))
	}
	r := opened.Review
	w := o.ios.Out
	fmt.Fprintf(w, "review:  %s, signed by %s (checked against %s)\n", o.review, opened.Check.KeyFP, o.reviewerKeys)
	fmt.Fprintf(w, "decision: %s\n", r.Status())
	if ok, why := r.ApprovedAt(now); !ok {
		fmt.Fprintf(w, "result:  NOT APPROVED — %s\n", why)
		return errGate
	}
	fmt.Fprintf(w, "result:  APPROVED until %s\n", r.Decision.ValidUntil)
	return nil
}

// identities reads --identity, asking for an encrypted SSH key's
// passphrase ($SELFASSESS_KEY_PASSPHRASE or the terminal).
func (o *verifyOptions) identities() ([]age.Identity, error) {
	b, err := input.ReadFile(o.identity, 1<<20)
	if err != nil {
		return nil, usageErr("", "--identity: %v", pathErr(err))
	}
	var pass func() ([]byte, error)
	if v := o.ios.Getenv(submission.EnvPassphrase); v != "" {
		pass = func() ([]byte, error) { return []byte(v), nil }
	} else if o.ios.CanPrompt() {
		pass = func() ([]byte, error) { return readPassword(o.ios, "Passphrase for "+o.identity+": ") }
	}
	ids, err := submission.ParseIdentity("--identity "+o.identity, b, pass)
	if err != nil {
		return nil, usageErr("", "%v", err)
	}
	return ids, nil
}

// loadReviewerKeys reads --reviewer-keys (an allowed_signers file).
func loadReviewerKeys(p string) ([]submission.AllowedSigner, error) {
	b, err := readSmall(p)
	if err != nil {
		return nil, usageErr("", "--reviewer-keys: %v", err)
	}
	keys, err := submission.ParseAllowedSigners(p, b)
	if err != nil {
		return nil, usageErr("each line is: selfassess-review namespaces=\"selfassess-review\" KEYTYPE KEY", "--reviewer-keys %v", err)
	}
	return keys, nil
}

// teamTrust is the trust for a submission from --signer or --allowed-signers
// (the package's own allowed_signers when both are empty).
func teamTrust(signer, allowedSigners string) (submission.TrustedKeys, error) {
	if signer != "" && allowedSigners != "" {
		return submission.TrustedKeys{}, usageErr("", "use --signer or --allowed-signers, not both")
	}
	switch {
	case signer != "":
		b, err := readSmall(signer)
		if err != nil {
			return submission.TrustedKeys{}, usageErr("", "--signer: %v", err)
		}
		keys, err := submission.ParsePublicKeys(b)
		if err != nil {
			return submission.TrustedKeys{}, usageErr("give the team's .pub file", "--signer %s: %v", signer, err)
		}
		return submission.TrustedKeys{Keys: keys, Source: "--signer " + signer}, nil
	case allowedSigners != "":
		b, err := readSmall(allowedSigners)
		if err != nil {
			return submission.TrustedKeys{}, usageErr("", "--allowed-signers: %v", err)
		}
		signers, err := submission.ParseAllowedSigners(allowedSigners, b)
		if errors.Is(err, submission.ErrCertAuthority) {
			return submission.TrustedKeys{}, usageErr("", "--allowed-signers %v", err)
		}
		if err != nil {
			return submission.TrustedKeys{}, usageErr("each line is PRINCIPALS [OPTIONS] KEYTYPE KEY; a single .pub file goes to --signer", "--allowed-signers %v", err)
		}
		return submission.TrustedKeys{Signers: signers, Source: "--allowed-signers " + allowedSigners}, nil
	}
	return submission.TrustedKeys{}, nil
}

// readSmall reads a key file of reasonable size.
func readSmall(p string) ([]byte, error) {
	b, err := input.ReadFile(p, 1<<20)
	return b, pathErr(err)
}
