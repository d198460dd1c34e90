// Package report renders Results as Markdown, PDF, JSON, JUnit and SARIF.
// It is the only package that imports the PDF library.
package report

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/selfassess/selfassess/assessment"
)

// STUB: replaced by the renderers.

// Options control rendering.
type Options struct {
	// TemplateDir overrides the embedded Markdown templates.
	TemplateDir string
	// Signer is the signing key's fingerprint for the signature block ("" = unsigned).
	Signer string
	// Date is the report date (from SOURCE_DATE_EPOCH when set, for reproducible output).
	Date time.Time
}

// Formats are the renderable formats and the file each is written to.
var Formats = map[string]string{
	"md":    "report.md",
	"pdf":   "report.pdf",
	"json":  "results.json",
	"junit": "junit.xml",
	"sarif": "results.sarif",
}

// Render renders the named formats and returns file name → content.
func Render(r *assessment.Results, formats []string, opts Options) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, f := range formats {
		switch f {
		case "json":
			b, err := JSON(r)
			if err != nil {
				return nil, err
			}
			out[Formats[f]] = b
		default:
			return nil, errors.New("format " + f + " not implemented")
		}
	}
	return out, nil
}

// JSON renders results.json.
func JSON(r *assessment.Results) ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
