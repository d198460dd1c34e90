package cmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/internal/input"
	"github.com/selfassess/selfassess/interview"
	"github.com/selfassess/selfassess/review"
	"github.com/selfassess/selfassess/submission"
)

type reviewOptions struct {
	ios            *IOStreams
	path           string
	signer         string
	allowedSigners string
	decisions      string
	template       bool
	outDir         string
	signKey        string
	validFor       string
	draft          string
	accessible     bool
	now            func() time.Time
}

func newReviewCmd(ios *IOStreams) *cobra.Command {
	o := &reviewOptions{ios: ios}
	c := &cobra.Command{
		Use:   "review PACKAGE.zip|DIR",
		Short: "Review a submission package: decide each control and sign the review (or an approval)",
		Long: `review is the provider's reviewer's command. It verifies the package first,
exactly as verify does (--signer or --allowed-signers for the team's key); a
package that does not verify cannot be reviewed (exit 1).

In a terminal without --decisions, review asks: the controls that need
attention first (each with the requirement, the team's answers, notes,
evidence files with their SHA-256 and how to open them, probe findings,
exception or N/A justification and false-positive claims), then "accept all
remaining passing controls", then each false-positive claim, then the
overall decision. Decisions are saved to --draft as they go; after Ctrl-C the
same command resumes. Otherwise the decisions come from --decisions FILE
(schema selfassess/decisions/v1; --decisions-template prints a skeleton for
the package with every control and every false-positive claim). The overall decision is approved (valid for
--valid-for, default 12 months, or until valid_until), approved-with-conditions,
changes-requested or rejected; an approval is refused while any control is
changes-requested or question, or a false-positive claim is not accepted.

The review is written to --out (review.json, review.md, VERIFY.md,
allowed_signers, SHA256SUMS and its SSH signature under namespace
selfassess-review) and zipped next to it; it is always signed (--sign-key,
ssh-agent, or SELFASSESS_SIGNING_KEY). Exit 0 when written, 1 when the
package does not verify, 2 for bad input, 3 when writing or signing fails.`,
		Example: `  selfassess review acme.zip --signer team.pub --decisions-template > decisions.yaml
  selfassess review acme.zip --signer team.pub --decisions decisions.yaml --sign-key ~/.ssh/reviewer`,
		Args: exactArgs("PACKAGE"),
		RunE: func(c *cobra.Command, args []string) error {
			o.path = args[0]
			return runReview(o)
		},
	}
	f := c.Flags()
	f.StringVar(&o.signer, "signer", "", "the team's public key `FILE` (authorized_keys format)")
	f.StringVar(&o.allowedSigners, "allowed-signers", "", "OpenSSH allowed_signers `FILE` naming the team's trusted keys")
	f.StringVar(&o.decisions, "decisions", "", "the reviewer's decisions `FILE` (YAML, schema selfassess/decisions/v1)")
	f.BoolVar(&o.template, "decisions-template", false, "print a decisions skeleton for the package and exit")
	f.StringVarP(&o.outDir, "out", "o", "review", "output `DIR` of the review package (zipped next to it)")
	f.StringVar(&o.signKey, "sign-key", "", "the reviewer's SSH key `FILE` (or the public key of a key in ssh-agent)")
	f.StringVar(&o.draft, "draft", "", "interactive review: `FILE` the decisions are saved to as they go, and resumed from (default OUT-decisions.yaml)")
	f.BoolVar(&o.accessible, "accessible", false, "screen-reader friendly prompts (automatic when TERM=dumb)")
	f.StringVar(&o.validFor, "valid-for", "12m", "how long an approval lasts when valid_until is not given: `N`d, N m(onths) or N y")
	return c
}

func runReview(o *reviewOptions) error {
	if o.now == nil {
		o.now = time.Now
	}
	interactive := !o.template && o.decisions == ""
	if interactive && !o.ios.CanPrompt() {
		return usageErr("print a skeleton with --decisions-template, edit it, then pass it with --decisions", "--decisions FILE is required without a terminal")
	}
	if o.template && o.decisions != "" {
		return usageErr("", "use --decisions-template or --decisions, not both")
	}
	validFor, err := review.ParsePeriod(o.validFor)
	if err != nil {
		return usageErr("e.g. --valid-for 12m, 365d or 1y", "--valid-for: %v", err)
	}
	trust, err := submission.LoadTrust(o.signer, o.allowedSigners)
	if err != nil {
		return err
	}
	pkg, err := review.OpenPackage(o.path, trust)
	if ve := (*review.VerifyError)(nil); errors.As(err, &ve) {
		return &ExitError{Code: ExitGate, Err: err, Hint: "'selfassess verify " + o.path + "' lists every problem"}
	} else if err != nil {
		return usageErr("", "%v", err)
	}
	if o.template {
		_, err := o.ios.Out.Write(pkg.Template())
		return err
	}
	// A second review into the same --out is refused now, before any question.
	lock, err := lockOutput(o.outDir)
	if err != nil {
		return err
	}
	defer lock.Release()
	now, err := sourceDate(o.ios, o.now())
	if err != nil {
		return err
	}
	var d *review.Decisions
	if interactive {
		d, err = o.interactive(pkg, now)
	} else if d, err = review.LoadDecisions(o.decisions); err != nil {
		err = input.FlagProblem("--decisions", err)
	}
	if err != nil {
		return err
	}
	signer, err := loadSigner(o.ios, outputInput{SignKey: o.signKey})
	if err != nil {
		return err
	}
	if signer == nil {
		return usageErr("give --sign-key FILE or set "+submission.EnvSigningKey, "a review must be signed and no signing key is configured")
	}
	defer signer.Close()
	r, err := review.Build(d, pkg.Input(signer.Fingerprint(), validFor, now, assessment.Tool{Name: "selfassess", Version: Version}))
	if err != nil {
		return input.FlagProblem("--decisions", err)
	}
	out, err := review.Write(o.outDir, submission.ZipPathFor(o.outDir), r, signer, now)
	if err != nil {
		return submissionErr(fmt.Errorf("writing the review to %s: %w", o.outDir, err))
	}
	fmt.Fprintf(o.ios.Out, "package:  %s (SHA256SUMS %s, signed by %s)\n", o.path, pkg.Check.SumsSHA256, pkg.Check.KeyFP)
	review.WriteSummary(o.ios.Out, r)
	fmt.Fprintf(o.ios.Out, "review:   %s and %s, signed by %s (namespace %s)\n", out.Dir, out.Zip, out.Fingerprint, review.Namespace)
	return nil
}

// interactive asks the reviewer in the terminal, saving to --draft as it
// goes and resuming from it.
func (o *reviewOptions) interactive(pkg *review.Package, now time.Time) (*review.Decisions, error) {
	draft := review.DraftPath(o.draft, o.outDir)
	d, resumed, err := review.LoadDraft(draft)
	if err != nil {
		return nil, input.FlagProblem("--draft", err)
	}
	if resumed {
		fmt.Fprintf(o.ios.ErrOut, "resuming the review saved in %s\n", draft)
	}
	controls, claims := pkg.Views()
	err = interview.RunReview(context.Background(), controls, claims, d, interview.ReviewOptions{
		In: o.ios.In, Out: o.ios.Out, Accessible: o.accessible || o.ios.Getenv("TERM") == "dumb",
		Save:       func(d *review.Decisions) error { return review.SaveDraft(draft, d) },
		DefaultDue: func(sev string) string { return review.DefaultDue(pkg.Remediation(), sev, now) },
	})
	if err != nil {
		return nil, askErr(err, "review interrupted; the decisions so far are saved in "+draft, "run the same command again to continue")
	}
	if d, err = review.LoadDecisions(draft); err != nil {
		return nil, input.FlagProblem("--draft", err)
	}
	return d, nil
}

// sourceDate is SOURCE_DATE_EPOCH as a time (reproducible builds), else def.
func sourceDate(ios *IOStreams, def time.Time) (time.Time, error) {
	return submission.SourceDate(ios.Getenv, def)
}
