package report

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// Outputs is where a run wrote its results.
type Outputs struct {
	Dir       string
	Files     []string // paths of every file in the package folder
	Zip       string   // "" without a zip
	Signer    string   // key fingerprint, "" when unsigned
	PDFSigned bool     // report.pdf carries an embedded PDF signature
}

// OutputSummary writes where the results are: the folder and its files
// (relative to it: evidence/ID/file, not a bare name), the package, and
// who signed it.
func OutputSummary(w io.Writer, o Outputs) {
	fmt.Fprintf(w, "\nResults written to %s", o.Dir)
	if len(o.Files) > 0 {
		names := make([]string, len(o.Files))
		for i, f := range o.Files {
			names[i] = filepath.Base(f)
			if rel, err := filepath.Rel(o.Dir, f); err == nil {
				names[i] = filepath.ToSlash(rel)
			}
		}
		fmt.Fprintf(w, " (%s)", strings.Join(names, ", "))
	}
	fmt.Fprintln(w)
	if o.Zip != "" {
		fmt.Fprintf(w, "Package: %s\n", o.Zip)
	}
	if o.Signer != "" {
		fmt.Fprintf(w, "Signed by %s", o.Signer)
		if o.PDFSigned {
			fmt.Fprint(w, " (SHA256SUMS and report.pdf)")
		}
		fmt.Fprintln(w)
	}
}
