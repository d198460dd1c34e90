package cmd

import "testing"

func TestWrapTextBreaksAtSpacesOnly(t *testing.T) {
	in := "      fix:   Serve every endpoint over HTTPS only (TLS 1.2 or 1.3, modern suites), redirect HTTP\n" +
		"Section one                     2     0     0        0    0           0      0   and more columns here\n" +
		"short\n" +
		"Results written to out (SHA256SUMS, VERIFY.md, assessment-results.json-with-a-very-long-name-indeed)"
	want := "      fix:   Serve every endpoint over HTTPS only (TLS 1.2\n" +
		"        or 1.3, modern suites), redirect HTTP\n" +
		"Section one                     2     0     0        0    0           0      0   and more columns here\n" +
		"short\n" +
		"Results written to out (SHA256SUMS, VERIFY.md,\n" +
		"  assessment-results.json-with-a-very-long-name-indeed)"
	if got := wrapText(in, 60); got != want {
		t.Errorf("wrapText:\n%s\nwant:\n%s", got, want)
	}
	if got := wrapText(in, 0); got != in {
		t.Error("no width: unchanged")
	}
}
