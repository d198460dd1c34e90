package cmd

import "testing"

func TestRemoteNameDropsCredentials(t *testing.T) {
	for in, want := range map[string]string{
		"https://x-access-token:ghp_secret@github.com/acme/pay-app.git": "github.com/acme/pay-app",
		"https://github.com/acme/pay-app":                               "github.com/acme/pay-app",
		"git@github.com:acme/pay-app.git":                               "github.com/acme/pay-app",
		"ssh://git@gitlab.example:2222/team/app.git":                    "gitlab.example/team/app",
		"https://user@git.example:8443/a/b.git":                         "git.example:8443/a/b",
		"/srv/git/app.git":                                              "app",
	} {
		if got := remoteName(in); got != want {
			t.Errorf("remoteName(%q) = %q, want %q", in, got, want)
		}
	}
}

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
