package cmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/checklist"
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
}

// outputSummary says what was written.
type outputSummary struct {
	Dir    string
	Zip    string
	Files  []string // paths of every file in the package folder
	Signer string   // key fingerprint, "" when unsigned
	// SignedWith says where the key came from ("key file …", "ssh-agent", …).
	SignedWith string
}

// writeOutputs renders the reports and assembles the (signed) package in
// in.OutDir, with its zip next to it (OUT.zip). It fills res.Signer. Errors
// are *ExitError: 2 for bad keys/inputs, 3 when writing or signing fails.
func writeOutputs(ios *IOStreams, res *assessment.Results, in outputInput) (outputSummary, error) {
	date, err := reportDate(ios, res)
	if err != nil {
		return outputSummary{}, err
	}
	formats := in.Formats
	if len(formats) == 0 {
		formats = report.FormatOrder
	}
	if !contains(formats, "json") {
		formats = append(append([]string(nil), formats...), "json")
	}
	for _, f := range formats {
		if _, ok := report.Formats[f]; !ok {
			return outputSummary{}, usageErr("", "unknown report format %q (want %s)", f, strings.Join(report.FormatOrder, ", "))
		}
	}

	// Everything that can fail on the user's input comes before any write.
	if fi, err := os.Stat(in.OutDir); err == nil && !fi.IsDir() {
		return outputSummary{}, usageErr("name a folder (it is created when missing)", "--out %s: is a file, not a folder", in.OutDir)
	}
	var changes []byte
	if in.PreviousPath != "" {
		prev, err := report.LoadResults(in.PreviousPath)
		if err != nil {
			return outputSummary{}, usageErr("", "--previous: %v", pathErr(err))
		}
		changes, err = report.ChangesMarkdown(assessment.Diff(prev, res), in.PreviousPath, "this assessment", in.TemplateDir)
		if err != nil {
			return outputSummary{}, usageErr("", "rendering changes.md: %v", err)
		}
	}
	evidence, packed, err := evidenceFiles(in.Answers)
	if err != nil {
		return outputSummary{}, err
	}
	var answersYAML []byte
	if in.Answers != nil {
		if answersYAML, err = packagedAnswers(in.Answers, packed); err != nil {
			return outputSummary{}, runtimeErr("", "answers: %v", err)
		}
	}
	signer, err := loadSigner(ios, in)
	if err != nil {
		return outputSummary{}, err
	}
	defer signer.Close()
	fp := ""
	if signer != nil {
		fp = signer.Fingerprint()
	}
	res.Signer = fp

	rendered, err := report.Render(res, formats, report.Options{TemplateDir: in.TemplateDir, Signer: fp, Date: date})
	if err != nil {
		if in.TemplateDir != "" && strings.HasPrefix(err.Error(), "rendering "+report.Formats["md"]) {
			return outputSummary{}, usageErr("", "--template-dir: %v", err) // the user's template is broken
		}
		return outputSummary{}, runtimeErr("", "%v", err)
	}
	var files []submission.File
	for name, b := range rendered {
		files = append(files, submission.File{Name: name, Data: b})
	}
	if answersYAML != nil {
		files = append(files, submission.File{Name: "answers.yaml", Data: answersYAML})
	}
	if in.Checklist != nil && len(in.Checklist.Raw) > 0 {
		files = append(files, submission.File{Name: "checklist.yaml", Data: in.Checklist.Raw})
	}
	if changes != nil {
		files = append(files, submission.File{Name: "changes.md", Data: changes})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })

	opts := submission.Options{Date: date, Zip: submission.ZipPathFor(in.OutDir)}
	if signer != nil {
		opts.Signer = signer
	}
	pkg, err := submission.Build(in.OutDir, files, evidence, opts)
	if err != nil {
		var ie *submission.InputError
		if errors.As(err, &ie) {
			return outputSummary{}, usageErr(ie.Hint, "%v", ie.Err)
		}
		return outputSummary{}, runtimeErr("", "writing the package to %s: %v", in.OutDir, err)
	}
	if signer == nil {
		fmt.Fprintf(ios.ErrOut, "selfassess: warning: the package is NOT signed (no --sign-key or %s); VERIFY.md says so\n", submission.EnvSigningKey)
	}
	if len(pkg.Foreign) > 0 {
		fmt.Fprintf(ios.ErrOut, "selfassess: warning: %s also holds files that are not part of the package (%s); send the zip\n", in.OutDir, strings.Join(firstN(pkg.Foreign, 5), ", "))
	}
	sum := outputSummary{Dir: pkg.Dir, Zip: pkg.Zip, Signer: fp}
	if signer != nil {
		sum.SignedWith = signer.From
	}
	for _, f := range pkg.Files {
		sum.Files = append(sum.Files, filepath.Join(pkg.Dir, filepath.FromSlash(f)))
	}
	return sum, nil
}

// reportDate is SOURCE_DATE_EPOCH when set (reproducible builds), else when the assessment finished.
func reportDate(ios *IOStreams, res *assessment.Results) (time.Time, error) {
	if v := strings.TrimSpace(ios.Getenv("SOURCE_DATE_EPOCH")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return time.Time{}, usageErr("set it to seconds since 1970-01-01 UTC", "SOURCE_DATE_EPOCH=%q is not a number of seconds", v)
		}
		return time.Unix(n, 0).UTC(), nil
	}
	if !res.FinishedAt.IsZero() {
		return res.FinishedAt.UTC(), nil
	}
	return time.Now().UTC(), nil
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
		var ie *submission.InputError
		if errors.As(err, &ie) {
			return nil, usageErr(ie.Hint, "%v", ie.Err)
		}
		return nil, runtimeErr("", "%v", err)
	}
	return s, nil
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

// evidenceRef is one evidence path as an answers file names it.
type evidenceRef struct{ control, path string }

// evidenceFiles lists the answers' evidence files, resolved against the
// answers file's folder, as evidence/CONTROL/NAME; packed maps each
// evidence path of the answers to its path in the package.
func evidenceFiles(a *answers.File) (files []submission.EvidenceFile, packed map[evidenceRef]string, err error) {
	if a == nil {
		return nil, nil, nil
	}
	packed = map[evidenceRef]string{}
	base := filepath.Dir(a.Path)
	ids := make([]string, 0, len(a.Controls))
	for id := range a.Controls {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []submission.EvidenceFile
	seen := map[string]string{} // package name → source path
	for _, id := range ids {
		c := a.Controls[id]
		if c == nil {
			continue
		}
		for _, p := range c.Evidence {
			src := p
			if !filepath.IsAbs(src) {
				src = filepath.Join(base, filepath.FromSlash(p))
			}
			// Two files with one base name (docs/a/x.pdf, docs/b/x.pdf) both go
			// in, as x.pdf and x-2.pdf; the same file named twice goes in once.
			base := safeSegment(filepath.Base(src))
			name, dup := path.Join(safeSegment(id), base), false
			for n := 2; seen[name] != "" && !dup; n++ {
				if dup = filepath.Clean(seen[name]) == filepath.Clean(src); !dup {
					ext := path.Ext(base)
					name = path.Join(safeSegment(id), fmt.Sprintf("%s-%d%s", strings.TrimSuffix(base, ext), n, ext))
				}
			}
			packed[evidenceRef{id, p}] = path.Join(submission.EvidenceDir, name)
			if dup {
				continue
			}
			seen[name] = src
			fi, err := os.Lstat(src)
			if err != nil {
				return nil, nil, usageErr("evidence paths are relative to the answers file's folder", "%s: control %s: evidence %q: %v", a.Path, id, p, errors.Unwrap(err))
			}
			if !fi.Mode().IsRegular() {
				return nil, nil, usageErr("name the file itself, not a link or folder", "%s: control %s: evidence %q is not a regular file", a.Path, id, p)
			}
			out = append(out, submission.EvidenceFile{Name: name, Src: src})
		}
	}
	return out, packed, nil
}

// safeSegment keeps a path segment free of separators and dot-dot.
func safeSegment(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < 32 {
			return '_'
		}
		return r
	}, s)
	if s == "" || s == "." || s == ".." {
		return "_"
	}
	return s
}

// packagedAnswers is the answers file for the package: its evidence paths
// name the packed copies (evidence/CONTROL/NAME, relative to the package
// root where answers.yaml sits), so they resolve inside the unpacked
// package. Without evidence the file goes in exactly as saved; with it, it
// is marshalled by the answers package, which keeps comments and order.
// The team's own file is not touched.
func packagedAnswers(a *answers.File, packed map[evidenceRef]string) ([]byte, error) {
	raw, err := savedAnswers(a)
	if err != nil {
		return nil, err
	}
	moved := false
	cp := *a
	cp.Controls = make(map[string]*answers.Control, len(a.Controls))
	for id, c := range a.Controls {
		if c == nil || len(c.Evidence) == 0 {
			cp.Controls[id] = c
			continue
		}
		cc := *c
		cc.Evidence = make([]string, len(c.Evidence))
		for i, p := range c.Evidence {
			cc.Evidence[i] = p
			if np, ok := packed[evidenceRef{id, p}]; ok && np != p {
				cc.Evidence[i], moved = np, true
			}
		}
		cp.Controls[id] = &cc
	}
	if raw != nil && !moved {
		return raw, nil
	}
	return answers.Marshal(&cp)
}

// savedAnswers is the answers file as saved; nil when it was never saved.
func savedAnswers(a *answers.File) ([]byte, error) {
	if a.Path == "" {
		return nil, nil
	}
	f, err := os.Open(a.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, 16<<20))
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
