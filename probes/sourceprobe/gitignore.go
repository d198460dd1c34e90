package sourceprobe

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"github.com/selfassess/selfassess/probes"
)

// ignoreSample is a file name that must be ignored at the top of the tree.
type ignoreSample struct {
	name     string
	pattern  string // the .gitignore line to suggest
	required bool   // fail when not ignored; otherwise warn
	// note: a well-known name the checklist does not ask for; reported as
	// information only
	note bool
}

// knownSamples are the file names that stand for the well-known patterns
// (the defaults of required and recommended): "secrets.*" is checked as
// secrets.json and secrets.yml, as a team would name them.
var knownSamples = map[string][]string{
	".env":             {".env"},
	".env.local":       {".env.local"},
	".env.*.local":     {".env.production.local"},
	"secrets.*":        {"secrets.json", "secrets.yml"},
	"*.key":            {"server.key"},
	"id_rsa":           {"id_rsa"},
	"id_ed25519":       {"id_ed25519"},
	"credentials.json": {"credentials.json"},
	"*.pem":            {"private.pem"},
	"*.p12":            {"keystore.p12"},
	"*.jks":            {"keystore.jks"},
	"*.pfx":            {"cert.pfx"},
	".netrc":           {".netrc"},
	".pypirc":          {".pypirc"},
}

// ignoreSamples turns source.gitignore's parameters into sample names: the
// required patterns fail when not ignored, the recommended ones warn, and
// the well-known patterns the checklist lists in neither are notes (a
// provider that names its own list is judged by that list).
func ignoreSamples(p probes.Params) []ignoreSample {
	const id = "source.gitignore"
	required, recommended := p.Strings(id, "required"), p.Strings(id, "recommended")
	var out []ignoreSample
	seen := map[string]bool{}
	add := func(pattern string, required, note bool) {
		if seen[pattern] {
			return
		}
		seen[pattern] = true
		names, ok := knownSamples[pattern]
		if !ok {
			names = []string{sampleName(pattern)}
		}
		for _, n := range names {
			out = append(out, ignoreSample{name: n, pattern: pattern, required: required, note: note})
		}
	}
	for _, pat := range required {
		add(pat, true, false)
	}
	for _, pat := range recommended {
		add(pat, false, false)
	}
	for _, def := range [][]string{defaultPatterns("required"), defaultPatterns("recommended")} {
		for _, pat := range def {
			add(pat, false, true)
		}
	}
	return out
}

func defaultPatterns(name string) []string {
	d, _ := probes.LookupParam("source.gitignore", name)
	list, _ := d.Default.([]string)
	return list
}

// sampleName makes a file name a gitignore pattern must cover: "config.json"
// itself, "*.secret" as "sample.secret", "private/" as "private/sample".
func sampleName(pattern string) string {
	p := strings.TrimPrefix(strings.TrimPrefix(pattern, "/"), "**/")
	dir := strings.HasSuffix(p, "/")
	p = strings.TrimSuffix(p, "/")
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '*':
			b.WriteString("sample")
		case '?':
			b.WriteByte('x')
		case '[':
			// a character class: its first member
			if j := strings.IndexByte(p[i+1:], ']'); j > 0 {
				cls := strings.TrimPrefix(p[i+1:i+1+j], "!")
				if cls != "" && cls[0] != '-' {
					b.WriteByte(cls[0])
				} else {
					b.WriteByte('x')
				}
				i += j + 1
				continue
			}
			b.WriteByte(c)
		case '\\':
			if i+1 < len(p) {
				i++
				b.WriteByte(p[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	name := strings.ReplaceAll(b.String(), "samplesample", "sample") // from "**"
	if dir {
		name += "/sample"
	}
	return name
}

// gitignoreObserved is source.gitignore's Observed block.
type gitignoreObserved struct {
	Mode        string   `json:"mode"`
	Note        string   `json:"note,omitempty"`
	Method      string   `json:"method"` // git check-ignore, or .gitignore parsed
	Checked     []string `json:"checked"`
	NotIgnored  []string `json:"not_ignored,omitempty"`
	SecretFiles []string `json:"secret_files,omitempty"`           // tracked (git) or present and not ignored (walk)
	Unignored   []string `json:"unignored_secret_files,omitempty"` // git: untracked and not ignored
	// NotRequired are well-known names left unignored that the checklist's
	// required and recommended patterns do not cover (notes only).
	NotRequired []string `json:"not_required,omitempty"`
}

// checkGitignore checks that secret-bearing files are ignored at the top of
// the tree and that none is tracked (or, outside git, present and not ignored).
func checkGitignore(ctx context.Context, tr *tree, p probes.Params) probes.Result {
	samples := ignoreSamples(p)
	names := make([]string, len(samples))
	for i, s := range samples {
		names[i] = s.name
	}
	obs := gitignoreObserved{Mode: tr.mode, Note: tr.note, Checked: names}
	var ignored map[string]bool
	var err error
	if tr.mode == "git" {
		obs.Method = "git check-ignore"
		ignored, err = gitCheckIgnore(ctx, tr.root, names)
	}
	if tr.mode != "git" || err != nil {
		obs.Method = ".gitignore parsed (top level only)"
		if err != nil {
			obs.Note = strings.TrimSpace(obs.Note + " " + err.Error())
		}
		ignored = parseGitignore(tr.root, names)
	}
	var fs []probes.Finding
	checked := 0
	for _, s := range samples {
		if !s.note {
			checked++
		}
		if ignored[s.name] {
			continue
		}
		if s.note {
			obs.NotRequired = append(obs.NotRequired, s.name)
			fs = append(fs, probes.Finding{Status: probes.Info, Rule: "gitignore-not-required",
				Message:  fmt.Sprintf("%s is not ignored (not required by this checklist; consider %q)", s.name, s.pattern),
				Location: ".gitignore", File: ".gitignore"})
			continue
		}
		obs.NotIgnored = append(obs.NotIgnored, s.name)
		st := probes.Warn
		if s.required {
			st = probes.Fail
		}
		fs = append(fs, probes.Finding{Status: st, Rule: "gitignore-missing",
			Message:  fmt.Sprintf("%s is not ignored; add %q to .gitignore", s.name, s.pattern),
			Location: ".gitignore", File: ".gitignore"})
	}
	// secret files that are tracked (git) or would be committed (walk)
	var candidates []string
	for _, rel := range tr.all {
		if isSecretFile(tr.root, rel) {
			candidates = append(candidates, rel)
		}
	}
	if tr.mode == "walk" && len(candidates) > 0 {
		ign := parseGitignorePaths(tr.root, candidates)
		var keep []string
		for _, c := range candidates {
			if !ign[c] {
				keep = append(keep, c)
			}
		}
		candidates = keep
	}
	for _, rel := range candidates {
		obs.SecretFiles = append(obs.SecretFiles, rel)
		st := probes.Fail
		msg := fmt.Sprintf("%s holds credentials and is tracked by git; remove it (git rm --cached %s), ignore it and rotate what it held", rel, rel)
		if tr.mode == "walk" {
			msg = fmt.Sprintf("%s holds credentials and is not ignored; it would be committed", rel)
		}
		if isTestPath(rel) {
			st = probes.Warn
			msg += " (in a test folder: make sure it is a throwaway test credential)"
		}
		fs = append(fs, probes.Finding{Status: st, Rule: "secret-file-tracked", Message: msg, Location: rel, File: rel})
	}
	if tr.mode == "git" {
		// untracked and not ignored: the next "git add ." commits it
		untracked, err := gitUntracked(ctx, tr.root)
		if err != nil {
			obs.Note = strings.TrimSpace(obs.Note + " " + err.Error())
		}
		for _, rel := range untracked {
			if inDir(rel, skipDirs) || inDir(rel, buildDirs) || !isSecretFile(tr.root, rel) {
				continue
			}
			obs.Unignored = append(obs.Unignored, rel)
			st := probes.Fail
			msg := fmt.Sprintf("%s holds credentials and is neither tracked nor ignored; the next \"git add .\" commits it", rel)
			if isTestPath(rel) {
				st = probes.Warn
			}
			fs = append(fs, probes.Finding{Status: st, Rule: "secret-file-unignored", Message: msg, Location: rel, File: rel})
		}
	}
	status := probes.Pass
	for _, f := range fs {
		if f.Status.Rank() > status.Rank() && f.Status != probes.Info {
			status = f.Status
		}
	}
	var summary string
	tracked := 0
	for _, f := range fs {
		if f.Rule == "secret-file-tracked" && f.Status == probes.Fail {
			tracked++
		}
	}
	switch {
	case tracked > 0:
		summary = fmt.Sprintf("%d secret %s tracked, first %s", tracked, plural(tracked, "file is", "files are"), obs.SecretFiles[0])
		if len(obs.NotIgnored) > 0 {
			summary += fmt.Sprintf("; %d secret file patterns not ignored", len(obs.NotIgnored))
		}
	case len(obs.Unignored) > 0:
		summary = fmt.Sprintf("%d secret %s neither tracked nor ignored, first %s", len(obs.Unignored), plural(len(obs.Unignored), "file is", "files are"), obs.Unignored[0])
	case len(obs.NotIgnored) > 0:
		summary = fmt.Sprintf("%d of %d secret file names not ignored: %s", len(obs.NotIgnored), checked, strings.Join(obs.NotIgnored, ", "))
	case len(fs) > len(obs.NotRequired):
		summary = fmt.Sprintf("secret file names ignored; %d test credential files tracked", len(fs)-len(obs.NotRequired))
	default:
		summary = fmt.Sprintf("all %d secret file names ignored, none tracked", checked)
	}
	if len(obs.NotRequired) > 0 {
		summary += fmt.Sprintf(" (not required, not ignored: %s)", strings.Join(obs.NotRequired, ", "))
	}
	return probes.Result{Status: status, Summary: summary, Observed: obs, Findings: fs}
}

// gitCheckIgnore asks git which names its ignore rules cover, as if each
// were a new file at the top of the tree. Only the repository's own
// .gitignore files count: a developer's global excludes file does not
// travel with the repository.
func gitCheckIgnore(ctx context.Context, root string, names []string) (map[string]bool, error) {
	ctx, cancel := context.WithTimeout(ctx, gitTimeout)
	defer cancel()
	args := append([]string{"-c", "core.excludesFile=" + os.DevNull, "check-ignore", "--no-index", "--"}, names...)
	cmd := gitCmd(ctx, root, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) { // 1: nothing ignored
		msg := strings.TrimSpace(stderr.String())
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		return nil, fmt.Errorf("git check-ignore failed (%s)", msg)
	}
	ignored := map[string]bool{}
	for _, p := range strings.Split(stdout.String(), "\n") {
		if p = strings.TrimSpace(p); p != "" {
			ignored[p] = true
		}
	}
	return ignored, nil
}

// gitignoreRule is one line of a .gitignore.
type gitignoreRule struct {
	pattern string
	negate  bool
	dirOnly bool
	rooted  bool // had a slash: matches the whole relative path
}

func readGitignore(root string) []gitignoreRule {
	f, err := os.Open(filepath.Join(root, ".gitignore"))
	if err != nil {
		return nil
	}
	defer f.Close()
	var rules []gitignoreRule
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " \t\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var r gitignoreRule
		if strings.HasPrefix(line, "!") {
			r.negate, line = true, line[1:]
		}
		line = strings.TrimPrefix(line, `\`)
		if strings.HasSuffix(line, "/") {
			r.dirOnly, line = true, strings.TrimSuffix(line, "/")
		}
		line = strings.TrimPrefix(line, "**/")
		if strings.Contains(line, "/") {
			r.rooted, line = true, strings.TrimPrefix(line, "/")
		}
		r.pattern = line
		rules = append(rules, r)
	}
	return rules
}

// parseGitignore reports which top-level names the top-level .gitignore ignores.
func parseGitignore(root string, names []string) map[string]bool {
	return parseGitignorePaths(root, names)
}

// parseGitignorePaths applies the top-level .gitignore to relative paths:
// enough to answer "is .env ignored", not a full gitignore implementation
// (nested .gitignore files are not read).
func parseGitignorePaths(root string, rels []string) map[string]bool {
	rules := readGitignore(root)
	out := map[string]bool{}
	for _, rel := range rels {
		ignored := false
		for _, r := range rules {
			if matchGitignore(r, rel) {
				ignored = !r.negate
			}
		}
		out[rel] = ignored
	}
	return out
}

func matchGitignore(r gitignoreRule, rel string) bool {
	parts := strings.Split(rel, "/")
	if r.rooted {
		// a rooted pattern matches the path or one of its parent folders
		for i := 1; i <= len(parts); i++ {
			if r.dirOnly && i == len(parts) {
				break
			}
			if ok, _ := path.Match(r.pattern, strings.Join(parts[:i], "/")); ok {
				return true
			}
		}
		return false
	}
	for i, seg := range parts {
		if r.dirOnly && i == len(parts)-1 {
			break
		}
		if ok, _ := path.Match(r.pattern, seg); ok {
			return true
		}
	}
	return false
}

// isSecretFile: a file whose name says it holds credentials (.env, id_rsa,
// credentials.json, keystores) or a key file holding a private key.
func isSecretFile(root, rel string) bool {
	base := path.Base(rel)
	lower := strings.ToLower(base)
	ext := path.Ext(lower)
	switch {
	case lower == ".env":
		return true
	case strings.HasPrefix(lower, ".env."):
		for _, s := range []string{"example", "sample", "template", "dist", "defaults", "default", "schema", "tpl", "test", "ci"} {
			if strings.HasSuffix(lower, "."+s) || strings.Contains(lower, "."+s+".") {
				return false
			}
		}
		return true
	case strings.HasPrefix(lower, "secrets.") && configExts[ext] && !strings.Contains(lower, "example") && !strings.Contains(lower, "sample"):
		return true
	case lower == "id_rsa" || lower == "id_dsa" || lower == "id_ecdsa" || lower == "id_ed25519":
		return true
	case lower == "credentials.json" || lower == ".netrc" || lower == ".pypirc" || lower == ".htpasswd" ||
		(strings.HasPrefix(lower, "service-account") && ext == ".json"):
		return true
	case ext == ".p12" || ext == ".pfx" || ext == ".jks" || ext == ".keystore":
		return true
	case ext == ".key" || ext == ".pem":
		return holdsPrivateKey(filepath.Join(root, filepath.FromSlash(rel)))
	}
	return false
}

// holdsPrivateKey reads at most 64 KiB of a .key/.pem file: a certificate
// or public key may be committed, a private key may not.
func holdsPrivateKey(p string) bool {
	st, err := os.Lstat(p)
	if err != nil || !st.Mode().IsRegular() {
		return false
	}
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	n, _ := io.ReadFull(f, buf)
	head := buf[:n]
	if bytes.Contains(head, []byte("PRIVATE KEY")) {
		return true
	}
	// a binary (DER) .key is a private key too
	return n > 0 && !bytes.Contains(head, []byte("-----BEGIN")) && bytes.IndexByte(head, 0) >= 0
}

// maxUntracked bounds the untracked files listed (a tree without a
// .gitignore can hold a whole node_modules).
const maxUntracked = 100_000

// gitUntracked lists untracked files that no ignore rule covers.
func gitUntracked(ctx context.Context, root string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, gitTimeout)
	defer cancel()
	cmd := gitCmd(ctx, root, "ls-files", "-z", "--others", "--exclude-standard")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("git ls-files --others failed (%s)", firstLineOf(stderr.String()))
	}
	var out []string
	for _, p := range bytes.Split(stdout.Bytes(), []byte{0}) {
		if len(p) > 0 && len(out) < maxUntracked {
			out = append(out, string(p))
		}
	}
	return out, nil
}

func firstLineOf(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
