package cmd

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/report"
	"github.com/selfassess/selfassess/submission"
)

type reportOptions struct {
	ios             *IOStreams
	results         string
	formats         string
	out             string
	templateDir     string
	pkg             bool
	signKey         string
	answersPath     string
	checklistRef    string
	previous        string
	protect         protectFlags
	evidenceRoots   []string
	templateTimeout time.Duration
}

func newReportCmd(ios *IOStreams) *cobra.Command {
	o := &reportOptions{ios: ios}
	c := &cobra.Command{
		Use:   "report RESULTS.json",
		Short: "Re-render reports (and optionally the signed package) from a saved results.json",
		Long: `report renders a saved results.json again, without probing: Markdown, PDF,
JSON, JUnit and SARIF. With --package it writes the signed submission package
into --out (and OUT.zip next to it), exactly as 'selfassess run' does.

Exit codes: 0 written, 2 usage or input error, 3 runtime failure.`,
		Example: `  selfassess report out/results.json --format md,pdf --out review
  selfassess report out/results.json --package --answers answers.yaml --sign-key ~/.ssh/selfassess --out pkg`,
		Args: exactArgs("RESULTS.json"),
		RunE: func(c *cobra.Command, args []string) error {
			o.results = args[0]
			return runReport(c.Context(), o)
		},
	}
	f := c.Flags()
	f.StringVar(&o.formats, "format", "all", "comma-separated `FORMATS`: md, pdf, json, junit, sarif (or all)")
	f.StringVarP(&o.out, "out", "o", "selfassess-report", "output `DIR`")
	f.StringVar(&o.templateDir, "template-dir", "", "`DIR` with report.md.tmpl / changes.md.tmpl overriding the built-in templates")
	f.BoolVar(&o.pkg, "package", false, "write the signed submission package (SHA256SUMS, signature, zip)")
	f.StringVar(&o.signKey, "sign-key", "", "OpenSSH private key `PATH`, or a public key whose private half is in ssh-agent (with --package)")
	f.StringVar(&o.answersPath, "answers", "", "answers `FILE` to include with its evidence (with --package)")
	f.StringVar(&o.checklistRef, "checklist", "", "checklist `ID|FILE` to include (with --package; default: the built-in the results name)")
	f.StringVar(&o.previous, "previous", "", "earlier `RESULTS.json`: adds changes.md (with --package)")
	o.protect.bind(f)
	f.DurationVar(&o.templateTimeout, "template-timeout", report.DefaultTemplateTimeout, "stop a --template-dir template still running after this `DURATION`")
	f.StringArrayVar(&o.evidenceRoots, "evidence-root", nil, "also accept evidence files inside this `DIR` (with --answers; default: the answers file's folder); repeatable")
	return c
}

func runReport(ctx context.Context, o *reportOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	formats, err := report.ParseFormats(o.formats)
	if err != nil {
		return usageErr("", "--format: %v", err)
	}
	if !o.pkg && (o.signKey != "" || o.answersPath != "" || o.checklistRef != "" || o.previous != "" ||
		o.protect.pdfCert != "" || len(o.protect.encryptTo) > 0 || o.protect.keepPlain) {
		return usageErr("add --package to write the signed package", "--sign-key, --answers, --checklist, --previous, --pdf-cert, --encrypt-to and --keep-plain need --package")
	}
	if o.templateDir != "" {
		if fi, err := os.Stat(o.templateDir); err != nil || !fi.IsDir() {
			return usageErr("", "--template-dir %s: not a folder", o.templateDir)
		}
	}
	if err := submission.CheckOut(o.out); err != nil {
		return err
	}
	res, err := report.LoadResults(o.results)
	if err != nil {
		return usageErr("", "%v", pathErr(err))
	}
	if o.pkg {
		return reportPackage(ctx, o, res, formats)
	}
	date, err := reportDate(o.ios, res)
	if err != nil {
		return err
	}
	out, err := report.RenderContext(ctx, res, formats, report.Options{TemplateDir: o.templateDir, Date: date, TemplateTimeout: o.templateTimeout})
	if err != nil {
		return interrupted(ctx, o.out, renderErr(err))
	}
	written, err := report.WriteFiles(o.out, out, o.results)
	for _, p := range written {
		fmt.Fprintf(o.ios.Out, "wrote %s\n", p)
	}
	return err
}

func reportPackage(ctx context.Context, o *reportOptions, res *assessment.Results, formats []string) error {
	in := outputInput{OutDir: o.out, Formats: formats, TemplateDir: o.templateDir, PreviousPath: o.previous, SignKey: o.signKey,
		Protect: o.protect, TemplateTimeout: o.templateTimeout, Input: o.results, EvidenceRoots: o.evidenceRoots}
	if o.answersPath != "" {
		a, err := answers.Load(o.answersPath)
		if err != nil {
			return usageErr("", "--answers: %v", pathErr(err))
		}
		in.Answers = a
	}
	cl, warning, err := submission.ResultsChecklist(res, o.checklistRef, in.Answers)
	if err != nil {
		return err
	}
	if warning != "" {
		fmt.Fprintf(o.ios.ErrOut, "selfassess: warning: %s\n", warning)
	}
	in.Checklist = cl
	lock, err := lockOutput(o.out)
	if err != nil {
		return err
	}
	defer lock.Release()
	sum, err := writeOutputs(ctx, o.ios, res, in)
	if err != nil {
		return err
	}
	printPackageSummary(o.ios, sum)
	return nil
}

// printPackageSummary says where the package is and who signed it.
func printPackageSummary(ios *IOStreams, sum outputSummary) {
	fmt.Fprintf(ios.Out, "package: %s (%d files)\n", sum.Dir, len(sum.Files))
	if sum.Zip != "" {
		fmt.Fprintf(ios.Out, "zip:     %s\n", sum.Zip)
	}
	if sum.Signer != "" {
		fmt.Fprintf(ios.Out, "signed:  %s (%s)", sum.Signer, sum.SignedWith)
		if sum.PDFSigned {
			fmt.Fprint(ios.Out, "; report.pdf carries a PDF signature")
		}
		fmt.Fprintln(ios.Out)
	} else {
		fmt.Fprintf(ios.Out, "signed:  no\n")
	}
	printEncrypted(ios, sum)
}
