package report

import (
	"os"
	"testing"
)

func TestQuickRender(t *testing.T) {
	r, err := LoadResults("../testdata/results/finhub-acme.json")
	if err != nil {
		t.Fatal(err)
	}
	out, err := Render(r, FormatOrder, Options{Signer: "SHA256:abc"})
	if err != nil {
		t.Fatal(err)
	}
	for n, b := range out {
		os.WriteFile("/tmp/t8/"+n, b, 0o644)
	}
}
