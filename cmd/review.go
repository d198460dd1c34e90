package cmd

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/input"
	"github.com/selfassess/selfassess/internal/safetext"
	"github.com/selfassess/selfassess/interview"
	"github.com/selfassess/selfassess/report"
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
	f.StringVar(&o.outDir, "out", "review", "output `directory` of the review package (zipped next to it)")
	f.StringVar(&o.signKey, "sign-key", "", "the reviewer's SSH key `file` (or the public key of a key in ssh-agent)")
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
	validFor, err := parseValidFor(o.validFor)
	if err != nil {
		return usageErr("e.g. --valid-for 12m, 365d or 1y", "--valid-for: %v", err)
	}
	trust, err := teamTrust(o.signer, o.allowedSigners)
	if err != nil {
		return err
	}
	pkg, err := openSubmission(o.path, trust)
	if err != nil {
		return err
	}
	if o.template {
		_, err := o.ios.Out.Write(review.Template(pkg.results, pkg.check.SumsSHA256))
		return err
	}
	now := o.now()
	if d, err := sourceDate(o.ios); err != nil {
		return err
	} else if !d.IsZero() {
		now = d
	}
	var d *review.Decisions
	if interactive {
		if d, err = o.interactive(pkg, now); err != nil {
			return err
		}
	} else if d, err = review.LoadDecisions(o.decisions); err != nil {
		return inputFileErr("--decisions", err)
	}
	signer, err := loadSigner(o.ios, outputInput{SignKey: o.signKey})
	if err != nil {
		return err
	}
	if signer == nil {
		return usageErr("give --sign-key FILE or set "+submission.EnvSigningKey, "a review must be signed and no signing key is configured")
	}
	defer signer.Close()
	in := review.Input{Results: pkg.results, SumsSHA256: pkg.check.SumsSHA256, Signer: pkg.check.KeyFP,
		ReviewerKey: signer.Fingerprint(), ValidFor: validFor, Now: now, Tool: assessment.Tool{Name: "selfassess", Version: Version}}
	if pkg.checklist != nil {
		in.Remediation = pkg.checklist.RemediationDays
	}
	r, err := review.Build(d, in)
	if err != nil {
		return inputFileErr("--decisions", err)
	}
	zipPath := submission.ZipPathFor(o.outDir)
	out, err := review.Write(o.outDir, zipPath, r, signer, now)
	if err != nil {
		var ie *submission.InputError
		if errors.As(err, &ie) {
			return usageErr(ie.Hint, "%v", ie.Err)
		}
		return runtimeErr("", "writing the review to %s: %v", o.outDir, err)
	}
	w := o.ios.Out
	fmt.Fprintf(w, "package:  %s (SHA256SUMS %s, signed by %s)\n", o.path, pkg.check.SumsSHA256, pkg.check.KeyFP)
	fmt.Fprintf(w, "decision: %s\n", r.Status())
	for _, c := range r.Controls {
		switch {
		case c.Finding != nil:
			fmt.Fprintf(w, "  changes requested  %s (%s, due %s): %s\n", c.ID, c.Finding.Severity, c.Finding.Due, oneLine(c.Finding.Text))
		case c.Decision == review.Question:
			fmt.Fprintf(w, "  question           %s: %s\n", c.ID, oneLine(c.Question))
		}
	}
	for _, f := range r.FalsePositives {
		if f.Decision != review.Accepted {
			fmt.Fprintf(w, "  false positive %s  %s: %s\n", f.Decision, f.Fingerprint, oneLine(f.Reason))
		}
	}
	fmt.Fprintf(w, "review:   %s and %s, signed by %s (namespace %s)\n", out.Dir, out.Zip, out.Fingerprint, review.Namespace)
	return nil
}

// interactive asks the reviewer in the terminal, saving to --draft as it
// goes and resuming from it.
func (o *reviewOptions) interactive(pkg *submissionPackage, now time.Time) (*review.Decisions, error) {
	draft := o.draft
	if draft == "" {
		draft = filepath.Clean(o.outDir) + "-decisions.yaml"
	}
	d := &review.Decisions{Schema: review.DecisionsSchemaID, Name: draft}
	if b, err := input.ReadFile(draft, 8<<20); err == nil {
		if d, err = review.ParseDraft(draft, b); err != nil {
			return nil, inputFileErr("--draft", err)
		}
		fmt.Fprintf(o.ios.ErrOut, "resuming the review saved in %s\n", draft)
	} else if !answers.IsNotExist(err) {
		return nil, usageErr("", "--draft: %v", pathErr(err))
	}
	var remediation *checklist.RemediationDays
	if pkg.checklist != nil {
		remediation = pkg.checklist.RemediationDays
	}
	sums := map[string]string{}
	if entries, err := submission.ParseSums(pkg.check.Files[submission.SumsFile]); err == nil {
		for _, e := range entries {
			sums[e.Name] = e.Hex
		}
	}
	controls, claims := review.Views(pkg.results, pkg.checklist, o.path, sums)
	err := interview.RunReview(context.Background(), controls, claims, d, interview.ReviewOptions{
		In: o.ios.In, Out: o.ios.Out, Accessible: o.accessible || o.ios.Getenv("TERM") == "dumb",
		Save: func(d *review.Decisions) error {
			b, err := review.MarshalDecisions(d)
			if err != nil {
				return err
			}
			return input.WriteFileAtomic(draft, b, 0o644)
		},
		DefaultDue: func(sev string) string {
			days := remediation.For(checklist.Severity(sev))
			if days == 0 {
				days = review.DefaultDueDays
			}
			return now.UTC().AddDate(0, 0, days).Format(time.DateOnly)
		},
	})
	if errors.Is(err, interview.ErrInterrupted) {
		return nil, &ExitError{Code: ExitUsage, Err: fmt.Errorf("review interrupted; the decisions so far are saved in %s", draft),
			Hint: "run the same command again to continue"}
	}
	if err != nil {
		return nil, runtimeErr("", "%v", err)
	}
	b, err := input.ReadFile(draft, 8<<20)
	if err != nil {
		return nil, runtimeErr("", "%v", err)
	}
	d, err = review.ParseDecisions(draft, b)
	if err != nil {
		return nil, inputFileErr("--draft", err)
	}
	return d, nil
}

// submissionPackage is a verified package and what a review reads from it.
type submissionPackage struct {
	check     *submission.Result
	results   *assessment.Results
	checklist *checklist.Checklist // nil when the package holds none
}

// openSubmission verifies a package exactly as verify does and reads its
// results.json (and checklist.yaml); a package that does not verify is
// exit 1 with the reason.
func openSubmission(path string, trust submission.TrustedKeys) (*submissionPackage, error) {
	trust.Keep = []string{"results.json", "checklist.yaml", submission.SumsFile}
	res, err := submission.Verify(path, trust)
	if err != nil {
		return nil, usageErr("", "%v", err)
	}
	if !res.OK() {
		return nil, &ExitError{Code: ExitGate, Err: fmt.Errorf("%s does not verify, so it cannot be reviewed: %s", path, firstVerifyProblem(res)),
			Hint: "'selfassess verify " + path + "' lists every problem"}
	}
	b, ok := res.Files["results.json"]
	if !ok {
		return nil, usageErr("", "%s holds no results.json", path)
	}
	results, err := report.ParseResults(filepath.Join(path, "results.json"), b)
	if err != nil {
		return nil, usageErr("", "%v", err)
	}
	p := &submissionPackage{check: res, results: results}
	if raw, ok := res.Files["checklist.yaml"]; ok {
		if cl, err := checklist.Parse("checklist.yaml", raw); err == nil {
			p.checklist = cl
		}
	}
	return p, nil
}

// firstVerifyProblem is the most telling reason a package failed verification.
func firstVerifyProblem(res *submission.Result) string {
	switch {
	case len(res.Rejected) > 0:
		return safetext.Quote(res.Rejected[0]) + " (rejected)"
	case len(res.Mismatched) > 0:
		return safetext.Quote(res.Mismatched[0]) + " was modified"
	case len(res.Missing) > 0:
		return safetext.Quote(res.Missing[0]) + " is missing"
	case len(res.Extra) > 0:
		return safetext.Quote(res.Extra[0]) + " is not listed in SHA256SUMS"
	case len(res.Problems) > 0:
		return safetext.Quote(res.Problems[0])
	}
	return "the signature is invalid"
}

// inputFileErr reports a problem in an input file: every positioned
// problem is one line (the first on the error line, the rest as hints
// would break the one-line rule, so the count is given).
func inputFileErr(flag string, err error) error {
	var errs *checklist.Errors
	if errors.As(err, &errs) {
		return usageErr("", "%v", errs)
	}
	if answers.IsNotExist(err) {
		return usageErr("", "%s: %v", flag, pathErr(err))
	}
	return usageErr("", "%s: %v", flag, err)
}

// sourceDate is SOURCE_DATE_EPOCH as a time (zero when unset).
func sourceDate(ios *IOStreams) (time.Time, error) {
	v := strings.TrimSpace(ios.Getenv("SOURCE_DATE_EPOCH"))
	if v == "" {
		return time.Time{}, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, usageErr("set it to seconds since 1970-01-01 UTC", "SOURCE_DATE_EPOCH=%q is not a number of seconds", v)
	}
	return time.Unix(n, 0).UTC(), nil
}

// parseValidFor reads Nd, Nm (months) or Ny.
func parseValidFor(s string) (review.Period, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("%q is not a period", s)
	if len(s) < 2 {
		return review.Period{}, bad
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 || n > 3650 {
		return review.Period{}, bad
	}
	switch s[len(s)-1] {
	case 'd':
		return review.Period{Days: n}, nil
	case 'm':
		return review.Period{Months: n}, nil
	case 'y':
		return review.Period{Years: n}, nil
	}
	return review.Period{}, bad
}
