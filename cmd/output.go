package cmd

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/evidence"
	"github.com/selfassess/selfassess/internal/filelock"
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
}

// outputSummary says what was written.
type outputSummary struct {
	Dir    string
	Zip    string
	Files  []string // paths of every file in the package folder
	Signer string   // key fingerprint, "" when unsigned
	// SignedWith says where the key came from ("key file …", "ssh-agent", …).
	SignedWith string
	// PDFSigned: report.pdf carries an embedded PDF signature.
	PDFSigned bool
	// Encrypted is PACKAGE.zip.age ("" when not encrypted), for EncryptedTo.
	Encrypted   string
	EncryptedTo []string
}

// writeOutputs renders the reports and assembles the (signed) package in
// in.OutDir, with its zip next to it (OUT.zip). It fills res.Signer. Errors
// are *ExitError: 2 for bad keys/inputs, 3 when writing or signing fails.
func writeOutputs(ctx context.Context, ios *IOStreams, res *assessment.Results, in outputInput) (outputSummary, error) {
	date, err := reportDate(ios, res)
	if err != nil {
		return outputSummary{}, err
	}
	formats := report.PackageFormats(in.Formats)

	// Everything that can fail on the user's input comes before any write.
	if fi, err := os.Stat(in.OutDir); err == nil && !fi.IsDir() {
		return outputSummary{}, usageErr("name a folder (it is created when missing)", "--out %s: is a file, not a folder", in.OutDir)
	}
	ropts := report.Options{TemplateDir: in.TemplateDir, Date: date, TemplateTimeout: in.TemplateTimeout}
	changes, err := changesSince(ctx, in.PreviousPath, res, ropts)
	if err != nil {
		return outputSummary{}, interrupted(ctx, in.OutDir, err)
	}
	evidence, err := submission.PackEvidence(ctx, in.Answers, in.Evidence)
	if err != nil {
		return outputSummary{}, interrupted(ctx, in.OutDir, submissionErr(err))
	}
	if err := describeEvidence(res, in.Answers, evidence); err != nil {
		return outputSummary{}, err
	}
	signer := in.Signer
	if signer == nil {
		if signer, err = loadSigner(ios, in); err != nil {
			return outputSummary{}, err
		}
		defer signer.Close()
	}
	fp := ""
	if signer != nil {
		fp = signer.Fingerprint()
	}
	res.Signer = fp
	var pdfSig *report.PDFSignature
	pdfNote := ""
	if contains(formats, "pdf") {
		if pdfSig, pdfNote, err = pdfSignature(signer, res.Project, date, in.Protect.pdfCert); err != nil {
			return outputSummary{}, err
		}
	}
	encryptTo, err := recipients(in.Protect.encryptTo, in.ReviewerRecipients, in.ConfigPath)
	if err != nil {
		return outputSummary{}, err
	}

	ropts.Signer, ropts.PDFSign, ropts.PDFNotSigned = fp, pdfSig, pdfNote
	rendered, err := report.RenderContext(ctx, res, formats, ropts)
	if err != nil {
		return outputSummary{}, interrupted(ctx, in.OutDir, renderErr(err))
	}
	contents := submission.Contents{Reports: rendered, Answers: evidence.Answers, Changes: changes}
	if in.Checklist != nil && len(in.Checklist.Raw) > 0 {
		contents.Checklist = in.Checklist.Raw
	}
	contents.Review = in.Extra

	opts := submission.Options{Date: date, Zip: submission.ZipPathFor(in.OutDir), EncryptTo: encryptTo, KeepPlain: in.Protect.keepPlain}
	if signer != nil {
		opts.Signer = signer
	}
	pkg, err := submission.BuildContext(ctx, in.OutDir, contents.Files(), evidence.Files, opts)
	if err != nil {
		var ie *submission.InputError
		if errors.As(err, &ie) {
			return outputSummary{}, usageErr(ie.Hint, "%v", ie.Err)
		}
		return outputSummary{}, interrupted(ctx, in.OutDir, runtimeErr("the previous package, if any, is unchanged", "writing the package to %s: %v", in.OutDir, err))
	}
	warnPackage(ios, in.OutDir, signer, pdfNote, pkg)
	return summarise(pkg, signer, pdfSig != nil, encryptTo), nil
}

// warnPackage says what the package is not: unsigned, a PDF left unsigned,
// or a folder holding files that are not the package's.
func warnPackage(ios *IOStreams, outDir string, signer *submission.Signer, pdfNote string, pkg *submission.Package) {
	if signer == nil {
		fmt.Fprintf(ios.ErrOut, "selfassess: warning: the package is NOT signed (no --sign-key or %s); VERIFY.md says so\n", submission.EnvSigningKey)
	} else if pdfNote != "" {
		fmt.Fprintf(ios.ErrOut, "selfassess: note: the package is signed, report.pdf is not: %s\n", pdfNote)
	}
	if len(pkg.Foreign) > 0 {
		fmt.Fprintf(ios.ErrOut, "selfassess: warning: %s also holds files that are not part of the package (%s); send the zip\n", outDir, strings.Join(firstN(pkg.Foreign, 5), ", "))
	}
}

// summarise is what the terminal summary says about the written package.
func summarise(pkg *submission.Package, signer *submission.Signer, pdfSigned bool, encryptTo []submission.Recipient) outputSummary {
	sum := outputSummary{Dir: pkg.Dir, Zip: pkg.Zip, PDFSigned: pdfSigned, Encrypted: pkg.Encrypted}
	for _, r := range encryptTo {
		sum.EncryptedTo = append(sum.EncryptedTo, r.Label)
	}
	if signer != nil {
		sum.Signer, sum.SignedWith = signer.Fingerprint(), signer.From
	}
	for _, f := range pkg.Files {
		sum.Files = append(sum.Files, filepath.Join(pkg.Dir, filepath.FromSlash(f)))
	}
	return sum
}

// changesSince renders changes.md against the previous results; nil when there are none.
func changesSince(ctx context.Context, previous string, res *assessment.Results, opts report.Options) ([]byte, error) {
	if previous == "" {
		return nil, nil
	}
	prev, err := report.LoadResults(previous)
	if err != nil {
		return nil, usageErr("", "--previous: %v", pathErr(err))
	}
	changes, err := report.ChangesMarkdownContext(ctx, assessment.Diff(prev, res), previous, "this assessment", opts)
	if err != nil {
		return nil, renderErr(fmt.Errorf("rendering changes.md: %w", err))
	}
	return changes, nil
}

// reportDate is SOURCE_DATE_EPOCH when set (reproducible builds), else when the assessment finished.
func reportDate(ios *IOStreams, res *assessment.Results) (time.Time, error) {
	if !res.FinishedAt.IsZero() {
		return sourceDate(ios, res.FinishedAt.UTC())
	}
	return sourceDate(ios, time.Now().UTC())
}

// loadSigner picks the signing key: the demo's ephemeral key, --sign-key, or
// SELFASSESS_SIGNING_KEY; nil when none is configured.
func loadSigner(ios *IOStreams, in outputInput) (*submission.Signer, error) {
	if in.EphemeralKey && in.SignKey == "" {
		s, err := submission.EphemeralSigner()
		if err != nil {
			return nil, runtimeErr("", "generating the demo key: %v", err)
		}
		return s, nil
	}
	src := submission.KeySource{Path: in.SignKey, Getenv: ios.Getenv}
	if ios.CanPrompt() {
		src.Prompt = func(prompt string) ([]byte, error) { return readPassword(ios, prompt) }
	}
	s, err := submission.LoadSigner(src)
	if err != nil {
		return nil, submissionErr(err)
	}
	return s, nil
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

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func firstN(list []string, n int) []string {
	if len(list) <= n {
		return list
	}
	return append(append([]string(nil), list[:n]...), fmt.Sprintf("and %d more", len(list)-n))
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

// describeEvidence gives each evidence file of the results its size,
// SHA-256 and path in the package, so the report says exactly what was
// attached.
func describeEvidence(res *assessment.Results, a *answers.File, packed *submission.PackedEvidence) error {
	if a == nil || packed == nil {
		return nil
	}
	for i := range res.Controls {
		c := &res.Controls[i]
		for j := range c.Evidence {
			e := &c.Evidence[j]
			np, ok := packed.PackedPath(c.ID, e.Source)
			if e.Kind != "file" || !ok {
				continue
			}
			src := e.Source
			if !filepath.IsAbs(src) {
				src = filepath.Join(filepath.Dir(a.Path), filepath.FromSlash(src))
			}
			f, err := os.Open(src)
			if err != nil {
				return usageErr("evidence paths are relative to the answers file's folder", "%s: control %s: evidence %q: %v", a.Path, c.ID, e.Source, pathErr(err))
			}
			h := sha256.New()
			n, err := io.Copy(h, f)
			f.Close()
			if err != nil {
				return runtimeErr("", "%s: control %s: reading evidence %q: %v", a.Path, c.ID, e.Source, err)
			}
			e.SHA256, e.Size, e.Packed = hex.EncodeToString(h.Sum(nil)), n, np
		}
	}
	return nil
}
