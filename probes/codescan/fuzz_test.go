package codescan

import (
	"strings"
	"testing"

	"github.com/selfassess/selfassess/probes"
)

// FuzzScanners: no scanner panics on any input, every finding points at a
// real line, and evidence stays bounded.
//
//	go test -run '^$' -fuzz FuzzScanners -fuzztime 60s -fuzzminimizetime 50x ./probes/codescan/
func FuzzScanners(f *testing.F) {
	for _, seed := range []string{
		"const k = \"" + finceptKey + "\";\r\nlocalStorage.setItem('token', t)\r\n",
		"curl -k http://api.acme.com/x?api_key=" + "abc123def456\n",
		"log.Printf(\"%s\", `" + strings.Repeat("token ", 100),
		"console.log(f\"{password}\", (((((\n",
		"-----BEGIN " + "PRIVATE KEY-----\n" + keyBody,
		"env:\n  TOKEN: \"\n  - export SECRET=\n",
		"http://[::1\nhttp://user:@\n?token=&\n",
		"\xff\xfe\x00token=é\u2028localStorage.x=1",
	} {
		f.Add("a.js", seed)
		f.Add(".github/workflows/ci.yml", seed)
	}
	s, err := buildSecrets(gitleaksRules, providerRules)
	if err != nil {
		f.Fatal(err)
	}
	scanners := []func(string, []byte) []probes.Finding{s.Scan, TokenStorage, TokenInURL, TLSVerification, SecretLogging, PlainHTTP, CIInlineSecrets}
	f.Fuzz(func(t *testing.T, name, content string) {
		lines := strings.Count(content, "\n") + 1
		for _, scan := range scanners {
			for _, fd := range scan(name, []byte(content)) {
				if fd.Line < 1 || fd.Line > lines {
					t.Fatalf("%s: line %d of %d", fd.Rule, fd.Line, lines)
				}
				if fd.File != name || fd.Rule == "" || fd.Message == "" {
					t.Fatalf("incomplete finding %+v", fd)
				}
				if len(fd.Evidence) > maxEvidence+16 {
					t.Fatalf("%s: evidence of %d bytes", fd.Rule, len(fd.Evidence))
				}
			}
		}
	})
}
