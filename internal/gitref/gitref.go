// Package gitref names a source tree as a reviewer can look it up: the
// repository (remote URL without credentials), the commit and the folder
// inside the repository. A local absolute path says nothing to the
// reviewer and tells them about the team's machine.
package gitref

import (
	"context"
	"net/url"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Ref is where a source tree comes from.
type Ref struct {
	// Repo is the remote's name without credentials, or the checkout's
	// folder name when it has no origin; empty outside a git checkout.
	Repo string
	// Commit is git describe's name of the checked-out commit; may be empty.
	Commit string
	// Folder is the tree's folder inside the repository (empty at its
	// top); outside a git checkout, the folder's own name.
	Folder string
}

// Lookup asks git about dir; without git (or outside a checkout) only the
// folder's name is known.
func Lookup(ctx context.Context, dir string) Ref { return lookup(ctx, dir, true) }

// Name is Lookup(ctx, dir).Name() without asking for the commit (git
// describe --dirty reads every file's status).
func Name(ctx context.Context, dir string) string { return lookup(ctx, dir, false).Name() }

func lookup(ctx context.Context, dir string, commit bool) Ref {
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
		return Ref{Folder: filepath.Base(abs)}
	}
	r := Ref{Repo: remoteName(git("remote", "get-url", "origin"))}
	if commit {
		r.Commit = git("describe", "--always", "--dirty", "--tags")
	}
	if r.Repo == "" {
		r.Repo = filepath.Base(top)
	}
	if rel, err := filepath.Rel(top, abs); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
		r.Folder = filepath.ToSlash(rel)
	}
	return r
}

// Name is the tree without its commit: what probe results and finding
// fingerprints use, so that they stay the same from one commit (review
// round) and one machine to the next.
func (r Ref) Name() string {
	return r.format(false)
}

// String is the tree with its commit, for the report's Targets line.
func (r Ref) String() string {
	return r.format(true)
}

func (r Ref) format(commit bool) string {
	if r.Repo == "" {
		return "source folder " + r.Folder + " (not a git checkout)"
	}
	s := r.Repo
	if commit && r.Commit != "" {
		s += " @ " + r.Commit
	}
	if r.Folder != "" {
		s += " (folder " + r.Folder + ")"
	}
	return s
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
