package codescan

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/selfassess/selfassess/probes"
)

// Test secrets are assembled from pieces so that secret scanners (ours
// included) do not flag this repository.
var (
	finceptKey   = "fk_user_" + "Hy8kL2mN9pQ1" + "zR4tV6wX"
	finceptLive  = "fk_live_" + "Q7wE9rT2yU4i" + "O6pA8sD1"
	awsKey       = "AKIA" + "Z3MHQ7XJ" + "PLR5TW2N"
	githubPAT    = "ghp_" + "R8nK2vQ9xL4mT7yB3cW6" + "zH1pF5sD0gJ8aE2u"
	dbPassword   = "Pz9" + "vKq2" + "Lm8wXr4"
	clientSecret = "cs_" + "9fQ2xLm7" + "Wv4Rz8Kp"
	keyBody      = strings.Repeat("MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n", 4)
	privateKey   = "-----BEGIN RSA " + "PRIVATE KEY-----\n" + keyBody + "-----END RSA " + "PRIVATE KEY-----\n"
)

var (
	sharedOnce sync.Once
	shared     *Secrets
)

func secrets(t *testing.T) *Secrets {
	t.Helper()
	sharedOnce.Do(func() {
		var err error
		shared, err = buildSecrets(gitleaksRules, providerRules)
		require.NoError(t, err)
	})
	require.NotNil(t, shared)
	return shared
}

// assertNoLeak fails when any field of any finding carries a secret in clear.
func assertNoLeak(t *testing.T, fs []probes.Finding, secrets ...string) {
	t.Helper()
	b, err := json.Marshal(fs)
	require.NoError(t, err)
	for _, s := range secrets {
		for _, part := range strings.Split(strings.TrimSpace(s), "\n") {
			if len(part) >= 8 {
				assert.NotContains(t, string(b), part, "a secret leaked into a finding")
			}
		}
	}
}

func rules(fs []probes.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

func TestSecretsFindsEachKindAndRedacts(t *testing.T) {
	s := secrets(t)
	cases := []struct {
		name, file, content, rule, secret string
	}{
		{"fincept key in python", "config.py", "import os\nAPI_KEY = \"" + finceptKey + "\"  # never do this\n", "provider:fincept-api-key", finceptKey},
		{"fincept live key in js", "app.js", "const k = '" + finceptLive + "';\n", "provider:fincept-api-key", finceptLive},
		{"aws key", "deploy.go", "package x\nvar id = \"" + awsKey + "\"\n", "gitleaks:aws-access-token", awsKey},
		{"github token", "ci.sh", "export GH=" + githubPAT + "\n", "gitleaks:github-pat", githubPAT},
		{"postgres url", "db.go", "package x\nconst dsn = \"postgres://payments:" + dbPassword + "@db.prod.internal:5432/pay\"\n", "provider:connection-string-password", dbPassword},
		{"mongodb+srv url", "db.js", "mongoose.connect(\"mongodb+srv://svc:" + dbPassword + "@cluster0.abcde.mongodb.net/app\")\n", "provider:connection-string-password", dbPassword},
		{"amqp url", "worker.py", "BROKER = 'amqp://orders:" + dbPassword + "@mq.internal:5672/'\n", "provider:connection-string-password", dbPassword},
		{"clientSecret in js", "turris.js", "const cfg = {\n  clientId: 'abc',\n  clientSecret: \"" + clientSecret + "\",\n};\n", "provider:client-secret", clientSecret},
		{"client_secret in env file", ".env", "TURRIS_CLIENT_SECRET=" + clientSecret + "\n", "provider:client-secret-config", clientSecret},
		{"private key", "key.txt", "notes\n" + privateKey, "provider:private-key-header", keyBody},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := s.Scan(c.file, []byte(c.content))
			require.NotEmpty(t, fs, "no finding")
			assert.Contains(t, rules(fs), c.rule)
			first := strings.Split(c.secret, "\n")[0]
			if c.secret == keyBody {
				first = "-----BEGIN"
			}
			lineOf := strings.Count(c.content[:strings.Index(c.content, first)], "\n") + 1
			for _, f := range fs {
				assert.Equal(t, probes.Fail, f.Status)
				assert.Equal(t, c.file, f.File)
				if f.Rule == c.rule {
					assert.Equal(t, lineOf, f.Line, "line")
					assert.Equal(t, c.file+":"+itoa(lineOf), f.Location)
				}
				assert.NotEmpty(t, f.Evidence)
				if c.secret != keyBody {
					assert.Contains(t, f.Evidence+f.Message, "***")
				}
			}
			assertNoLeak(t, fs, c.secret)
		})
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestSecretsSkipsPlaceholders(t *testing.T) {
	s := secrets(t)
	for _, content := range []string{
		`API_KEY = "fk_user_your_key"`,
		`API_KEY = "fk_user_Hy8kL2mN9pQ1..."  # the docs' truncated example`,
		`curl -H "X-API-Key: YOUR_API_KEY_HERE"`,
		`const API_KEY = process.env.FINCEPT_API_KEY;`,
		`api_key = os.Getenv("FINCEPT_API_KEY")`,
		`clientSecret: "${TURRIS_CLIENT_SECRET}",`,
		`client_secret: "<your-client-secret>"`,
		`client_secret = "xxxxxxxxxxxxxxxx"`,
		`DATABASE_URL=postgres://postgres:postgres@localhost:5432/dev`,
		`DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/app`,
		`amqp://guest:guest@localhost:5672/`,
		`dsn := fmt.Sprintf("postgres://pay:%s@db.acme.com/pay", pw)`,
		`-----BEGIN PUBLIC KEY-----`,
	} {
		fs := s.Scan("f.py", []byte(content+"\n"))
		assert.Empty(t, fs, "false positive on %q: %v", content, rules(fs))
	}
}

func TestSecretsDeduplicatesOverlappingRules(t *testing.T) {
	fs := secrets(t).Scan("a.js", []byte(`const API_KEY = "`+finceptKey+`";`+"\n"))
	require.Len(t, fs, 1, "one secret, one finding: %v", rules(fs))
	assert.Equal(t, "provider:fincept-api-key", fs[0].Rule)
}

func TestSecretsSkipsAllowlistedPaths(t *testing.T) {
	// gitleaks' global path allowlist: lock files hold hashes, not secrets
	assert.Empty(t, secrets(t).Scan("package-lock.json", []byte(`"x": "`+awsKey+`"`)))
	assert.NotEmpty(t, secrets(t).Scan("package.json", []byte(`"x": "`+awsKey+`"`)))
}

func TestSecretsJSONEscapedKeyOnOneLine(t *testing.T) {
	// service-account files hold the key JSON-escaped on a single line
	body := strings.ReplaceAll(privateKey, "\n", `\n`)
	content := `{"type": "service_account", "private_key": "` + body + `"}` + "\n"
	fs := secrets(t).Scan("sa.json", []byte(content))
	require.NotEmpty(t, fs)
	assertNoLeak(t, fs, "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun")
}

func TestSecretsConcurrentUse(t *testing.T) {
	s := secrets(t)
	content := []byte("a = \"" + awsKey + "\"\nb = \"" + finceptKey + "\"\n")
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				assert.Len(t, s.Scan("x.py", content), 2)
			}
		}()
	}
	wg.Wait()
}

func TestSecretsMinifiedLineEvidenceIsBounded(t *testing.T) {
	line := strings.Repeat("var a=1;", 5000) + `var k="` + finceptKey + `";` + strings.Repeat("var b=2;", 5000)
	fs := secrets(t).Scan("https://app.example.com/app.min.js", []byte(line))
	require.Len(t, fs, 1)
	assert.LessOrEqual(t, len(fs[0].Evidence), maxEvidence+10)
	assert.Contains(t, fs[0].Evidence, "fk_user_")
	assert.Equal(t, "https://app.example.com/app.min.js:1", fs[0].Location)
	assertNoLeak(t, fs, finceptKey)
}

// flawFix is a flawed snippet and its fixed twin.
type flawFix struct {
	name, file, flawed, fixed string
}

func checkFlawFix(t *testing.T, scan func(string, []byte) []probes.Finding, rulePrefix string, cases []flawFix) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := scan(c.file, []byte(c.flawed))
			require.NotEmpty(t, bad, "flawed snippet not flagged")
			for _, f := range bad {
				assert.True(t, strings.HasPrefix(f.Rule, rulePrefix), f.Rule)
				assert.Equal(t, c.file, f.File)
				assert.Positive(t, f.Line)
				assert.NotEmpty(t, f.Evidence)
				assert.NotEmpty(t, f.Message)
			}
			good := scan(c.file, []byte(c.fixed))
			assert.Empty(t, good, "fixed snippet flagged: %+v", good)
		})
	}
}

func TestTokenStorage(t *testing.T) {
	checkFlawFix(t, TokenStorage, "token-in-web-storage", []flawFix{
		{"setItem token", "auth.js", `localStorage.setItem("access_token", data.access_token);`, `document.cookie; // server sets an HttpOnly cookie`},
		{"sessionStorage jwt", "login.ts", `sessionStorage.setItem('jwt', res.jwt)`, `sessionStorage.setItem('theme', 'dark')`},
		{"bracket write", "a.js", `window.localStorage["authToken"] = t;`, `window.localStorage["author"] = name;`},
		{"property write", "a.js", `localStorage.refreshToken = r;`, `const n = localStorage.length;`},
		{"bland key, token value", "a.js", `localStorage.setItem(KEY, response.access_token)`, `localStorage.setItem(KEY, JSON.stringify(prefs))`},
		{"minified", "app.js", `function s(e){localStorage.setItem("token",e.token)}function r(){}`, `function s(e){localStorage.setItem("lang",e.lang)}`},
	})
}

func TestTokenInURL(t *testing.T) {
	checkFlawFix(t, TokenInURL, "token-in-url", []flawFix{
		{"concatenated", "api.js", `fetch("/api/orders?access_token=" + token)`, `fetch("/api/orders", { headers: { Authorization: "Bearer " + token } })`},
		{"second param", "api.py", `requests.get(f"{BASE}/v1/x?page=1&api_key={key}")`, `requests.get(f"{BASE}/v1/x?page=1", headers={"X-API-Key": key})`},
		{"template", "a.ts", "const u = `${base}/ws?token=${t}`;", "const u = `${base}/ws`;"},
		{"searchParams", "a.js", `url.searchParams.set("api_key", key);`, `url.searchParams.set("page", n);`},
		{"URLSearchParams", "a.js", `new URLSearchParams({ page: 1, access_token: tok })`, `new URLSearchParams({ page: 1 })`},
		{"go query", "c.go", `q.Set("access_token", tok)`, `req.Header.Set("Authorization", "Bearer "+tok)`},
	})
	// a form body is not a URL
	assert.Empty(t, TokenInURL("a.js", []byte(`body: "grant_type=client_credentials&client_secret=" + s`)))
	// a literal value in the URL is redacted in the evidence
	fs := TokenInURL("a.js", []byte(`fetch("https://api.example.com/x?api_key=`+finceptKey+`")`))
	require.Len(t, fs, 1)
	assertNoLeak(t, fs, finceptKey)
}

func TestTLSVerification(t *testing.T) {
	checkFlawFix(t, TLSVerification, "tls-verification:", []flawFix{
		{"go", "client.go", "tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}", "tr := &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}"},
		{"python requests", "sync.py", `r = requests.get(url, verify=False)`, `r = requests.get(url, verify="/etc/ssl/ca.pem")`},
		{"python ssl", "sync.py", `ctx = ssl._create_unverified_context()`, `ctx = ssl.create_default_context()`},
		{"node agent", "agent.js", `new https.Agent({ rejectUnauthorized: false })`, `new https.Agent({ ca })`},
		{"node env", "Dockerfile", `ENV NODE_TLS_REJECT_UNAUTHORIZED=0`, `ENV NODE_ENV=production`},
		{"node env quoted", "start.js", `process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';`, `process.env.TZ = 'UTC';`},
		{"curl -k", "deploy.sh", `curl -k https://api.example.com/health`, `curl -fsS https://api.example.com/health`},
		{"curl combined", "deploy.sh", `curl -fsSLk https://x`, `curl -fsSL https://x`},
		{"curl --insecure", "Makefile", `	curl --insecure -o out https://x`, `	curl -o out https://x`},
		{"php curl", "pay.php", `curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, false);`, `curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, true);`},
		{"php curl array", "pay.php", `[CURLOPT_SSL_VERIFYPEER => 0]`, `[CURLOPT_SSL_VERIFYPEER => 1]`},
		{"dotnet", "Client.cs", `ServicePointManager.ServerCertificateValidationCallback += (s, c, ch, e) => true;`, `ServicePointManager.SecurityProtocol = SecurityProtocolType.Tls12;`},
		{"dotnet handler", "Client.cs", `handler.ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator;`, `var handler = new HttpClientHandler();`},
		{"java", "Http.java", `builder.setSSLHostnameVerifier(NoopHostnameVerifier.INSTANCE);`, `builder.setSSLHostnameVerifier(new DefaultHostnameVerifier());`},
		{"ruby", "pay.rb", `http.verify_mode = OpenSSL::SSL::VERIFY_NONE`, `http.verify_mode = OpenSSL::SSL::VERIFY_PEER`},
		{"yaml", "config.yml", `ssl_verify: false`, `ssl_verify: true`},
		{"kubeconfig", "kubeconfig.yaml", `    insecure-skip-tls-verify: true`, `    certificate-authority-data: abc`},
		{"postgres sslmode", "db.env", `PGSSLMODE=disable`, `PGSSLMODE=verify-full`},
	})
	// language-specific rules stay in their language: prose about verify=False in Go is not Python
	assert.Empty(t, TLSVerification("catalogue.go", []byte(`desc := "fails on verify=False"`)))
	// comments are not code
	assert.Empty(t, TLSVerification("c.go", []byte("// never set InsecureSkipVerify: true")))
}

func TestSecretLogging(t *testing.T) {
	checkFlawFix(t, SecretLogging, "secret-logging", []flawFix{
		{"console.log", "a.js", `console.log("token", token);`, `console.log("token refreshed");`},
		{"go printf", "c.go", `log.Printf("key=%s", apiKey)`, `log.Printf("key=%s", redact(apiKey))`},
		{"python f-string", "c.py", `logger.info(f"password={password}")`, `logger.info("password changed for %s", user_id)`},
		{"python fincept example", "c.py", `logger.info(f"Using API key: {API_KEY}")`, `logger.info(f"Using API key: {API_KEY[:10]}***")`},
		{"template literal", "a.ts", "console.debug(`auth header ${req.headers.authorization}`)", "console.debug(`auth header present: ${Boolean(req.headers.authorization)}`)"},
		{"java", "A.java", `System.out.println("secret: " + clientSecret);`, `System.out.println("secret rotated at " + rotatedAt);`},
		{"fmt.Println", "c.go", `fmt.Println(accessToken)`, `fmt.Println(len(accessToken))`},
		{"slice in js", "a.js", `console.log("key", apiKey)`, `console.log("key", apiKey.slice(0, 6) + "***")`},
		{"print python", "c.py", `print("token:", token)`, `print("token expires at", token_expiry)`},
	})
}

func TestPlainHTTP(t *testing.T) {
	checkFlawFix(t, PlainHTTP, "plain-http", []flawFix{
		{"api url", "client.go", `const base = "http://api.finhub.io/v2"`, `const base = "https://api.finhub.io/v2"`},
		{"yaml", "config.yaml", `upstream: http://payments.acme.com:8080/api`, `upstream: https://payments.acme.com/api`},
		{"js fetch", "a.js", `fetch("http://203.0.113.7/charge")`, `fetch("/charge")`},
	})
	harmless := []string{
		`const dev = "http://localhost:8080/api"`,
		`const dev = "http://127.0.0.1:3000"`,
		`<project xmlns="http://maven.apache.org/POM/4.0.0">`,
		`<svg xmlns="http://www.w3.org/2000/svg">`,
		`"$schema": "http://json-schema.org/draft-07/schema#"`,
		`// Licensed under http://www.apache.org/licenses/LICENSE-2.0`,
		`# see http://api.finhub.io/docs`,
		`url = "http://metadata.example.com/"`,
		`meta = "http://169.254.169.254/latest/meta-data/"`,
		`base = "http://${HOST}/api"`,
	}
	for _, h := range harmless {
		assert.Empty(t, PlainHTTP("f.go", []byte(h)), h)
	}
	fs := PlainHTTP("k8s.yaml", []byte(`url: http://payments-svc:8080/charge`))
	require.Len(t, fs, 1)
	assert.Equal(t, probes.Warn, fs[0].Status, "an in-cluster host is a warning")
	fs = PlainHTTP("a.go", []byte(`body := "see http://api.acme.com/v1\n"`))
	require.Len(t, fs, 1)
	assert.Equal(t, "plain-HTTP endpoint http://api.acme.com/v1; use https://", fs[0].Message, "the escape is not part of the URL")
	fs = PlainHTTP("a.go", []byte(`u := "http://user:`+dbPassword+`@api.acme.com/x"`))
	require.Len(t, fs, 1)
	assertNoLeak(t, fs, dbPassword)
}

func TestCIInlineSecrets(t *testing.T) {
	checkFlawFix(t, CIInlineSecrets, "ci-inline-secret", []flawFix{
		{"github env", ".github/workflows/ci.yml", "    env:\n      FINCEPT_API_KEY: hunter2hunter\n", "    env:\n      FINCEPT_API_KEY: ${{ secrets.FINCEPT_API_KEY }}\n"},
		{"gitlab variables", ".gitlab-ci.yml", "variables:\n  DB_PASSWORD: \"s3cretpass\"\n", "variables:\n  DB_PASSWORD: $DB_PASSWORD\n"},
		{"export in script", ".gitlab-ci.yml", "test:\n  script:\n    - export API_TOKEN=" + "abc123def456\n", "test:\n  script:\n    - export API_TOKEN=$API_TOKEN\n"},
		{"jenkins", "Jenkinsfile", "environment {\n  API_SECRET = '" + "abcdef123456'\n}\n", "environment {\n  API_SECRET = credentials('api-secret')\n}\n"},
		{"docker login", ".circleci/config.yml", "      - run: docker login -u ci -p hunter22 registry.acme.com\n", "      - run: echo \"$REG_PASS\" | docker login -u ci --password-stdin registry.acme.com\n"},
	})
	// names that merely mention a secret are not secrets
	assert.Empty(t, CIInlineSecrets(".github/workflows/ci.yml", []byte("env:\n  TOKEN_URL: https://auth.acme.com/token\n  PASSWORD_LENGTH: 16\n  secrets: inherit\n")))
	fs := CIInlineSecrets(".github/workflows/ci.yml", []byte("env:\n  API_KEY: "+finceptKey+"\n"))
	require.Len(t, fs, 1)
	assertNoLeak(t, fs, finceptKey)
}

func TestIsCIConfig(t *testing.T) {
	for _, p := range []string{".github/workflows/ci.yml", ".github/workflows/release.yaml", ".gitlab-ci.yml", "Jenkinsfile",
		".circleci/config.yml", "azure-pipelines.yml", "bitbucket-pipelines.yml", "sub/.gitlab-ci.yml"} {
		assert.True(t, IsCIConfig(p), p)
	}
	for _, p := range []string{"ci.yml", ".github/dependabot.yml", "workflows/ci.yml", "config.yml"} {
		assert.False(t, IsCIConfig(p), p)
	}
}

func TestScrubRedactsUnknownTokens(t *testing.T) {
	out := scrub(`x = "` + githubPAT + `" // SOME_LONG_CONSTANT_NAME`)
	assert.NotContains(t, out, githubPAT[8:])
	assert.Contains(t, out, "SOME_LONG_CONSTANT_NAME")
}

func TestSuppress(t *testing.T) {
	content := []byte("a := tls.Config{InsecureSkipVerify: true} // selfassess:allow verified by hand below\nb := tls.Config{InsecureSkipVerify: true}\n")
	fs := TLSVerification("c.go", content)
	require.Len(t, fs, 2)
	kept, n := Suppress(content, fs)
	assert.Equal(t, 1, n)
	require.Len(t, kept, 1)
	assert.Equal(t, 2, kept[0].Line)
}

// Our engine must find exactly what gitleaks' own engine finds over whole
// files, rule for rule, on the providers' test strings and on every file of
// the labelled corpus.
func TestEngineMatchesGitleaksEngine(t *testing.T) {
	if testing.Short() {
		t.Skip("runs gitleaks' engine over the corpus")
	}
	s, err := buildSecrets(gitleaksRules, nil)
	require.NoError(t, err)
	gl, err := detect.NewDetectorDefaultConfig()
	require.NoError(t, err)

	corpus := map[string]string{
		"a.py":   "import os\nAPI_KEY = \"" + finceptKey + "\"\nother = 1\n",
		"b.go":   "package b\n\nvar id = \"" + awsKey + "\"\nvar gh = \"" + githubPAT + "\"\n",
		"c.js":   "const cfg = {\n  clientSecret: \"" + clientSecret + "\",\n  api_key: \"q8Zr7LmN2pXy5Wv3Tb9K\",\n};\n",
		"d.yaml": "db:\n  url: postgres://payments:" + dbPassword + "@db.prod.internal:5432/pay\n",
		"e.txt":  "notes\n" + privateKey + "more\n",
		".env":   "TURRIS_CLIENT_SECRET=" + clientSecret + "\nSTRIPE=sk_live_" + "51HqLx2eZvKYlo2C9aBcDeFgHiJkLmNoPq" + "\n",
		"f.sh":   "curl -H \"Authorization: Bearer " + githubPAT + "\" https://api.github.com\n",
		"g.json": `{"token": "` + githubPAT + `", "password": "Xk9#mP2$vL7qR4wT"}` + "\n",
		"h.xml":  "<settings>\n  <password>\n    Vq8xKp2mZr7LwT4nHs9d\n  </password>\n</settings>\n",
	}
	root := "../sourceprobe/testdata/corpus/secrets"
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, "labels.json") {
			return err
		}
		b, err := os.ReadFile(p)
		corpus[p] = string(b)
		return err
	}))
	require.Greater(t, len(corpus), 2000)
	type key struct {
		rule, secret string
		line         int
	}
	var differ []string
	for name, content := range corpus {
		name = strings.TrimPrefix(name, root+"/")
		want := map[key]bool{}
		before := len(gl.Findings())
		fs, err := gl.DetectSource(context.Background(), &sources.File{Content: strings.NewReader(content), Path: name})
		require.NoError(t, err)
		for _, f := range fs[before:] { // the detector keeps every finding so far
			want[key{f.RuleID, f.Secret, f.StartLine}] = true // DetectSource counts lines from 1
		}
		got := map[key]bool{}
		hits, _, err := s.detectAll(context.Background(), name, newLineIndex([]byte(content)))
		require.NoError(t, err)
		for _, p := range s.globals.paths {
			if p.MatchString(name) {
				hits = nil // a global path allowlist: the file is not read
			}
		}
		for _, h := range hits {
			got[key{h.rule.def.ID, h.secret, h.line}] = true
		}
		if !assert.ObjectsAreEqual(want, got) {
			differ = append(differ, fmt.Sprintf("%s: gitleaks %v, ours %v", name, want, got))
		}
	}
	sort.Strings(differ)
	assert.Empty(t, differ)
}

func TestFalsePositivesSeenInRealCode(t *testing.T) {
	// a URL in a block comment of Go or C code is prose, not an endpoint
	assert.Empty(t, PlainHTTP("rc2.go", []byte("/*\nSee\n  http://people.csail.mit.edu/rivest/pubs/KRRR98.pdf\n*/\npackage rc2\n")))
	assert.NotEmpty(t, PlainHTTP("rc2.go", []byte("var u = \"http://people.csail.mit.edu/rivest/pubs/KRRR98.pdf\"\n")))
	// in configuration every non-comment URL counts
	assert.NotEmpty(t, PlainHTTP("app.yaml", []byte("endpoint: http://api.acme.com/v1\n")))

	// a lexer's token is syntax, not a credential; a web handler's token is a credential
	lexer := "package parse\n\nimport \"go/token\"\n\nfunc f(tok token.Token) {\n\tlog.Fatalf(\"unexpected token %q\", token)\n}\n"
	assert.Empty(t, SecretLogging("parse.go", []byte(lexer)))
	assert.NotEmpty(t, SecretLogging("handler.go", []byte("package h\n\nfunc f() {\n\tlog.Printf(\"unexpected token %q\", token)\n}\n")))

	// a usage text in a raw string that runs past the argument window is not code
	usage := "fmt.Fprintln(out, `\nUsage: probe [flags]\n" + strings.Repeat("  -token string   the token to use\n", 20) + "`)\n"
	assert.Empty(t, SecretLogging("main.go", []byte(usage)))

	// generic-api-key on numbers and plain words
	s := secrets(t)
	assert.Empty(t, s.Scan("scanner_test.go", []byte(`{token.NUMBER, "0x1234567890abcdef"},`+"\n")))
	assert.Empty(t, s.Scan("key.go", []byte(`KeyCtrlShiftEnd:   "ctrl+shift+end",`+"\n")))
	assert.NotEmpty(t, s.Scan("cfg.go", []byte(`apiKey := "q8Zr7L`+`mN2pXy5Wv3Tb9K"`+"\n")))

	// evidence keeps host names and paths readable but not keys
	assert.Equal(t, "see http://people.csail.mit.edu/rivest/pubs/KRRR98.pdf", scrub("see http://people.csail.mit.edu/rivest/pubs/KRRR98.pdf"))
}

// Cutting a long line for evidence must never leave part of a key in clear,
// wherever the cut falls.
func TestEvidenceCutNeverSplitsASecret(t *testing.T) {
	for pad := 0; pad < 80; pad++ {
		line := strings.Repeat("a", 300) + " x=\"" + githubPAT + "\";" + strings.Repeat(" ", pad) +
			"localStorage.setItem('token',t);" + strings.Repeat(" ", pad) + "y=\"" + awsKey + "\";" + strings.Repeat("b", 300)
		fs := TokenStorage("app.js", []byte(line))
		require.Len(t, fs, 1)
		ev := fs[0].Evidence
		assert.LessOrEqual(t, len(ev), maxEvidence+8)
		assert.Contains(t, ev, "localStorage.setItem('token',t)")
		for _, secret := range []string{githubPAT, awsKey} {
			shown := len(probes.Redact(secret)) - len("***") // the prefix Redact shows
			for i := 0; i+8 <= len(secret); i++ {
				if piece := secret[i : i+8]; i+8 > shown && strings.Contains(ev, piece) {
					t.Fatalf("pad %d: %q leaks %q of a secret", pad, ev, piece)
				}
			}
		}
	}
}

// A hostile or minified bundle: one long line full of matches. Every
// scanner stays within its per-file cap (and, in BenchmarkMinifiedBundle,
// linear time).
func TestMinifiedBundleIsBounded(t *testing.T) {
	bundle := minifiedBundle(256 << 10)
	s := secrets(t)
	for name, scan := range map[string]func(string, []byte) []probes.Finding{"secrets": s.Scan, "storage": TokenStorage,
		"url": TokenInURL, "tls": TLSVerification, "logging": SecretLogging, "http": PlainHTTP, "ci": CIInlineSecrets} {
		fs := scan("https://app.example.com/bundle.js", bundle)
		assert.LessOrEqual(t, len(fs), maxPerFile+1, name) // +1: the secrets scan says when it stopped
		for _, f := range fs {
			assert.Equal(t, 1, f.Line)
			assert.LessOrEqual(t, len(f.Evidence), maxEvidence+8, name)
		}
	}
}

func minifiedBundle(size int) []byte {
	chunk := `function a(e){localStorage.setItem("token",e.t);fetch("http://api.acme.com/x?access_token="+e.t);console.log("k",apiKey);` +
		`new https.Agent({rejectUnauthorized:false});var u="http://svc:` + dbPassword + `@db.acme.com";}`
	var b strings.Builder
	for b.Len() < size {
		b.WriteString(chunk)
	}
	return []byte(b.String())
}

func BenchmarkMinifiedBundle(b *testing.B) {
	bundle := minifiedBundle(1 << 20)
	s, err := buildSecrets(gitleaksRules, providerRules)
	require.NoError(b, err)
	b.SetBytes(int64(len(bundle)))
	for i := 0; i < b.N; i++ {
		for _, scan := range []func(string, []byte) []probes.Finding{s.Scan, TokenStorage, TokenInURL, TLSVerification, SecretLogging, PlainHTTP} {
			scan("bundle.js", bundle)
		}
	}
}
