package httpprobe

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/selfassess/selfassess/probes"
)

// Planted secrets: none of them may appear unredacted in any result. They
// are joined from pieces at run time so that no secret scanner (ours
// included) flags this file.
var (
	plantedKey    = "fk_" + "user_" + "Hy8s9dK2mQ4vX7bN1pL6zR3tW5yA0cE"
	plantedCookie = "s3ss10nV4lu3-" + "Zq8Wm2Kx9Lp4Rt7Yv1Bn6"
	plantedBearer = "eyJhbGciOiJIUzI1NiJ9." + "c2VsZmFzc2Vzcy10ZXN0.QmVhcmVyU2VjcmV0VmFsdWU"
)

// cleanJS and leakyJS are served scripts; leakyJS carries each kind of leak
// the js.* probes look for.
const cleanJS = `document.addEventListener("DOMContentLoaded", function () {
  fetch("/api/me", { credentials: "include" }).then(function (r) { return r.json(); });
});
`

var leakyJS = `const FINCEPT_KEY = "` + plantedKey + `";
function login(t) {
  localStorage.setItem("access_token", t);
  return fetch("/api?access_token=" + t);
}
`

const goodPage = `<!doctype html><html><head><title>Shop</title>
<script src="/static/app.js" defer></script>
<script src="https://cdn.elsewhere.example/lib.js" integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC" crossorigin="anonymous"></script>
</head><body><p>Hello</p>
<script nonce="abc">window.appReady = true;</script>
</body></html>`

const flawedPage = `<!doctype html><html><head><title>Shop</title>
<script src="/static/app.js"></script>
<script src="https://cdn.elsewhere.example/widget.js"></script>
</head><body><p>Hello</p>
<script>sessionStorage.setItem("id_token", location.hash.slice(1));</script>
</body></html>`

// goodHandler is the fixed twin: every check passes.
func goodHandler(now time.Time) http.Handler {
	var hits atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			io.WriteString(w, `{"error":"invalid request body"}`)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'nonce-abc'; object-src 'none'; frame-ancestors 'none'")
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains; preload")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		h.Set("Server", "web")
		h.Set("RateLimit-Policy", `"default";q=100;w=60`)
		h.Set("RateLimit", `"default";r=99;t=60`)
		h.Add("Set-Cookie", "session="+plantedCookie+"; Path=/; Secure; HttpOnly; SameSite=Lax")
		h.Add("Set-Cookie", "__Host-csrf=abc123; Path=/; Secure; SameSite=Strict")
		if hits.Add(1) > 5 {
			h.Set("Retry-After", "60")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		io.WriteString(w, goodPage)
	})
	mux.HandleFunc("/static/app.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		io.WriteString(w, cleanJS)
	})
	mux.HandleFunc("/.well-known/security.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "# security contact\nContact: mailto:security@example.com\nExpires: %s\nPolicy: https://example.com/disclosure\n",
			now.Add(180*24*time.Hour).UTC().Format(time.RFC3339))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(404)
		io.WriteString(w, "Not found\n")
	})
	return mux
}

// flawedHandler exhibits every flaw the http.* and js.* probes look for.
func flawedHandler(seenAuth *atomic.Value) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		if seenAuth != nil && r.Header.Get("Authorization") != "" {
			seenAuth.Store(r.Header.Get("Authorization"))
		}
		h := w.Header()
		if o := r.Header.Get("Origin"); o != "" {
			h.Set("Access-Control-Allow-Origin", o)
			h.Set("Access-Control-Allow-Credentials", "true")
		}
		if r.Method == http.MethodPost {
			w.WriteHeader(500)
			fmt.Fprintf(w, "SyntaxError: Unexpected end of JSON input\n    at JSON.parse (<anonymous>)\n    at parse (/usr/src/app/node_modules/body-parser/lib/types/json.js:89:19)\n")
			return
		}
		h.Set("Content-Type", "text/html")
		h.Set("Strict-Transport-Security", "max-age=300")
		h.Set("Content-Security-Policy-Report-Only", "script-src 'self' 'unsafe-inline'")
		h.Set("Referrer-Policy", "unsafe-url")
		h.Set("Server", "nginx/1.18.0 (Ubuntu)")
		h.Set("X-Powered-By", "PHP/8.1.2")
		h.Add("Set-Cookie", "session="+plantedCookie+"; Path=/")
		h.Add("Set-Cookie", "prefs=dark; Path=/; Secure; HttpOnly; SameSite=None")
		io.WriteString(w, flawedPage)
	})
	mux.HandleFunc("/static/app.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/javascript")
		io.WriteString(w, leakyJS)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(500)
		// echoes the caller's Authorization header, as debug pages do
		fmt.Fprintf(w, "<h1>Internal Server Error</h1><pre>Traceback (most recent call last):\n  File \"/var/www/app/views.py\", line 42, in handler\n    db = connect(\"10.0.3.7\")\nKeyError: 'user'\nrequest headers: Authorization: %s\n</pre>", r.Header.Get("Authorization"))
	})
	return mux
}

// webhookHandler verifies an HMAC-SHA256 X-Signature when verify is true,
// and otherwise accepts anything (the flaw).
func webhookHandler(verify bool) http.Handler {
	secret := []byte("whsec_test")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if r.Method != http.MethodPost {
			w.WriteHeader(405)
			return
		}
		if verify {
			m := hmac.New(sha256.New, secret)
			m.Write(body)
			want := hex.EncodeToString(m.Sum(nil))
			got := r.Header.Get("X-Signature")
			if got == "" {
				w.WriteHeader(400)
				return
			}
			if !hmac.Equal([]byte(got), []byte(want)) {
				w.WriteHeader(401)
				return
			}
		}
		w.WriteHeader(200)
		io.WriteString(w, `{"received":true}`)
	})
}

// tlsServer starts an httptest TLS server and returns it with a pool trusting it.
func tlsServer(t testing.TB, h http.Handler) (*httptest.Server, *x509.CertPool) {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return srv, pool
}

func testConfig(pool *x509.CertPool, now time.Time) probes.Config {
	return probes.Config{Timeout: 2 * time.Second, RootCAs: pool, Now: func() time.Time { return now }}.Defaults()
}

// run probes one URL target with a fresh family and returns results by id.
func run(t testing.TB, f *family, target string, ids []string, cfg probes.Config) map[string]probes.Result {
	t.Helper()
	if ids == nil {
		ids = urlIDs
	}
	out := map[string]probes.Result{}
	for _, r := range f.Run(context.Background(), probes.Target{Kind: probes.KindURL, Value: target}, ids, cfg) {
		if _, dup := out[r.ID]; dup {
			t.Errorf("duplicate result for %s", r.ID)
		}
		out[r.ID] = r
	}
	if len(out) != len(ids) {
		t.Errorf("got %d results for %d ids", len(out), len(ids))
	}
	return out
}

func findingRules(r probes.Result, st probes.Status) string {
	var s []string
	for _, f := range r.Findings {
		if f.Status == st {
			s = append(s, f.Rule)
		}
	}
	return strings.Join(s, ",")
}
