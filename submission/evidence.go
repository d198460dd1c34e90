package submission

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/internal/evidence"
	"github.com/selfassess/selfassess/internal/input"
)

// PackedEvidence is an answers file's evidence as the package holds it.
type PackedEvidence struct {
	// Files are the evidence files to copy, as evidence/CONTROL/NAME.
	Files []EvidenceFile
	// Answers is the package's answers.yaml: its evidence paths name the
	// packed copies. nil when there is no answers file.
	Answers []byte

	packed map[evidenceRef]string
}

// PackedPath is where the evidence file path of control sits in the
// package (evidence/CONTROL/NAME).
func (p *PackedEvidence) PackedPath(control, path string) (string, bool) {
	s, ok := p.packed[evidenceRef{control, path}]
	return s, ok
}

// Contents are a package's own files, besides the evidence copies and
// what Build adds (VERIFY.md, allowed_signers, SHA256SUMS and its signature).
type Contents struct {
	Reports   map[string][]byte // file name → rendered report
	Answers   []byte            // answers.yaml (PackedEvidence.Answers); nil = none
	Checklist []byte            // checklist.yaml as evaluated; nil = none
	Changes   []byte            // changes.md against the previous results; nil = none
	// Review are the previous review's files (named review/…), which the
	// package responds to.
	Review []File
}

// Files lists the contents by name, for Build.
func (c Contents) Files() []File {
	var files []File
	for name, b := range c.Reports {
		files = append(files, File{Name: name, Data: b})
	}
	for _, f := range []File{{"answers.yaml", c.Answers}, {"checklist.yaml", c.Checklist}, {"changes.md", c.Changes}} {
		if f.Data != nil {
			files = append(files, f)
		}
	}
	files = append(files, c.Review...)
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files
}

// evidenceRef is one evidence path as an answers file names it.
type evidenceRef struct{ control, path string }

// PackEvidence names the answers' evidence files in the package and
// rewrites the answers to point at them. Every file goes through chk (nil:
// the answers file's folder is the project folder): a file outside it, not
// regular, or holding a secret the team did not opt in for is an
// *InputError naming the control and the path.
func PackEvidence(ctx context.Context, a *answers.File, chk *evidence.Checker) (*PackedEvidence, error) {
	if a == nil {
		return &PackedEvidence{}, nil
	}
	if chk == nil {
		var err error
		if chk, err = evidence.NewChecker(filepath.Dir(a.Path)); err != nil {
			return nil, inputErr("", err)
		}
	}
	files, packed, err := evidenceFiles(ctx, a, chk)
	if err != nil {
		return nil, err
	}
	b, err := packagedAnswers(a, packed)
	if err != nil {
		return nil, fmt.Errorf("answers: %w", err)
	}
	return &PackedEvidence{Files: files, Answers: b, packed: packed}, nil
}

// EvidenceErrors are the evidence files CheckEvidence refused, each a
// positioned problem naming the control (as controls.ID.evidence[N]) and
// the path as written; Hints[i] says how to fix List[i].
type EvidenceErrors struct {
	input.Errors
	Hints []string
}

// CheckEvidence applies chk to every evidence file of the answers, before
// anything is asked or probed. Problems are *EvidenceErrors; a cancelled
// ctx is its error.
func CheckEvidence(ctx context.Context, a *answers.File, chk *evidence.Checker) error {
	errs := &EvidenceErrors{}
	for _, id := range sortedControls(a) {
		c := a.Controls[id]
		for i, p := range c.Evidence {
			_, err := chk.Check(ctx, filepath.Dir(a.Path), p, c.AllowsSecret(p))
			var e *evidence.Error
			if errors.As(err, &e) {
				field := fmt.Sprintf("controls.%s.evidence[%d]", id, i)
				line, col := a.Pos(field)
				errs.List = append(errs.List, input.FieldError{File: a.Path, Line: line, Col: col, Path: field, Msg: e.Error()})
				errs.Hints = append(errs.Hints, e.Hint)
			} else if err != nil {
				return err
			}
		}
	}
	if len(errs.List) > 0 {
		return errs
	}
	return nil
}

func sortedControls(a *answers.File) []string {
	ids := make([]string, 0, len(a.Controls))
	for id, c := range a.Controls {
		if c != nil {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// evidenceFiles lists the answers' evidence files, checked by chk, as
// evidence/CONTROL/NAME; packed maps each evidence path of the answers to
// its path in the package.
func evidenceFiles(ctx context.Context, a *answers.File, chk *evidence.Checker) (files []EvidenceFile, packed map[evidenceRef]string, err error) {
	packed = map[evidenceRef]string{}
	base := filepath.Dir(a.Path)
	seen := map[string]string{} // package name → resolved source path
	for _, id := range sortedControls(a) {
		c := a.Controls[id]
		for _, p := range c.Evidence {
			f, err := chk.Check(ctx, base, p, c.AllowsSecret(p))
			var e *evidence.Error
			if errors.As(err, &e) {
				return nil, nil, inputErr(e.Hint, fmt.Errorf("%s: control %s: %v", a.Path, id, e))
			} else if err != nil {
				return nil, nil, err
			}
			src := f.Real
			// Two files with one base name (docs/a/x.pdf, docs/b/x.pdf) both go
			// in, as x.pdf and x-2.pdf; the same file named twice goes in once.
			base := safeSegment(filepath.Base(filepath.FromSlash(p)))
			name, dup := path.Join(safeSegment(id), base), false
			for n := 2; seen[name] != "" && !dup; n++ {
				if dup = seen[name] == src; !dup {
					ext := path.Ext(base)
					name = path.Join(safeSegment(id), fmt.Sprintf("%s-%d%s", strings.TrimSuffix(base, ext), n, ext))
				}
			}
			packed[evidenceRef{id, p}] = path.Join(EvidenceDir, name)
			if dup {
				continue
			}
			seen[name] = src
			files = append(files, EvidenceFile{Name: name, Src: src, Info: f.Info})
		}
	}
	return files, packed, nil
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
