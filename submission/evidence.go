package submission

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/selfassess/selfassess/answers"
)

// PackedEvidence is an answers file's evidence as the package holds it.
type PackedEvidence struct {
	// Files are the evidence files to copy, as evidence/CONTROL/NAME.
	Files []EvidenceFile
	// Answers is the package's answers.yaml: its evidence paths name the
	// packed copies. nil when there is no answers file.
	Answers []byte
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
// rewrites the answers to point at them. A missing or irregular evidence
// file is an *InputError.
func PackEvidence(a *answers.File) (*PackedEvidence, error) {
	if a == nil {
		return &PackedEvidence{}, nil
	}
	files, packed, err := evidenceFiles(a)
	if err != nil {
		return nil, err
	}
	b, err := packagedAnswers(a, packed)
	if err != nil {
		return nil, fmt.Errorf("answers: %w", err)
	}
	return &PackedEvidence{Files: files, Answers: b}, nil
}

// evidenceFiles lists the answers' evidence files, resolved against the
// answers file's folder, as evidence/CONTROL/NAME; packed maps each
// evidence path of the answers to its path in the package.
func evidenceFiles(a *answers.File) (files []EvidenceFile, packed map[evidenceRef]string, err error) {
	packed = map[evidenceRef]string{}
	base := filepath.Dir(a.Path)
	ids := make([]string, 0, len(a.Controls))
	for id := range a.Controls {
		ids = append(ids, id)
	}
	sort.Strings(ids)
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
			packed[evidenceRef{id, p}] = path.Join(EvidenceDir, name)
			if dup {
				continue
			}
			seen[name] = src
			fi, err := os.Lstat(src)
			if err != nil {
				return nil, nil, inputErr("evidence paths are relative to the answers file's folder",
					fmt.Errorf("%s: control %s: evidence %q: %v", a.Path, id, p, errors.Unwrap(err)))
			}
			if !fi.Mode().IsRegular() {
				return nil, nil, inputErr("name the file itself, not a link or folder",
					fmt.Errorf("%s: control %s: evidence %q is not a regular file", a.Path, id, p))
			}
			files = append(files, EvidenceFile{Name: name, Src: src})
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
