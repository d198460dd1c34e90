package httpprobe

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/probes"
)

var testNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// TestFlawedAndFixed runs every http.* and js.* probe against a server with
// each flaw and against its fixed twin.
func TestFlawedAndFixed(t *testing.T) {
	good, goodPool := tlsServer(t, goodHandler(testNow))
	flawed, flawedPool := tlsServer(t, flawedHandler(nil))

	// Plain-HTTP twins for http.redirect: one redirects to HTTPS, one serves content.
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, good.URL+r.URL.Path, http.StatusMovedPermanently)
	}))
	defer redirector.Close()
	plainContent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html>welcome</html>"))
	}))
	defer plainContent.Close()

	fg := newFamily()
	fg.plainHTTPPort = port(t, redirector.URL)
	gr := run(t, fg, good.URL+"/", nil, testConfig(goodPool, testNow))
	ff := newFamily()
	ff.plainHTTPPort = port(t, plainContent.URL)
	fr := run(t, ff, flawed.URL+"/", nil, testConfig(flawedPool, testNow))

	for _, id := range urlIDs {
		t.Run(id, func(t *testing.T) {
			if id == "http.rate-limit" {
				// informational without --burst; TestRateLimitBurst covers pass/fail
				assert.Equal(t, probes.Info, gr[id].Status, gr[id].Summary)
				assert.Equal(t, probes.Info, fr[id].Status, fr[id].Summary)
				return
			}
			assert.Equal(t, probes.Pass, gr[id].Status, "fixed twin: %s %+v", gr[id].Summary, gr[id].Findings)
			assert.Equal(t, probes.Fail, fr[id].Status, "flawed: %s %+v", fr[id].Summary, fr[id].Findings)
		})
	}

	// Specific findings behind the failures.
	assert.Contains(t, findingRules(fr["http.headers"], probes.Fail), "header-content-security-policy")
	assert.Contains(t, findingRules(fr["http.headers"], probes.Fail), "header-x-frame-options")
	assert.Contains(t, findingRules(fr["http.banners"], probes.Fail), "banner-server")
	assert.Contains(t, findingRules(fr["http.banners"], probes.Fail), "banner-x-powered-by")
	leaks := findingRules(fr["http.error-leak"], probes.Fail)
	for _, rule := range []string{"stack-trace-python", "stack-trace-node", "internal-ip", "server-path"} {
		assert.Contains(t, leaks, rule)
	}
	assert.Contains(t, findingRules(fr["http.cors"], probes.Fail), "cors-reflected-origin")
	assert.Contains(t, findingRules(fr["http.hsts"], probes.Fail), "hsts-max-age")
	assert.Contains(t, findingRules(fr["http.security-txt"], probes.Fail), "security-txt-missing")

	// Scores: the fixed twin loses nothing; the flawed one everything.
	gs := gr["http.headers"].Observed.(map[string]any)["score"].(Score)
	assert.Equal(t, 100, gs.Score)
	assert.Equal(t, "A+", gs.Grade)
	fs := fr["http.headers"].Observed.(map[string]any)["score"].(Score)
	assert.Equal(t, 0, fs.Score, "%+v", fs.Modifiers)
	assert.Equal(t, "F", fs.Grade)

	// The good page's cross-origin script is listed, not fetched.
	obs := gr["js.secrets"].Observed.(*scriptsObserved)
	assert.Equal(t, []string{"https://cdn.elsewhere.example/lib.js"}, obs.CrossOrigin)
	require.Len(t, obs.Scripts, 1)
	assert.Equal(t, 1, obs.InlineScripts)
}

func port(t testing.TB, raw string) string {
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u.Port()
}

func TestRedirectFromHTTPTarget(t *testing.T) {
	good, pool := tlsServer(t, goodHandler(testNow))
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, good.URL+r.URL.Path, http.StatusMovedPermanently)
	}))
	defer redirector.Close()
	temporary := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, good.URL+r.URL.Path, http.StatusFound)
	}))
	defer temporary.Close()

	r := run(t, newFamily(), redirector.URL+"/", []string{"http.redirect", "http.hsts"}, testConfig(pool, testNow))
	assert.Equal(t, probes.Pass, r["http.redirect"].Status, r["http.redirect"].Summary)
	// the shared fetch follows the same-host upgrade and checks HSTS on HTTPS
	assert.Equal(t, probes.Pass, r["http.hsts"].Status, r["http.hsts"].Summary)

	r = run(t, newFamily(), temporary.URL+"/", []string{"http.redirect"}, testConfig(pool, testNow))
	assert.Equal(t, probes.Warn, r["http.redirect"].Status, r["http.redirect"].Summary)
}

func TestRedirectNoPlainListener(t *testing.T) {
	good, pool := tlsServer(t, goodHandler(testNow))
	// a port that was just free: nothing listens there
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := port(t, "http://"+l.Addr().String())
	l.Close()
	f := newFamily()
	f.plainHTTPPort = closed
	r := run(t, f, good.URL+"/", []string{"http.redirect"}, testConfig(pool, testNow))
	assert.Equal(t, probes.Pass, r["http.redirect"].Status, r["http.redirect"].Summary)
	assert.Contains(t, r["http.redirect"].Summary, "no plain-HTTP listener")
}

func TestRateLimitBurst(t *testing.T) {
	good, goodPool := tlsServer(t, goodHandler(testNow))
	flawed, flawedPool := tlsServer(t, flawedHandler(nil))
	cfg := testConfig(goodPool, testNow)
	cfg.Burst = 20
	r := run(t, newFamily(), good.URL+"/", []string{"http.rate-limit"}, cfg)
	assert.Equal(t, probes.Pass, r["http.rate-limit"].Status, r["http.rate-limit"].Summary)
	assert.Contains(t, r["http.rate-limit"].Summary, "RateLimit-Policy")

	cfg = testConfig(flawedPool, testNow)
	cfg.Burst = 20
	r = run(t, newFamily(), flawed.URL+"/", []string{"http.rate-limit"}, cfg)
	assert.Equal(t, probes.Fail, r["http.rate-limit"].Status, r["http.rate-limit"].Summary)
	assert.Equal(t, 20, r["http.rate-limit"].Observed.(map[string]any)["requests_sent"])
}

func TestSecurityTxtExpired(t *testing.T) {
	// the good server's file expires in 180 days; a year on it has expired
	good, pool := tlsServer(t, goodHandler(testNow))
	later := testNow.Add(365 * 24 * time.Hour)
	r := run(t, newFamily(), good.URL+"/", []string{"http.security-txt"}, testConfig(pool, later))
	assert.Equal(t, probes.Fail, r["http.security-txt"].Status, r["http.security-txt"].Summary)
	assert.Contains(t, r["http.security-txt"].Summary, "expired")
}

func TestWebhook(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    http.Handler
		want probes.Status
	}{
		{"verifies", webhookHandler(true), probes.Pass},
		{"accepts anything", webhookHandler(false), probes.Fail},
		{"wrong URL", http.NotFoundHandler(), probes.Error},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, pool := tlsServer(t, tc.h)
			cfg := testConfig(pool, testNow)
			rs := NewWebhookFamily().Run(context.Background(), probes.Target{Kind: probes.KindWebhook, Value: srv.URL + "/hooks"}, []string{"webhook.signature"}, cfg)
			require.Len(t, rs, 1)
			assert.Equal(t, tc.want, rs[0].Status, rs[0].Summary)
			assert.Len(t, rs[0].Findings, 2)
		})
	}
}

// TestPlantedSecrets: an auth header (echoed back by the server's error
// page), a cookie value and a key in served JS never appear unredacted.
func TestPlantedSecrets(t *testing.T) {
	var seen atomic.Value
	flawed, pool := tlsServer(t, flawedHandler(&seen))
	cfg := testConfig(pool, testNow)
	cfg.Headers = http.Header{"Authorization": {"Bearer " + plantedBearer}}
	rs := newFamily().Run(context.Background(), probes.Target{Kind: probes.KindURL, Value: flawed.URL + "/"}, urlIDs, cfg)
	out, err := json.Marshal(rs)
	require.NoError(t, err)
	// the header really was sent to the target, and the error page echoed it
	require.Equal(t, "Bearer "+plantedBearer, seen.Load())
	for _, secret := range []string{plantedBearer, plantedCookie, plantedKey} {
		assert.NotContains(t, string(out), secret)
		// nor any long slice of it
		assert.NotContains(t, string(out), secret[:len(secret)/2])
	}
	assert.Contains(t, string(out), probes.Redact(plantedCookie), "cookie findings show the redacted value")
}

// TestHeadersNotSentElsewhere: the user's secret headers go to the target's
// origin only, never to its plain-HTTP port.
func TestHeadersNotSentElsewhere(t *testing.T) {
	good, pool := tlsServer(t, goodHandler(testNow))
	var leaked atomic.Bool
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Store(true)
		}
		w.Write([]byte("hi"))
	}))
	defer plain.Close()
	f := newFamily()
	f.plainHTTPPort = port(t, plain.URL)
	cfg := testConfig(pool, testNow)
	cfg.Headers = http.Header{"Authorization": {"Bearer " + plantedBearer}}
	r := run(t, f, good.URL+"/", []string{"http.redirect"}, cfg)
	assert.Equal(t, probes.Fail, r["http.redirect"].Status)
	assert.False(t, leaked.Load(), "secret header sent over plain HTTP")
}

func TestBudget(t *testing.T) {
	flawed, pool := tlsServer(t, flawedHandler(nil))
	cfg := testConfig(pool, testNow)
	cfg.Budget = 3
	cfg.Burst = 50
	r := run(t, newFamily(), flawed.URL+"/", []string{"http.headers", "http.rate-limit"}, cfg)
	assert.Equal(t, probes.Error, r["http.rate-limit"].Status, r["http.rate-limit"].Summary)
	assert.Contains(t, r["http.rate-limit"].Summary, "budget")
}

func TestScore(t *testing.T) {
	u, _ := url.Parse("https://example.com/")
	for _, tc := range []struct {
		name   string
		header http.Header
		score  int
		grade  string
	}{
		{"unsafe-inline only", http.Header{
			"Content-Security-Policy":   {"default-src 'self'; script-src 'self' 'unsafe-inline'; frame-ancestors 'self'"},
			"Strict-Transport-Security": {"max-age=63072000"}, "X-Content-Type-Options": {"nosniff"}}, 80, "B+"},
		{"nonce neutralises unsafe-inline", http.Header{
			"Content-Security-Policy":   {"script-src 'nonce-r4nd' 'unsafe-inline' 'strict-dynamic'; frame-ancestors 'none'"},
			"Strict-Transport-Security": {"max-age=63072000"}, "X-Content-Type-Options": {"nosniff"}}, 100, "A+"},
		{"nothing", http.Header{}, 30, "D"},
		{"short hsts, xfo, unsafe referrer", http.Header{
			"Content-Security-Policy": {"default-src 'self'"}, "X-Frame-Options": {"SAMEORIGIN"},
			"Strict-Transport-Security": {"max-age=600"}, "X-Content-Type-Options": {"nosniff"}, "Referrer-Policy": {"unsafe-url"}}, 85, "A-"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := scoreHeaders(&response{URL: u, Header: tc.header}, nil, 0)
			assert.Equal(t, tc.score, s.Score, "%+v", s.Modifiers)
			assert.Equal(t, tc.grade, s.Grade)
		})
	}
}

func TestExtractScripts(t *testing.T) {
	ps := extractScripts([]byte(`<!-- <script src="/commented.js"></script> -->
<SCRIPT type="module" src='/a.js?v=1&amp;x=2'></SCRIPT><script src=/b.js></script>
<script>var a = 1;</script><script type="application/ld+json">{"x":1}</script><script> </script>`))
	assert.Equal(t, []string{"/a.js?v=1&x=2", "/b.js"}, ps.External)
	assert.Len(t, ps.Inline, 2)
}

func TestScrub(t *testing.T) {
	// the connection-string password is joined at run time so that secret
	// scanners (ours included) do not flag this file
	dbPass := "hunter2" + "secret"
	line := scrub(`db: postgres://app:`+dbPass+`@10.0.0.5/prod password=Sup3rS3cret! token: abcdefghijklmnopqrstuvwxyz012345 Bearer `+plantedBearer, []string{"Bearer " + plantedBearer, plantedBearer})
	for _, s := range []string{dbPass, "Sup3rS3cret!", "abcdefghijklmnopqrstuvwxyz012345", plantedBearer} {
		assert.NotContains(t, line, s)
	}
	assert.True(t, strings.Contains(line, "***"))
}

func TestScriptLimits(t *testing.T) {
	srv, pool := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ".js") {
			w.Write([]byte(strings.Repeat("var x = 1;\n", 300))) // 3300 bytes
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<script src="/1.js"></script><script src="/2.js"></script><script src="/3.js"></script><script src="/1.js"></script>`))
	}))
	cfg := testConfig(pool, testNow)
	cfg.MaxScripts = 2
	r := run(t, newFamily(), srv.URL+"/", []string{"js.token-storage"}, cfg)["js.token-storage"]
	obs := r.Observed.(*scriptsObserved)
	assert.Len(t, obs.Scripts, 2)
	assert.Equal(t, []string{srv.URL + "/3.js"}, obs.NotFetchedByLimit)
	assert.Equal(t, probes.Warn, r.Status)
	assert.Contains(t, findingRules(r, probes.Warn), "js-limit")

	// a byte budget smaller than the first script: truncated and warned
	cfg.MaxJSBytes = 2000
	r = run(t, newFamily(), srv.URL+"/", []string{"js.token-storage"}, cfg)["js.token-storage"]
	obs = r.Observed.(*scriptsObserved)
	require.Len(t, obs.Scripts, 1)
	assert.True(t, obs.Scripts[0].Truncated)
	assert.Equal(t, int64(2000), obs.BytesScanned)
	assert.Contains(t, findingRules(r, probes.Warn), "js-truncated")
}

func TestRedactURL(t *testing.T) {
	u := mustURL(t, "https://user:pw@example.com/cb?code=abcdef123456&state=x&access_token="+plantedBearer)
	got := redactURL(u)
	assert.Equal(t, "https://example.com/cb?code=abcd***&state=x&access_token="+probes.Redact(plantedBearer), got)
	assert.NotContains(t, got, "pw")
}

func TestScrubKeepsProse(t *testing.T) {
	line := "KeyError: invalid token provided for session handling"
	assert.Equal(t, line, scrub(line, nil))
	assert.Equal(t, "Authorization: Basic dXNlcj***", scrub("Authorization: Basic dXNlcjpwYXNzd29yZA", nil))
}
