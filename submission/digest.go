package submission

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"

	"github.com/selfassess/selfassess/internal/input"
)

// maxResults bounds the results.json PackageDigest reads (as report.MaxResultsSize).
const maxResults = 64 << 20

// PackageDigest is the package digest a review names (the SHA-256 of
// SHA256SUMS) of the package folder holding resultsPath, after checking
// that its SHA256SUMS lists that results.json as it is: a review matches a
// previous submission only through its own, unmodified results.
func PackageDigest(resultsPath string) (string, error) {
	dir := filepath.Dir(resultsPath)
	sums, err := input.ReadFile(filepath.Join(dir, SumsFile), maxSums)
	if err != nil {
		return "", fmt.Errorf("%s is not in a package folder: %v", resultsPath, unwrapPath(err))
	}
	entries, err := ParseSums(sums)
	if err != nil {
		return "", err
	}
	data, err := input.ReadFile(resultsPath, maxResults)
	if err != nil {
		return "", unwrapPath(err)
	}
	h := sha256.Sum256(data)
	listed := false
	for _, e := range entries {
		if e.Name == filepath.Base(resultsPath) {
			listed = e.Hex == hex.EncodeToString(h[:])
		}
	}
	if !listed {
		return "", fmt.Errorf("%s does not match the %s beside it", resultsPath, SumsFile)
	}
	d := sha256.Sum256(sums)
	return hex.EncodeToString(d[:]), nil
}
