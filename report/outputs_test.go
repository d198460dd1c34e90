package report

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestOutputSummary(t *testing.T) {
	dir := filepath.Join("out", "acme")
	var b bytes.Buffer
	OutputSummary(&b, Outputs{Dir: dir, Files: []string{filepath.Join(dir, "report.md"), filepath.Join(dir, "evidence", "C-1", "policy.pdf")},
		Zip: "out/acme.zip", Signer: "SHA256:abc", PDFSigned: true})
	assert.Equal(t, "\nResults written to "+dir+" (report.md, evidence/C-1/policy.pdf)\nPackage: out/acme.zip\nSigned by SHA256:abc (SHA256SUMS and report.pdf)\n", b.String())

	b.Reset()
	OutputSummary(&b, Outputs{Dir: dir})
	assert.Equal(t, "\nResults written to "+dir+"\n", b.String(), "unsigned, no zip, no files")
}
