package submission

import (
	"path/filepath"
	"sort"
	"testing"

	"github.com/selfassess/selfassess/internal/synthetic"
	"github.com/selfassess/selfassess/report"
)

// BenchmarkPackage500: a synthetic 500-control assessment rendered to every
// format, packed (folder + zip) and signed. The target is under a second.
func BenchmarkPackage500(b *testing.B) {
	res := synthetic.Results(500)
	s, err := EphemeralSigner()
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(b.TempDir(), "pkg")
	b.ReportAllocs()
	for b.Loop() {
		out, err := report.Render(res, report.FormatOrder, report.Options{Date: date, Signer: s.Fingerprint()})
		if err != nil {
			b.Fatal(err)
		}
		files := make([]File, 0, len(out))
		for n, data := range out {
			files = append(files, File{Name: n, Data: data})
		}
		sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
		if _, err := Build(dir, files, nil, Options{Signer: s, Date: date, Zip: ZipPathFor(dir)}); err != nil {
			b.Fatal(err)
		}
	}
}
