package cmd

import (
	"context"
	"net/url"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// sourceRef names a source tree for the report as the reviewer can look it
// up: the repository (remote URL without credentials) and the commit from
// git describe, plus the folder inside the repository. A local absolute
// path says nothing to the reviewer and tells them about the team's
// machine; without git, only the folder's name is given.
func sourceRef(ctx context.Context, dir string) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	git := func(args ...string) string {
		out, err := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...).Output()
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(out))
	}
	top := git("rev-parse", "--show-toplevel")
	abs, _ := filepath.Abs(dir)
	if top == "" {
		return "source folder " + filepath.Base(abs) + " (not a git checkout)"
	}
	repo := remoteName(git("remote", "get-url", "origin"))
	if repo == "" {
		repo = filepath.Base(top)
	}
	ref := repo
	if rev := git("describe", "--always", "--dirty", "--tags"); rev != "" {
		ref += " @ " + rev
	}
	if rel, err := filepath.Rel(top, abs); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
		ref += " (folder " + filepath.ToSlash(rel) + ")"
	}
	return ref
}

// remoteName is a remote URL without user, password or token, and without
// a trailing .git: https://x-token:…@github.com/acme/app.git and
// git@github.com:acme/app.git both give github.com/acme/app.
func remoteName(raw string) string {
	if raw == "" {
		return ""
	}
	var host, p string
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		host, p = u.Hostname(), u.Path
		if port := u.Port(); port != "" && u.Scheme != "ssh" {
			host += ":" + port
		}
	} else if at, rest, ok := strings.Cut(raw, "@"); ok && strings.Contains(rest, ":") && !strings.Contains(at, "/") {
		host, p, _ = strings.Cut(rest, ":") // scp-like: git@host:owner/repo
	} else {
		return filepath.Base(strings.TrimSuffix(raw, ".git")) // a local path: its name only
	}
	p = strings.TrimSuffix(strings.Trim(path.Clean("/"+p), "/"), ".git")
	return host + "/" + p
}
