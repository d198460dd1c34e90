package cmd

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// `httpd KIND NAME` starts an httptest TLS server for the rest of the
// script and sets $NAME to its URL and $NAME_CA to a PEM file trusting it.
// KIND is good or flawed (a site), hook-good or hook-flawed (a webhook).
func init() {
	scriptCmdSet = append(scriptCmdSet, func(m map[string]func(ts *testscript.TestScript, neg bool, args []string)) {
		m["httpd"] = func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 2 {
				ts.Fatalf("usage: httpd good|flawed|hook-good|hook-flawed NAME")
			}
			var h http.Handler
			switch args[0] {
			case "good":
				h = httpdSiteHandler(true, nil)
			case "flawed":
				h = httpdSiteHandler(false, nil)
			case "hook-good":
				h = httpdHookHandler(true)
			case "hook-flawed":
				h = httpdHookHandler(false)
			case "echo": // echoes the caller's Authorization in its Server header
				h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Server", "hostile/1.2.3 "+r.Header.Get("Authorization"))
					io.WriteString(w, "<html>"+r.URL.RawQuery+"</html>")
				})
			default:
				ts.Fatalf("httpd: unknown kind %q", args[0])
			}
			srv := httptest.NewTLSServer(h)
			ts.Defer(srv.Close)
			ca := filepath.Join(ts.Getenv("WORK"), args[1]+"-ca.pem")
			pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
			ts.Check(os.WriteFile(ca, pemBytes, 0o644))
			ts.Setenv(args[1], srv.URL+"/")
			ts.Setenv(args[1]+"_CA", ca)
		}
	})
}

// The planted secrets are joined from pieces at run time so that no secret
// scanner (ours included: see `probe --source .`) flags this file.
var (
	httpdPlantedJSKey  = "fk_" + "user_" + "Qm7Tz2Lp9Xc4Vb8Nd1Rk6Hs3Jw5"
	httpdPlantedCookie = "ck_" + "9fT2mZq7LxP4vR8sW1bN6yD3hJ5"
	httpdPlantedBearer = "tok_" + "Zx8Cv7Bn6Mm5Ll4Kk3Jj2Hh1Gg0Ff"
)

// httpdSiteHandler serves a well-configured site, or one with the flaws the
// http.* and js.* probes look for (including an error page that echoes the
// caller's Authorization header). seenAuth records the header received.
func httpdSiteHandler(good bool, seenAuth *atomic.Value) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if seenAuth != nil && r.Header.Get("Authorization") != "" {
			seenAuth.Store(r.Header.Get("Authorization"))
		}
		h := w.Header()
		if good {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
			h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("Permissions-Policy", "camera=()")
		} else {
			h.Set("Server", "Apache/2.4.41 (Ubuntu)")
			if o := r.Header.Get("Origin"); o != "" {
				h.Set("Access-Control-Allow-Origin", o)
				h.Set("Access-Control-Allow-Credentials", "true")
			}
		}
		switch {
		case r.URL.Path == "/" && r.Method == http.MethodGet:
			h.Set("Content-Type", "text/html")
			if good {
				h.Add("Set-Cookie", "session="+httpdPlantedCookie+"; Path=/; Secure; HttpOnly; SameSite=Strict")
			} else {
				h.Add("Set-Cookie", "session="+httpdPlantedCookie+"; Path=/")
			}
			io.WriteString(w, `<!doctype html><html><script src="/app.js"></script></html>`)
		case r.URL.Path == "/app.js":
			h.Set("Content-Type", "text/javascript")
			if good {
				io.WriteString(w, "console.log('ready');\n")
			} else {
				fmt.Fprintf(w, "const key = %q;\nlocalStorage.setItem(\"access_token\", key);\n", httpdPlantedJSKey)
			}
		case r.URL.Path == "/.well-known/security.txt" && good:
			h.Set("Content-Type", "text/plain")
			fmt.Fprintf(w, "Contact: mailto:security@example.com\nExpires: %s\n", time.Now().Add(90*24*time.Hour).UTC().Format(time.RFC3339))
		case good:
			http.Error(w, "not found", http.StatusNotFound)
		default:
			w.WriteHeader(500)
			fmt.Fprintf(w, "Traceback (most recent call last):\n  File \"/home/deploy/app.py\", line 9\nheaders: Authorization: %s\n", r.Header.Get("Authorization"))
		}
	})
}

// httpdHookHandler verifies an HMAC X-Signature (good) or accepts anything.
func httpdHookHandler(good bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if good {
			m := hmac.New(sha256.New, []byte("whsec"))
			m.Write(body)
			if !hmac.Equal([]byte(r.Header.Get("X-Signature")), []byte(hex.EncodeToString(m.Sum(nil)))) {
				w.WriteHeader(401)
				return
			}
		}
		w.WriteHeader(204)
	})
}

// TestProbeHTTPNoSecretsInOutput plants an auth header (which the flawed
// site echoes in its error page), a cookie value and a key in served JS,
// and checks that none reaches stdout or stderr, in JSON or table form.
func TestProbeHTTPNoSecretsInOutput(t *testing.T) {
	var seen atomic.Value
	site := httptest.NewTLSServer(httpdSiteHandler(false, &seen))
	defer site.Close()
	hook := httptest.NewTLSServer(httpdHookHandler(false))
	defer hook.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: site.Certificate().Raw}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: hook.Certificate().Raw})...)
	require.NoError(t, os.WriteFile(ca, pemBytes, 0o644))
	env := map[string]string{"ACME_AUTH": "Authorization: Bearer " + httpdPlantedBearer}

	for _, format := range []string{"json", "table"} {
		t.Run(format, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := MainWith([]string{"probe", "--only", "http.*,js.*,webhook.*", "--header-env", "ACME_AUTH",
				"--ca-file", ca, "--timeout", "5s", "--format", format, "--webhook-url", hook.URL + "/hooks", site.URL + "/"},
				TestIO(strings.NewReader(""), &stdout, &stderr, env))
			assert.Equal(t, ExitGate, code, "stderr: %s", stderr.String())
			require.Equal(t, "Bearer "+httpdPlantedBearer, seen.Load(), "the header reached the target")
			all := stdout.String() + stderr.String()
			for _, s := range []string{httpdPlantedBearer, httpdPlantedCookie, httpdPlantedJSKey} {
				assert.NotContains(t, all, s)
				assert.NotContains(t, all, s[:len(s)/2])
			}
			if format == "json" {
				assert.Contains(t, all, `"http.error-leak"`)
				assert.Contains(t, all, `"webhook.signature"`)
			}
		})
	}
}
