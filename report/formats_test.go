package report

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A package always holds results.json: verify, diff and the next run's
// changes.md read it.
func TestPackageFormats(t *testing.T) {
	assert.Equal(t, FormatOrder, PackageFormats(nil))
	assert.Equal(t, []string{"md", "json"}, PackageFormats([]string{"md"}))
	assert.Equal(t, []string{"json", "pdf"}, PackageFormats([]string{"json", "pdf"}))

	asked := make([]string, 1, 4)
	asked[0] = "sarif"
	got := PackageFormats(asked)
	got[0] = "md"
	assert.Equal(t, "sarif", asked[0], "the caller's list is not changed")
}
