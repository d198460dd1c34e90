package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/evidence"
	"github.com/selfassess/selfassess/internal/filelock"
	"github.com/selfassess/selfassess/internal/input"
	"github.com/selfassess/selfassess/report"
	"github.com/selfassess/selfassess/submission"
)

// outputInput is everything the package needs beyond the results.
type outputInput struct {
	OutDir      string
	Formats     []string // report formats; nil = all (results.json is always written)
	TemplateDir string
	Checklist   *checklist.Checklist
	Answers     *answers.File // its Path locates the evidence files
	// PreviousPath is an earlier results.json; when set, changes.md is added.
	PreviousPath string
	// SignKey is --sign-key (a private key path, or a public key path for ssh-agent); "" = environment / unsigned.
	SignKey string
	// EphemeralKey signs with a fresh in-memory key (the demo).
	EphemeralKey bool
	// Extra are more package files (the previous review under review/).
	Extra []submission.File
	// Protect: --pdf-cert, --encrypt-to, --keep-plain.
	Protect protectFlags
	// ReviewerRecipients come from selfassess.yaml (ConfigPath names it).
	ReviewerRecipients []string
	ConfigPath         string
	// Evidence checks the evidence files (nil: the answers file's folder is
	// the project folder).
	Evidence *evidence.Checker
	// TemplateTimeout bounds each Markdown template (0: the default).
	TemplateTimeout time.Duration
	// Signer is a key run already opened and checked (before the first
	// question and probe); the caller closes it. nil: load it here.
	Signer *submission.Signer
	// Input is the results file report --package re-packages ("" for run);
	// EvidenceRoots are its --evidence-root folders.
	Input         string
	EvidenceRoots []string
}

// outputSummary says what was written.
type outputSummary = submission.Summary

// writeOutputs renders the reports and assembles the (signed) package in
// in.OutDir (submission.Assemble), then prints its warnings. It fills
// res.Signer. Errors are exit 2 for bad keys/inputs, 3 when writing or
// signing fails.
func writeOutputs(ctx context.Context, ios *IOStreams, res *assessment.Results, in outputInput) (outputSummary, error) {
	date, err := reportDate(ios, res)
	if err != nil {
		return outputSummary{}, err
	}
	sum, err := submission.Assemble(ctx, res, submission.Assembly{
		OutDir: in.OutDir, Formats: in.Formats, TemplateDir: in.TemplateDir, TemplateTimeout: in.TemplateTimeout,
		Date: date, Checklist: in.Checklist, Answers: in.Answers, Evidence: in.Evidence, EvidenceRoots: in.EvidenceRoots,
		PreviousPath: in.PreviousPath, Review: in.Extra, Input: in.Input,
		Signer: in.Signer, Key: keySource(ios, in),
		PDFCert: in.Protect.pdfCert, EncryptTo: in.Protect.encryptTo, KeepPlain: in.Protect.keepPlain,
		ReviewerRecipients: in.ReviewerRecipients, ConfigPath: in.ConfigPath,
	})
	if err != nil {
		return outputSummary{}, outputErr(ctx, in.OutDir, err)
	}
	for _, w := range sum.Warnings {
		fmt.Fprintf(ios.ErrOut, "selfassess: warning: %s\n", w)
	}
	for _, n := range sum.Notes {
		fmt.Fprintf(ios.ErrOut, "selfassess: note: %s\n", n)
	}
	return sum, nil
}

// outputErr maps an error of writing the package: the user's input is
// exit 2, anything else 3; nothing replaced the previous package.
func outputErr(ctx context.Context, outDir string, err error) error {
	var p *input.Problem
	var te *report.TemplateError
	switch {
	case ctx.Err() != nil:
		return interrupted(ctx, outDir, err)
	case errors.As(err, &te):
		return renderErr(err)
	case errors.As(err, &p):
		return err
	}
	return runtimeErr("the previous package, if any, is unchanged", "%v", err)
}

// reportDate is SOURCE_DATE_EPOCH when set (reproducible builds), else when the assessment finished.
func reportDate(ios *IOStreams, res *assessment.Results) (time.Time, error) {
	return submission.ReportDate(res, ios.Getenv, time.Now())
}

// keySource is where the signing key comes from: the demo's ephemeral
// key, --sign-key, or SELFASSESS_SIGNING_KEY, asking for a passphrase on
// the terminal.
func keySource(ios *IOStreams, in outputInput) submission.KeySource {
	src := submission.KeySource{Path: in.SignKey, Getenv: ios.Getenv, Ephemeral: in.EphemeralKey}
	if ios.CanPrompt() {
		src.Prompt = func(prompt string) ([]byte, error) { return readPassword(ios, prompt) }
	}
	return src
}

// loadSigner opens the signing key of keySource; nil when none is configured.
func loadSigner(ios *IOStreams, in outputInput) (*submission.Signer, error) {
	return submission.LoadSigner(keySource(ios, in))
}

// submissionErr maps a *submission.InputError to exit 2, anything else to 3.
func submissionErr(err error) error {
	var ie *submission.InputError
	if errors.As(err, &ie) {
		return usageErr(ie.Hint, "%v", ie.Err)
	}
	return runtimeErr("", "%v", err)
}

// readPassword reads a line from the terminal without echo.
func readPassword(ios *IOStreams, prompt string) ([]byte, error) {
	f, ok := ios.In.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, errors.New("stdin is not a terminal")
	}
	fmt.Fprint(ios.ErrOut, prompt)
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(ios.ErrOut)
	return b, err
}

// interrupted is err, or when ctx was cancelled (Ctrl-C, SIGTERM) the
// one line that says so.
func interrupted(ctx context.Context, outDir string, err error) error {
	if ctx.Err() == nil {
		return err
	}
	return runtimeErr("", "interrupted; the previous package in %s, if any, is unchanged", outDir)
}

// lockOutput takes the package folder's lock for the whole run: a second
// run on the same --out says who holds it and exits 2.
func lockOutput(dir string) (*filelock.Lock, error) {
	l, err := submission.LockOutput(dir, submission.ZipPathFor(dir))
	var held *filelock.HeldError
	if errors.As(err, &held) {
		return nil, usageErr("wait until that run ends, or pass another --out", "--out %v", held)
	}
	if err != nil {
		return nil, runtimeErr("", "locking --out %s: %v", dir, pathErr(err))
	}
	return l, nil
}
