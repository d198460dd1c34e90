package report

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/selfassess/selfassess/internal/input"
)

// RefuseInput is an *input.Problem when writing any of names into dir
// would overwrite src, the results file being re-rendered ("" = none).
func RefuseInput(dir string, names []string, src string) error {
	if src == "" {
		return nil
	}
	for _, n := range names {
		if sameFile(filepath.Join(dir, n), src) {
			return input.Problemf("choose another --out", "refusing to overwrite the input %s", src)
		}
	}
	return nil
}

// WriteFiles writes rendered files (name → content) into dir, created when
// missing, in name order, and returns the paths written, also when a later
// write fails. src is the results file they were rendered from: when one of
// them would replace it, nothing is written.
func WriteFiles(dir string, files map[string][]byte, src string) ([]string, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	if err := RefuseInput(dir, names, src); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %v", dir, input.PathErr(err))
	}
	var written []string
	for _, n := range names {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, files[n], 0o644); err != nil {
			return written, fmt.Errorf("writing %s: %v", p, input.PathErr(err))
		}
		written = append(written, p)
	}
	return written, nil
}

// sameFile reports whether a and b name the same existing file.
func sameFile(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}
