package submission

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/evidence"
	"github.com/selfassess/selfassess/internal/input"
	"github.com/selfassess/selfassess/internal/prose"
	"github.com/selfassess/selfassess/report"
)

// Assembly is everything a package needs beyond the results. Its errors
// name the CLI's flags (--out, --previous, --pdf-cert, --encrypt-to),
// which fill it.
type Assembly struct {
	OutDir      string
	Formats     []string // report formats; nil = all (results.json is always written)
	TemplateDir string
	// TemplateTimeout bounds each Markdown template (0: the default).
	TemplateTimeout time.Duration
	// Date is the report date (ReportDate).
	Date      time.Time
	Checklist *checklist.Checklist
	Answers   *answers.File // its Path locates the evidence files
	// Evidence checks the evidence files. nil: they must be inside the
	// answers file's folder or one of EvidenceRoots (--evidence-root).
	Evidence      *evidence.Checker
	EvidenceRoots []string
	// PreviousPath is an earlier results.json; when set, changes.md is added.
	PreviousPath string
	// Review are more package files (the previous review under review/).
	Review []File
	// Input is the results file the package is re-made from (selfassess
	// report --package); the package must not replace it. "" = none.
	Input string
	// Signer is a key already opened and checked; the caller closes it.
	// nil: Key is loaded here (and closed), and may name no key at all.
	Signer *Signer
	Key    KeySource
	// PDFCert is a PEM chain for the signing key (--pdf-cert); "" = self-signed.
	PDFCert string
	// EncryptTo are files of reviewer keys (--encrypt-to); ReviewerRecipients
	// are the config's reviewer_recipients, in ConfigPath.
	EncryptTo          []string
	ReviewerRecipients []string
	ConfigPath         string
	// KeepPlain keeps the plain zip beside the encrypted one.
	KeepPlain bool
}

// Summary says what Assemble wrote.
type Summary struct {
	Dir   string
	Zip   string
	Files []string // paths of every file in the package folder
	// Signer is the key fingerprint, "" when unsigned.
	Signer string
	// SignedWith says where the key came from ("key file …", "ssh-agent", …).
	SignedWith string
	// PDFSigned: report.pdf carries an embedded PDF signature.
	PDFSigned bool
	// Encrypted is PACKAGE.zip.age ("" when not encrypted), for EncryptedTo.
	Encrypted   string
	EncryptedTo []string
	// Warnings and Notes say what the package is not (unsigned, a PDF left
	// unsigned, a folder holding other files), one line each.
	Warnings []string
	Notes    []string
}

// Assemble renders the reports and writes the (signed) package in
// a.OutDir, with its zip next to it (OUT.zip). It fills res.Signer and
// each evidence file's size, SHA-256 and packed path. Everything that can
// fail on the user's input (an *input.Problem) is found before any write;
// other errors are failures of the work, and leave the previous package as
// it was.
func Assemble(ctx context.Context, res *assessment.Results, a Assembly) (Summary, error) {
	formats := report.PackageFormats(a.Formats)
	if err := CheckOut(a.OutDir); err != nil {
		return Summary{}, err
	}
	if err := report.RefuseInput(a.OutDir, []string{report.Formats["json"]}, a.Input); err != nil {
		return Summary{}, err
	}
	ropts := report.Options{TemplateDir: a.TemplateDir, Date: a.Date, TemplateTimeout: a.TemplateTimeout}
	changes, err := changesSince(ctx, a.PreviousPath, res, ropts)
	if err != nil {
		return Summary{}, err
	}
	chk := a.Evidence
	if chk == nil && a.Answers != nil && len(a.EvidenceRoots) > 0 {
		if chk, err = EvidenceChecker(a.Answers.Path, "", a.EvidenceRoots); err != nil {
			return Summary{}, err
		}
	}
	packed, err := PackEvidence(ctx, a.Answers, chk)
	if err != nil {
		return Summary{}, err
	}
	if err := DescribeEvidence(res, a.Answers, packed); err != nil {
		return Summary{}, err
	}
	signer := a.Signer
	if signer == nil {
		if signer, err = LoadSigner(a.Key); err != nil {
			return Summary{}, err
		}
		defer signer.Close()
	}
	res.Signer = ""
	if signer != nil {
		res.Signer = signer.Fingerprint()
	}
	var pdfSig *report.PDFSignature
	pdfNote := ""
	if slices.Contains(formats, "pdf") {
		if pdfSig, pdfNote, err = PDFSignatureFor(signer, res.Project, a.Date, a.PDFCert); err != nil {
			return Summary{}, err
		}
	}
	encryptTo, err := Recipients(a.EncryptTo, a.ReviewerRecipients, a.ConfigPath)
	if err != nil {
		return Summary{}, err
	}

	ropts.Signer, ropts.PDFSign, ropts.PDFNotSigned = res.Signer, pdfSig, pdfNote
	rendered, err := report.RenderContext(ctx, res, formats, ropts)
	if err != nil {
		return Summary{}, err
	}
	contents := Contents{Reports: rendered, Answers: packed.Answers, Changes: changes, Review: a.Review}
	if a.Checklist != nil && len(a.Checklist.Raw) > 0 {
		contents.Checklist = a.Checklist.Raw
	}
	opts := Options{Date: a.Date, Zip: ZipPathFor(a.OutDir), EncryptTo: encryptTo, KeepPlain: a.KeepPlain}
	if signer != nil {
		opts.Signer = signer
	}
	pkg, err := BuildContext(ctx, a.OutDir, contents.Files(), packed.Files, opts)
	if err != nil {
		var p *input.Problem
		if errors.As(err, &p) {
			return Summary{}, err
		}
		return Summary{}, fmt.Errorf("writing the package to %s: %w", a.OutDir, err)
	}
	sum := summarise(pkg, signer, pdfSig != nil, encryptTo)
	sum.Warnings, sum.Notes = warnings(a.OutDir, signer, pdfNote, pkg)
	return sum, nil
}

// warnings say what the package is not: unsigned, a PDF left unsigned, or
// a folder holding files that are not the package's.
func warnings(outDir string, signer *Signer, pdfNote string, pkg *Package) (warn, notes []string) {
	if signer == nil {
		warn = append(warn, fmt.Sprintf("the package is NOT signed (no --sign-key or %s); VERIFY.md says so", EnvSigningKey))
	} else if pdfNote != "" {
		notes = append(notes, "the package is signed, report.pdf is not: "+pdfNote)
	}
	if len(pkg.Foreign) > 0 {
		warn = append(warn, fmt.Sprintf("%s also holds files that are not part of the package (%s); send the zip", outDir, strings.Join(prose.FirstN(pkg.Foreign, 5), ", ")))
	}
	return warn, notes
}

// summarise is what the terminal summary says about the written package.
func summarise(pkg *Package, signer *Signer, pdfSigned bool, encryptTo []Recipient) Summary {
	sum := Summary{Dir: pkg.Dir, Zip: pkg.Zip, PDFSigned: pdfSigned, Encrypted: pkg.Encrypted}
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

// changesSince renders changes.md against the previous results; nil when
// there are none. A broken template stays a *report.TemplateError.
func changesSince(ctx context.Context, previous string, res *assessment.Results, opts report.Options) ([]byte, error) {
	if previous == "" {
		return nil, nil
	}
	prev, err := report.LoadResults(previous)
	if err != nil {
		return nil, input.Problemf("", "--previous: %v", input.PathErr(err))
	}
	changes, err := report.ChangesMarkdownContext(ctx, assessment.Diff(prev, res), previous, "this assessment", opts)
	if err != nil {
		return nil, fmt.Errorf("rendering changes.md: %w", err)
	}
	return changes, nil
}

// DescribeEvidence gives each evidence file of the results its size,
// SHA-256 and path in the package, so the report says exactly what was
// attached. A file gone since it was packed is the user's problem.
func DescribeEvidence(res *assessment.Results, a *answers.File, packed *PackedEvidence) error {
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
				return input.Problemf("evidence paths are relative to the answers file's folder", "%s: control %s: evidence %q: %v", a.Path, c.ID, e.Source, input.PathErr(err))
			}
			h := sha256.New()
			n, err := io.Copy(h, f)
			f.Close()
			if err != nil {
				return fmt.Errorf("%s: control %s: reading evidence %q: %v", a.Path, c.ID, e.Source, err)
			}
			e.SHA256, e.Size, e.Packed = hex.EncodeToString(h.Sum(nil)), n, np
		}
	}
	return nil
}

// ReportDate is the date a package of res carries: $SOURCE_DATE_EPOCH when
// set, else when the assessment finished, else now.
func ReportDate(res *assessment.Results, getenv func(string) string, now time.Time) (time.Time, error) {
	if !res.FinishedAt.IsZero() {
		now = res.FinishedAt
	}
	return SourceDate(getenv, now.UTC())
}

// ResultsChecklist is the checklist a package re-made from saved results
// holds: the one named (--checklist), else the built-in the results name;
// nil when neither. It must be the checklist the results were evaluated
// against: a named one that is not is the user's mistake; a built-in that
// changed since is left out, and warning says so. With a, the packaged
// answers are written in the checklist's order.
func ResultsChecklist(res *assessment.Results, named string, a *answers.File) (cl *checklist.Checklist, warning string, err error) {
	ref := named
	if ref == "" && checklist.IsBuiltin(res.Checklist.ID) {
		ref = res.Checklist.ID
	}
	if ref == "" {
		return nil, "", nil
	}
	if cl, err = checklist.Resolve(ref); err != nil {
		return nil, "", input.Problemf("", "--checklist: %v", input.PathErr(err))
	}
	if res.Checklist.SHA256 != "" && cl.SHA256 != "" && cl.SHA256 != res.Checklist.SHA256 {
		if named != "" {
			return nil, "", input.Problemf("name the checklist file the assessment used", "--checklist %s (sha256 %.12s…) is not the checklist these results were evaluated against (sha256 %.12s…)", ref, cl.SHA256, res.Checklist.SHA256)
		}
		return nil, fmt.Sprintf("the built-in %s checklist changed since these results; checklist.yaml is left out (name it with --checklist)", ref), nil
	}
	if a != nil {
		// Only for the order Save writes in: re-making a package does not
		// judge the answers, so problems are ignored.
		_ = answers.Validate(a, cl)
	}
	return cl, "", nil
}
