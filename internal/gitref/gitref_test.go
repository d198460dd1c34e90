package gitref

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/selfassess/selfassess/internal/testenv"
)

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

// A real checkout: the name keeps the repository and folder and drops the
// commit, which the Targets line (String) keeps.
func TestLookupCheckout(t *testing.T) {
	git := testenv.RequireTool(t, "git")
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(git, append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v: %s", args, err, out)
		}
	}
	run("init", "-q")
	run("remote", "add", "origin", "https://x-access-token:ghp_secret1234@github.com/acme/app.git")
	svc := filepath.Join(dir, "svc")
	if err := os.MkdirAll(svc, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(svc, "main.go"), []byte("package main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run("add", ".")
	run("commit", "-q", "-m", "one")
	first := Lookup(context.Background(), svc)
	if got, want := first.Name(), "github.com/acme/app (folder svc)"; got != want {
		t.Errorf("Name() = %q, want %q", got, want)
	}
	if s := first.String(); !strings.HasPrefix(s, "github.com/acme/app @ ") || !strings.HasSuffix(s, " (folder svc)") || first.Commit == "" {
		t.Errorf("String() = %q, want the repository, the commit and the folder", s)
	}
	run("commit", "-q", "--allow-empty", "-m", "two")
	second := Lookup(context.Background(), svc)
	if second.Commit == first.Commit {
		t.Fatalf("the commit did not change: %q", second.Commit)
	}
	if second.Name() != first.Name() || Name(context.Background(), svc) != first.Name() {
		t.Errorf("the name changed with the commit: %q, then %q", first.Name(), second.Name())
	}
	if top := Lookup(context.Background(), dir).Name(); top != "github.com/acme/app" {
		t.Errorf("top of the checkout: %q", top)
	}
	for _, s := range []string{first.Name(), first.String()} {
		if strings.Contains(s, "ghp_secret") || strings.Contains(s, dir) {
			t.Errorf("%q holds a credential or the local path", s)
		}
	}
}

func TestLookupOutsideGit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tree")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r := Lookup(context.Background(), dir)
	want := "source folder tree (not a git checkout)"
	if r.Name() != want || r.String() != want {
		t.Errorf("Name() = %q, String() = %q, want %q", r.Name(), r.String(), want)
	}
}
