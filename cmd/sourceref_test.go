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
