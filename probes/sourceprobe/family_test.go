package sourceprobe

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/internal/testenv"
	"github.com/selfassess/selfassess/probes"
)

// files is a fixture tree: slash path -> content.
type files map[string]string

// writeFiles writes fs under a new temporary directory.
func writeFiles(t *testing.T, fs files) string {
	t.Helper()
	dir := t.TempDir()
	for p, c := range fs {
		full := filepath.Join(dir, filepath.FromSlash(p))
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(c), 0o644))
	}
	return dir
}

func requireGit(t *testing.T) {
	t.Helper()
	testenv.RequireTool(t, "git")
}

// gitRepo writes fs, runs git init and stages the given paths (all of fs
// when none are given; "git add ." honours .gitignore).
func gitRepo(t *testing.T, fs files, add ...string) string {
	t.Helper()
	requireGit(t)
	dir := writeFiles(t, fs)
	run := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "git %v: %s", args, out)
	}
	run("init", "-q")
	if len(add) == 0 {
		add = []string{"."}
	}
	run(append([]string{"add", "-f", "--"}, add...)...)
	return dir
}

func scanOneProbe(t *testing.T, dir, id string) probes.Result {
	t.Helper()
	rs := Scan(context.Background(), dir, []string{id})
	require.Len(t, rs, 1)
	require.Equal(t, id, rs[0].ID)
	require.Equal(t, dir, rs[0].Target)
	return rs[0]
}

// goodIgnore ignores everything source.gitignore asks for.
const goodIgnore = ".env\n.env.local\n.env.*.local\nsecrets.*\n*.key\n*.pem\n*.p12\n*.pfx\n*.jks\nid_rsa\nid_ed25519\ncredentials.json\n.netrc\n.pypirc\n"

// Each probe: a flawed tree fails, its fixed twin passes.
func TestEachProbeFlawAndFix(t *testing.T) {
	cases := []struct {
		id            string
		flawed, fixed files
		rule          string
	}{
		{idSecrets,
			files{"app/config.py": "import os\nAPI_KEY = \"" + plantedFincept + "\"\n"},
			files{"app/config.py": "import os\nAPI_KEY = os.getenv(\"FINCEPT_API_KEY\")\n"},
			"provider:fincept-api-key"},
		{idSecrets,
			files{"deploy/db.yaml": "url: postgres://payments:" + plantedPassword + "@db.prod.acme.com/payments\n"},
			files{"deploy/db.yaml": "url: ${DATABASE_URL}\n"},
			"provider:connection-string-password"},
		{idTokenStorage,
			files{"web/src/auth.js": "export function save(r) {\n  localStorage.setItem(\"access_token\", r.access_token);\n}\n"},
			files{"web/src/auth.js": "export function save(r) {\n  // the server sets an HttpOnly cookie\n  return r.ok;\n}\n"},
			"token-in-web-storage"},
		{idTokenInURL,
			files{"web/src/api.ts": "export const load = (t: string) => fetch(`/api/orders?access_token=${t}`);\n"},
			files{"web/src/api.ts": "export const load = (t: string) => fetch(`/api/orders`, { headers: { Authorization: `Bearer ${t}` } });\n"},
			"token-in-url"},
		{idTLS,
			files{"client/http.go": "package client\n\nvar tr = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}\n"},
			files{"client/http.go": "package client\n\nvar tr = &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}\n"},
			"tls-verification:go-insecure-skip-verify"},
		{idLogging,
			files{"svc/sync.py": "def sync(api_key):\n    logger.info(f\"Using API key: {api_key}\")\n"},
			files{"svc/sync.py": "def sync(api_key):\n    logger.info(f\"Using API key: {api_key[:10]}***\")\n"},
			"secret-logging"},
		{idCI,
			files{".github/workflows/ci.yml": "jobs:\n  test:\n    env:\n      FINCEPT_API_KEY: " + plantedFincept + "\n      DB_PASSWORD: hunter2hunter2\n"},
			files{".github/workflows/ci.yml": "jobs:\n  test:\n    env:\n      FINCEPT_API_KEY: ${{ secrets.FINCEPT_API_KEY }}\n      DB_PASSWORD: ${{ secrets.DB_PASSWORD }}\n"},
			"ci-inline-secret"},
		{idPlainHTTP,
			files{"config/app.yaml": "payments:\n  endpoint: http://api.finhub.io/v2\n"},
			files{"config/app.yaml": "payments:\n  endpoint: https://api.finhub.io/v2\n"},
			"plain-http"},
		{idGitignore,
			files{".gitignore": "node_modules/\n"},
			files{".gitignore": goodIgnore},
			"gitignore-missing"},
	}
	for _, c := range cases {
		t.Run(c.id+"/"+c.rule, func(t *testing.T) {
			bad := scanOneProbe(t, writeFiles(t, c.flawed), c.id)
			assert.Equal(t, probes.Fail, bad.Status, bad.Summary)
			require.NotEmpty(t, bad.Findings)
			var got []string
			for _, f := range bad.Findings {
				got = append(got, f.Rule)
				assert.NotEmpty(t, f.Location)
			}
			assert.Contains(t, got, c.rule)
			good := scanOneProbe(t, writeFiles(t, c.fixed), c.id)
			assert.Equal(t, probes.Pass, good.Status, "%s: %+v", good.Summary, good.Findings)
			assert.Empty(t, good.Findings)
		})
	}
}

func TestFindingsCarryFileLineAndRedactedEvidence(t *testing.T) {
	dir := writeFiles(t, files{
		"a/b/c.js": "// header\n\nconst k = \"" + plantedFincept + "\";\n",
	})
	r := scanOneProbe(t, dir, idSecrets)
	require.Len(t, r.Findings, 1)
	f := r.Findings[0]
	assert.Equal(t, "a/b/c.js", f.File)
	assert.Equal(t, 3, f.Line)
	assert.Equal(t, "a/b/c.js:3", f.Location)
	assert.Equal(t, `const k = "fk_user_Hy***";`, f.Evidence)
	assert.Equal(t, "provider:fincept-api-key", f.Rule)
}

// Planted secrets of every kind: none may appear anywhere in the results.
func TestNoSecretInAnyOutput(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, 60, 12)
	extra := files{
		".github/workflows/deploy.yml": "env:\n  GH_TOKEN: " + plantedGitHub + "\n  AWS_ACCESS_KEY_ID: " + plantedAWS + "\n",
		"web/login.js":                 "localStorage.setItem('token', '" + plantedGitHub + "');\nfetch('https://api.acme.com/x?api_key=" + plantedFincept + "');\nconsole.log('secret', '" + plantedClient + "', clientSecret);\n",
		"cfg/app.yaml":                 "upstream: http://svc:" + plantedPassword + "@api.acme.com/v1\nclient_secret: " + plantedClient + "\n",
	}
	for p, c := range extra {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, p), []byte(c), 0o644))
	}
	rs := Scan(context.Background(), dir, nil)
	require.Len(t, rs, len(allIDs))
	out, err := json.Marshal(rs)
	require.NoError(t, err)
	for _, s := range []string{plantedFincept, plantedAWS, plantedGitHub, plantedPassword, plantedClient} {
		assert.NotContains(t, string(out), s)
		assert.NotContains(t, string(out), s[:len(s)-3], "a long prefix of a secret leaked")
	}
	byID := map[string]probes.Result{}
	for _, r := range rs {
		byID[r.ID] = r
	}
	assert.Equal(t, probes.Fail, byID[idSecrets].Status)
	assert.GreaterOrEqual(t, len(byID[idSecrets].Findings), 5+4)
	assert.Equal(t, probes.Fail, byID[idCI].Status)
	assert.Equal(t, probes.Fail, byID[idTokenStorage].Status)
	assert.Equal(t, probes.Fail, byID[idTokenInURL].Status)
	assert.Equal(t, probes.Fail, byID[idLogging].Status)
	assert.Equal(t, probes.Fail, byID[idPlainHTTP].Status)
}

func TestGitModeScansTrackedFilesOnly(t *testing.T) {
	dir := gitRepo(t, files{
		".gitignore":       goodIgnore,
		"main.go":          "package main\n",
		".env":             "FINCEPT_API_KEY=" + plantedFincept + "\n", // ignored, untracked: fine
		"scratch/notes.go": "package scratch\nvar k = \"" + plantedAWS + "\"\n",
	}, ".gitignore", "main.go")
	r := scanOneProbe(t, dir, idSecrets)
	assert.Equal(t, probes.Pass, r.Status, "untracked files are not part of the repository: %+v", r.Findings)
	obs := r.Observed.(observed)
	assert.Equal(t, "git", obs.Mode)
	assert.Equal(t, 2, obs.FilesScanned)

	g := scanOneProbe(t, dir, idGitignore)
	assert.Equal(t, probes.Pass, g.Status, "%s %+v", g.Summary, g.Findings)
	assert.Equal(t, "git check-ignore", g.Observed.(gitignoreObserved).Method)
}

func TestGitignoreTrackedSecretFileFailsHard(t *testing.T) {
	dir := gitRepo(t, files{
		".gitignore":          goodIgnore,
		".env":                "FINCEPT_API_KEY=abc\n",
		".env.example":        "FINCEPT_API_KEY=\n",
		"deploy/server.key":   "-----BEGIN EC " + "PRIVATE KEY-----\nabc\n-----END EC " + "PRIVATE KEY-----\n",
		"deploy/ca.pem":       "-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n",
		"testdata/client.key": "-----BEGIN EC " + "PRIVATE KEY-----\nabc\n-----END EC " + "PRIVATE KEY-----\n",
	}, ".gitignore", ".env", ".env.example", "deploy/server.key", "deploy/ca.pem", "testdata/client.key")
	r := scanOneProbe(t, dir, idGitignore)
	assert.Equal(t, probes.Fail, r.Status)
	assert.Contains(t, r.Summary, "2 secret files are tracked")
	status := map[string]probes.Status{}
	for _, f := range r.Findings {
		assert.Equal(t, "secret-file-tracked", f.Rule)
		status[f.File] = f.Status
	}
	assert.Equal(t, map[string]probes.Status{
		".env":                probes.Fail,
		"deploy/server.key":   probes.Fail,
		"testdata/client.key": probes.Warn, // a test fixture: flagged, not failed
	}, status, "the example file and the certificate are not secrets")
}

func TestGitignoreWithoutGitParsesGitignore(t *testing.T) {
	dir := writeFiles(t, files{
		".gitignore": "# secrets\n/.env\n.env.*\n!.env.example\nsecrets.*\n*.key\nid_rsa\nid_ed25519\ncredentials.json\n",
		".env":       "X=1\n",
		"id_rsa.pub": "ssh-ed25519 AAAA\n",
	})
	r := scanOneProbe(t, dir, idGitignore)
	obs := r.Observed.(gitignoreObserved)
	assert.Equal(t, "walk", obs.Mode)
	assert.Equal(t, ".gitignore parsed (top level only)", obs.Method)
	assert.Empty(t, obs.SecretFiles, ".env is present but ignored")
	assert.Equal(t, []string{"private.pem", "keystore.p12", "keystore.jks", "cert.pfx", ".netrc", ".pypirc"}, obs.NotIgnored)
	assert.Equal(t, probes.Warn, r.Status, "only the recommended patterns are missing: %s", r.Summary)

	// the same tree without .gitignore: .env would be committed
	require.NoError(t, os.Remove(filepath.Join(dir, ".gitignore")))
	r = scanOneProbe(t, dir, idGitignore)
	assert.Equal(t, probes.Fail, r.Status)
	assert.Contains(t, r.Observed.(gitignoreObserved).SecretFiles, ".env")
}

func TestMatchGitignore(t *testing.T) {
	dir := writeFiles(t, files{".gitignore": "*.key\n!public.key\nconfig/*.json\nlogs/\n**/.env\n"})
	got := parseGitignorePaths(dir, []string{"a.key", "public.key", "x/b.key", "config/db.json", "other/db.json", "logs/x.txt", "logs", "deep/.env"})
	assert.Equal(t, map[string]bool{"a.key": true, "public.key": false, "x/b.key": true, "config/db.json": true,
		"other/db.json": false, "logs/x.txt": true, "logs": false, "deep/.env": true}, got)
}

func TestSkipsVendoredGeneratedBinaryLargeAndSymlinks(t *testing.T) {
	secretLine := "var k = \"" + plantedAWS + "\"\n"
	fs := files{
		"main.go":                        "package main\n",
		"vendor/x/x.go":                  secretLine,
		"node_modules/lib/index.js":      secretLine,
		"dist/app.js":                    secretLine,
		"build/out.js":                   secretLine,
		"third_party/y/y.go":             secretLine,
		"web/app.min.js":                 secretLine,
		"gen/api.pb.go":                  "// Code generated by protoc-gen-go. DO NOT EDIT.\n" + secretLine,
		"assets/blob.bin":                "\x00\x01" + secretLine,
		"data/huge.txt":                  strings.Repeat("x", maxFileSize) + secretLine,
		"package-lock.json":              secretLine,
		"src/service/handler_service.go": "package service\n",
	}
	// Issue 12.22: build output, minified and generated files and files over
	// 1 MiB are scanned for secrets (gitleaks finds them there); third-party
	// folders, binaries and lock files are skipped, and the summary says how
	// many and why.
	secretFiles := []string{"build/out.js", "data/huge.txt", "dist/app.js", "gen/api.pb.go", "web/app.min.js"}
	check := func(dir string, wantSkipped map[string]int) {
		t.Helper()
		r := scanOneProbe(t, dir, idSecrets)
		assert.Equal(t, probes.Fail, r.Status)
		var got []string
		for _, f := range r.Findings {
			got = append(got, f.File)
		}
		sort.Strings(got)
		assert.Equal(t, secretFiles, got)
		obs := r.Observed.(observed)
		assert.Equal(t, wantSkipped, obs.SkippedByReason)
		assert.Contains(t, r.Summary, "6 files not scanned (3 vendored, 1 binary, 1 generated, 1 not regular file)")
		// the other probes still leave those files alone
		o := scanOneProbe(t, dir, idTokenStorage).Observed.(observed)
		assert.Equal(t, 5, o.SkippedByReason[skipSecretsOnly])
	}
	dir := writeFiles(t, fs)
	outside := writeFiles(t, files{"secret.go": secretLine})
	require.NoError(t, os.Symlink(filepath.Join(outside, "secret.go"), filepath.Join(dir, "link.go")))
	check(dir, map[string]int{skipVendored: 3, skipGenerated: 1, skipBinary: 1, skipNotRegule: 1})

	// the same in a git checkout: tracked files in vendored folders are counted per file
	requireGit(t)
	gdir := gitRepo(t, fs)
	require.NoError(t, os.Symlink(filepath.Join(outside, "secret.go"), filepath.Join(gdir, "link.go")))
	cmd := exec.Command("git", "-C", gdir, "add", "link.go")
	require.NoError(t, cmd.Run())
	check(gdir, map[string]int{skipVendored: 3, skipGenerated: 1, skipBinary: 1, skipNotRegule: 1})
}

func TestTestCodeFindingsAreWarnings(t *testing.T) {
	dir := writeFiles(t, files{
		"client/http_test.go": "package client\n\nvar tr = &tls.Config{InsecureSkipVerify: true}\n",
		"e2e/api.js":          "const base = \"http://api.acme.com\";\n",
	})
	for _, id := range []string{idTLS, idPlainHTTP} {
		r := scanOneProbe(t, dir, id)
		assert.Equal(t, probes.Warn, r.Status, id)
		require.Len(t, r.Findings, 1)
		assert.Contains(t, r.Findings[0].Message, "(in test code)")
	}
}

func TestAllowMarkerSuppresses(t *testing.T) {
	dir := writeFiles(t, files{"c.go": "package c\n\nvar cfg = &tls.Config{InsecureSkipVerify: true} // selfassess:allow: verified by VerifyPeerCertificate\n"})
	r := scanOneProbe(t, dir, idTLS)
	assert.Equal(t, probes.Pass, r.Status)
	assert.Equal(t, 1, r.Observed.(observed).Suppressed)
}

func TestMissingDirectoryIsAnErrorResult(t *testing.T) {
	rs := Scan(context.Background(), filepath.Join(t.TempDir(), "nope"), nil)
	require.Len(t, rs, len(allIDs))
	for _, r := range rs {
		assert.Equal(t, probes.Error, r.Status)
		assert.Contains(t, r.Summary, "cannot list the source tree")
	}
}

func TestCancelledScanIsAnErrorResult(t *testing.T) {
	dir := writeFiles(t, files{"a.go": "package a\n"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, r := range Scan(ctx, dir, []string{idSecrets, idTLS}) {
		assert.Equal(t, probes.Error, r.Status)
	}
}

func TestFamilyContract(t *testing.T) {
	f := NewFamily()
	assert.Equal(t, "source", f.Name())
	for _, id := range f.IDs() {
		d, ok := probes.Lookup(id)
		assert.True(t, ok, id)
		assert.Equal(t, "source", d.Family)
	}
	assert.Len(t, f.IDs(), 8)
	assert.True(t, f.Applies(probes.Target{Kind: probes.KindSource, Value: "."}))
	assert.False(t, f.Applies(probes.Target{Kind: probes.KindURL, Value: "https://x"}))

	// through the runner, with --only
	dir := writeFiles(t, files{"a.js": "localStorage.setItem('jwt', t)\n"})
	rs := probes.Run(context.Background(), []probes.Family{f}, []probes.Target{{Kind: probes.KindSource, Value: dir}},
		probes.Config{Only: []string{"source.token-*"}})
	require.Len(t, rs, 2)
	assert.Equal(t, idTokenStorage, rs[0].ID)
	assert.Equal(t, probes.Fail, rs[0].Status)
	assert.Equal(t, idTokenInURL, rs[1].ID)
	assert.Equal(t, probes.Pass, rs[1].Status)
}

func TestEveryFindingIsListed(t *testing.T) {
	// each scanner stops at 200 findings per file; the probe lists them all
	// (it capped the list at 500 without saying so in JSON)
	var b strings.Builder
	for i := 0; i < 250; i++ {
		b.WriteString("localStorage.setItem('token', t);\n")
	}
	r := scanOneProbe(t, writeFiles(t, files{"a.js": b.String(), "b.js": b.String(), "c.js": b.String()}), idTokenStorage)
	assert.Len(t, r.Findings, 600)
	obs := r.Observed.(observed)
	assert.Equal(t, 600, obs.Findings)
	assert.Contains(t, r.Summary, "600 web-storage writes of tokens in 3 files,")
}

func TestGitignoreUntrackedUnignoredSecretFile(t *testing.T) {
	dir := gitRepo(t, files{
		".gitignore":      goodIgnore,
		"main.go":         "package main\n",
		".env":            "X=1\n", // ignored
		"deploy/.env.stg": "X=1\n", // .env.* is not in goodIgnore: neither tracked nor ignored
	}, ".gitignore", "main.go")
	r := scanOneProbe(t, dir, idGitignore)
	assert.Equal(t, probes.Fail, r.Status, r.Summary)
	require.Len(t, r.Findings, 1)
	assert.Equal(t, "secret-file-unignored", r.Findings[0].Rule)
	assert.Equal(t, "deploy/.env.stg", r.Findings[0].File)
	assert.Equal(t, []string{"deploy/.env.stg"}, r.Observed.(gitignoreObserved).Unignored)
	assert.Contains(t, r.Summary, "1 secret file is neither tracked nor ignored")

	// ignoring it fixes it
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".gitignore"), []byte(goodIgnore+".env.*\n"), 0o644))
	r = scanOneProbe(t, dir, idGitignore)
	assert.Equal(t, probes.Pass, r.Status, "%s %+v", r.Summary, r.Findings)
}

func TestCISecretsIncludesSecretsEngineHits(t *testing.T) {
	dir := writeFiles(t, files{
		".gitlab-ci.yml": "deploy:\n  script:\n    - curl -H \"X-API-Key: " + plantedFincept + "\" https://api.acme.com/deploy\n",
		"app.py":         "KEY = \"" + plantedFincept + "\"\n", // not CI: source.secrets' business
	})
	r := scanOneProbe(t, dir, idCI)
	assert.Equal(t, probes.Fail, r.Status)
	require.Len(t, r.Findings, 1)
	assert.Equal(t, "provider:fincept-api-key", r.Findings[0].Rule)
	assert.Equal(t, ".gitlab-ci.yml:3", r.Findings[0].Location)
	assert.Equal(t, 1, r.Observed.(observed).FilesChecked)
}
