package codescan

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 12.20: a base64-encoded service-account JSON in a CI file, a
// percent-encoded URL password and a key encoded twice are found, on the
// line of the encoded text, and nothing decoded leaks.
func TestEncodedSecretsAreDecoded(t *testing.T) {
	s := secrets(t)
	sa := `{"type": "service_account", "project_id": "pay-prod", "private_key": "` +
		strings.ReplaceAll(privateKey, "\n", `\n`) + `", "client_email": "ci@pay-prod.iam.gserviceaccount.com"}`
	enc := base64.StdEncoding.EncodeToString([]byte(sa))
	ci := "jobs:\n  deploy:\n    env:\n      GCP_SA_KEY: " + enc + "\n"
	fs := s.Scan(".github/workflows/deploy.yml", []byte(ci))
	require.NotEmpty(t, fs)
	assert.Equal(t, 4, fs[0].Line)
	assert.Contains(t, fs[0].Message, "base64")
	assertNoLeak(t, fs, keyBody, enc)

	pw := "Xk9" + "mP2vL7qR4wTz8"
	pct := url.QueryEscape("https://deploy:" + pw + "@git.corp.internal/app.git")
	fs = s.Scan("cfg.txt", []byte("x = 1\nredirect="+pct+"\n"))
	require.NotEmpty(t, fs)
	assert.Equal(t, 2, fs[0].Line)
	assertNoLeak(t, fs, pw)

	twice := base64.StdEncoding.EncodeToString([]byte(base64.StdEncoding.EncodeToString([]byte(`api_key = "` + finceptKey + `"`))))
	fs = s.Scan("a.env", []byte("BLOB="+twice+"\n"))
	require.NotEmpty(t, fs)
	assertNoLeak(t, fs, finceptKey)

	// images and other binary data are not text: nothing to report
	png := base64.StdEncoding.EncodeToString([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + strings.Repeat("\x00\xff\x13", 40)))
	assert.Empty(t, s.Scan("a.css", []byte(`.x{background:url(data:image/png;base64,`+png+`)}`+"\n")))
}
