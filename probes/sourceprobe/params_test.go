package sourceprobe

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/probes"
)

// scan is Scan with source.gitignore's parameters (nil: the defaults).
func scan(ctx context.Context, dir string, ids []string, gitignore probes.Params) []probes.Result {
	d := probes.Config{}.Defaults()
	return scanTimed(ctx, dir, ids, gitignore, d.Timeout, d.History)
}

func TestSampleName(t *testing.T) {
	for pattern, want := range map[string]string{
		"config.json":  "config.json",
		"*.secret":     "sample.secret",
		"/local.env":   "local.env",
		"**/creds.txt": "creds.txt",
		"private/":     "private/sample",
		"key?.txt":     "keyx.txt",
		"[Cc]reds":     "Creds",
		`\#notes`:      "#notes",
	} {
		assert.Equal(t, want, sampleName(pattern), pattern)
	}
}

// Outside git the top-level .gitignore is parsed: the checklist's required
// patterns fail when not covered, well-known names it does not ask for are
// notes that leave the verdict alone, and a secret file present and not
// ignored fails whatever the list says.
func TestGitignoreParameters(t *testing.T) {
	write := func(dir string, files map[string]string) {
		for name, body := range files {
			require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600))
		}
	}
	check := func(gitignore string, extra map[string]string, p probes.Params) probes.Result {
		t.Helper()
		dir := t.TempDir()
		write(dir, map[string]string{".gitignore": gitignore, "main.go": "package main\n"})
		write(dir, extra)
		rs := scan(context.Background(), dir, []string{idGitignore}, probes.Resolve(idGitignore, p))
		require.Len(t, rs, 1)
		return rs[0]
	}
	fincept := probes.Params{"required": []string{".env", ".env.local", "config.json", "secrets.*", "*.key"}, "recommended": []string{}}

	r := check(".env\n.env.local\nconfig.json\nsecrets.*\n*.key\n", nil, fincept)
	assert.Equal(t, probes.Pass, r.Status, r.Summary)
	assert.Contains(t, r.Summary, "not required, not ignored: .env.production.local, id_rsa, id_ed25519, credentials.json")
	assert.Equal(t, []string{".env", ".env.local", "config.json", "secrets.json", "secrets.yml", "server.key",
		".env.production.local", "id_rsa", "id_ed25519", "credentials.json", "private.pem", "keystore.p12", "keystore.jks", "cert.pfx", ".netrc", ".pypirc"},
		r.Observed.(gitignoreObserved).Checked)

	r = check(".env\n.env.local\nsecrets.*\n*.key\n", nil, fincept)
	assert.Equal(t, probes.Fail, r.Status, r.Summary)
	assert.Contains(t, r.Summary, "1 of 6 secret file names not ignored: config.json")

	r = check(".env\n.env.local\nconfig.json\nsecrets.*\n*.key\n", map[string]string{"id_rsa": "-----BEGIN OPENSSH PRIVATE KEY-----\n"}, fincept)
	assert.Equal(t, probes.Fail, r.Status, r.Summary)
	assert.True(t, strings.HasPrefix(r.Summary, "1 secret file is tracked, first id_rsa"), r.Summary)

	// recommended patterns warn
	r = check(".env\n.env.local\nconfig.json\nsecrets.*\n*.key\n", nil, probes.Params{"required": fincept["required"], "recommended": []string{"*.pem"}})
	assert.Equal(t, probes.Warn, r.Status, r.Summary)
}

// Two .gitignore lists are checked against one listing of the tree, and
// the files are scanned once: the second list costs no second walk.
func TestGitignoreParameterSetsShareOneListing(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".gitignore"), []byte(".env\n*.key\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n"), 0o600))
	sets := map[string][]probes.Params{idGitignore: {
		{"required": []string{".env", "*.key"}, "recommended": []string{}},
		{"required": []string{".env", "*.key", "config.json"}, "recommended": []string{}},
	}}
	before := treeListings.Load()
	rs := probes.Run(context.Background(), []probes.Family{NewFamily()}, []probes.Target{{Kind: probes.KindSource, Value: dir}},
		probes.Config{ParamSets: sets})
	assert.EqualValues(t, 1, treeListings.Load()-before, "tree listings for two .gitignore lists")
	var got []probes.Status
	for _, r := range rs {
		if r.ID == idGitignore {
			got = append(got, r.Status)
		}
	}
	assert.Equal(t, []probes.Status{probes.Pass, probes.Fail}, got, "config.json is not ignored")
	assert.Len(t, rs, len(allIDs)+1)
}
