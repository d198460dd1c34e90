package codescan

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/probes"
)

// fjson is every field of the findings, as results.json carries them.
func fjson(t *testing.T, fs []probes.Finding) string {
	t.Helper()
	b, err := json.Marshal(fs)
	require.NoError(t, err)
	return string(b)
}

// Issue 12.12: a value on the line after its keyword.
func TestValueOnTheLineAfterItsKeyword(t *testing.T) {
	fs := secrets(t).Scan("f.xml", []byte("<settings>\n  <password>\n    Vq8xKp2mZr7LwT4nHs9d\n  </password>\n</settings>\n"))
	require.Len(t, fs, 1)
	assert.Equal(t, 2, fs[0].Line)
	assert.NotContains(t, fjson(t, fs), "Vq8xKp2mZr7LwT4nHs9d")
}

// Issue 12.13: of overlapping matches the union is redacted; no tail stays visible.
func TestOverlappingMatchesRedactTheUnion(t *testing.T) {
	tail := "6rS8tUv.01a2b3c4d"
	token := "glpat-" + "Ab3dE5fG7hJ9kL2mN4pQ" + tail
	fs := secrets(t).Scan("a.js", []byte(`gitlabToken="`+token+`"`+"\n"))
	require.NotEmpty(t, fs)
	out := fjson(t, fs)
	assert.NotContains(t, out, tail)
	assert.NotContains(t, out, "01a2b3c4d")
}

// Issue 12.14: the evidence line masks every finding on it and credential
// values beside them.
func TestEvidenceMasksNeighbouringSecrets(t *testing.T) {
	line := `POOL = {"password": "CorrectHorseBatteryStaple", "api_key": "` + finceptKey + `"}` + "\n"
	fs := secrets(t).Scan("pool.py", []byte(line))
	require.NotEmpty(t, fs)
	out := fjson(t, fs)
	assert.NotContains(t, out, "CorrectHorse")
	assert.NotContains(t, out, "BatteryStaple")
	assert.NotContains(t, out, finceptKey[8:])
}

// Issue 12.15: a known public prefix plus at most 4 characters; passwords
// only their length.
func TestRedactionShowsLittle(t *testing.T) {
	assert.Equal(t, "fk_user_Hy***", RedactSecret(finceptKey, false))
	assert.Equal(t, "glpat-Ab***", RedactSecret("glpat-Ab3dE5fG7hJ9kL2mN4pQ", false))
	assert.Equal(t, "sk_live_51***", RedactSecret("sk_live_"+"51HqLx2eZvKYlo2C9aBcDeFgHiJkLmNoPq", false))
	assert.Equal(t, "Xk***", RedactSecret("Xk9mP2vL7qR4wTz8", false)) // 16 characters: 2 shown
	assert.Equal(t, "***", RedactSecret("Xk9mP2vL", false))
	assert.Equal(t, "*** (16 characters)", RedactSecret("Xk9#mP2$vL7qR4wT", true))
	fs := secrets(t).Scan("d.yaml", []byte("db:\n  url: postgres://payments:"+dbPassword+"@db.prod.internal:5432/pay\n"))
	require.Len(t, fs, 1)
	assert.Contains(t, fs[0].Message, fmt.Sprintf("*** (%d characters)", len(dbPassword)))
	assert.NotContains(t, fjson(t, fs), dbPassword[:3])
}

// Issue 12.16: a private-key header alone (docs, PEM-parsing code) is not a key.
func TestPrivateKeyHeaderNeedsKeyMaterial(t *testing.T) {
	s := secrets(t)
	assert.Empty(t, s.Scan("docs.md", []byte("-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n")))
	assert.Empty(t, s.Scan("pem.go", []byte("const header = \"-----BEGIN RSA PRIVATE KEY-----\"\nif strings.HasPrefix(s, header) {\n")))
	assert.Empty(t, s.Scan("fp.pem", []byte("-----BEGIN PRIVATE KEY-----\nanything\n-----END PRIVATE KEY-----\n")))
	fs := s.Scan("e.txt", []byte("notes\n"+privateKey))
	require.Len(t, fs, 1)
	assert.Equal(t, 2, fs[0].Line)
}

// Issue 12.17: an empty user and http(s) URLs with a password.
func TestConnectionStringGaps(t *testing.T) {
	s := secrets(t)
	pw := "Rk7" + "vQ2mXp9Lw4"
	for _, line := range []string{
		"REDIS_URL=redis://:" + pw + "@cache.internal:6379/0",
		"remote = https://deploy:" + pw + "@git.corp.internal/app.git",
		"url: http://admin:" + pw + "@10.0.0.5:8080/",
	} {
		fs := s.Scan("cfg.env", []byte(line+"\n"))
		require.NotEmpty(t, fs, line)
		assert.NotContains(t, fjson(t, fs), pw[3:], line)
	}
	// documentation shapes stay quiet
	assert.Empty(t, s.Scan("doc.md", []byte("https://user:pass@host.example.com/\n")))
	assert.Empty(t, s.Scan("doc.md", []byte("https://user:password@example.com/\n")))
}

// Issue 12.18: repeated-pattern dummies.
func TestRepeatedPatternDummies(t *testing.T) {
	s := secrets(t)
	for _, v := range []string{"fk_user_abc123abc123abc123", "fk_live_12341234123412341234", "fk_test_abababababababab"} {
		assert.Empty(t, s.Scan("a_test.go", []byte(`key := "`+v+`"`+"\n")), v)
	}
	assert.NotEmpty(t, s.Scan("a.go", []byte(`key := "`+finceptKey+`"`+"\n")))
	assert.False(t, strings.Contains(fjson(t, s.Scan("a.go", []byte(`key := "`+finceptKey+`"`+"\n"))), finceptKey))
}
