package httpprobe

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/probes"
)

// paramsSite: HSTS for a year without includeSubDomains, CSP and nosniff
// but no X-Frame-Options/frame-ancestors and no Referrer-Policy, a session
// cookie with SameSite=Lax and a preference cookie readable by scripts.
func paramsSite() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Strict-Transport-Security", "max-age=31536000")
		h.Set("Content-Security-Policy", "default-src 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Permissions-Policy", "camera=()")
		h.Add("Set-Cookie", "session=abc; Secure; HttpOnly; SameSite=Lax; Path=/")
		h.Add("Set-Cookie", "theme=dark; Secure; SameSite=Lax; Path=/")
		_, _ = w.Write([]byte("<html><body>ok</body></html>"))
	})
}

func messages(r probes.Result) string {
	var s []string
	for _, f := range r.Findings {
		s = append(s, string(f.Status)+": "+f.Message)
	}
	return r.Summary + "\n" + strings.Join(s, "\n")
}

func TestHTTPParameters(t *testing.T) {
	srv, pool := tlsServer(t, paramsSite())
	ids := []string{"http.hsts", "http.headers", "http.cookies"}
	runWith := func(with map[string]probes.Params) map[string]probes.Result {
		cfg := testConfig(pool, testNow)
		cfg.With = with
		return run(t, newFamily(), srv.URL+"/", ids, cfg)
	}

	def := runWith(nil)
	assert.Equal(t, probes.Pass, def["http.hsts"].Status, messages(def["http.hsts"]))
	assert.Equal(t, probes.Fail, def["http.headers"].Status, "X-Frame-Options is required by default")
	assert.Contains(t, messages(def["http.headers"]), "warn: Referrer-Policy: missing")
	assert.Equal(t, probes.Pass, def["http.cookies"].Status, messages(def["http.cookies"]))

	set := runWith(map[string]probes.Params{
		"http.hsts": {"include_subdomains": true, "min_max_age_days": 365},
		// a provider that asks for CSP, nosniff and Referrer-Policy, and a
		// header the probe has no check of its own for
		"http.headers": {"required": []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy"}},
		"http.cookies": {"httponly": "all", "samesite": []string{"Strict"}, "require_samesite": true},
	})
	hsts := messages(set["http.hsts"])
	assert.Equal(t, probes.Fail, set["http.hsts"].Status, hsts)
	assert.Contains(t, hsts, "fail: includeSubDomains not set; required")
	assert.Contains(t, hsts, "HSTS max-age 365 days, includeSubDomains missing (required)")

	hdr := messages(set["http.headers"])
	assert.Equal(t, probes.Fail, set["http.headers"].Status, hdr)
	assert.Contains(t, hdr, "warn: X-Frame-Options: missing, and no CSP frame-ancestors: the page can be framed (clickjacking) (not required by this checklist)")
	assert.Contains(t, hdr, "fail: Referrer-Policy: missing (browsers default to strict-origin-when-cross-origin) (required)")
	assert.Contains(t, hdr, "fail: Cross-Origin-Opener-Policy: missing (required)")

	ck := messages(set["http.cookies"])
	assert.Equal(t, probes.Fail, set["http.cookies"].Status, ck)
	assert.Contains(t, ck, "fail: cookie session: SameSite=Lax is not accepted (accepted: Strict)")
	assert.Contains(t, ck, "fail: cookie theme: no HttpOnly (required on every cookie); SameSite=Lax is not accepted (accepted: Strict)")
}

// Shopify-style: exactly 401 for a bad signature. The test receiver answers
// 400 to an unsigned event and 401 to a wrong signature: a provider that
// accepts both sees a pass, one that expects 401 only (or 403) a warning.
func TestWebhookRejectStatus(t *testing.T) {
	srv, pool := tlsServer(t, webhookHandler(true))
	for _, tc := range []struct {
		statuses []int
		want     probes.Status
		text     string
	}{
		{[]int{400, 401}, probes.Pass, "rejected (HTTP 400, 401)"},
		{[]int{401}, probes.Warn, "unsigned event not accepted, but answered HTTP 400 (expected 401)"},
		{[]int{403}, probes.Warn, "answered HTTP 401 (expected 403)"},
		{nil, probes.Pass, "rejected (HTTP 400, 401)"},
	} {
		cfg := testConfig(pool, testNow)
		if tc.statuses != nil {
			cfg.With = map[string]probes.Params{"webhook.signature": {"reject_status": tc.statuses}}
		}
		rs := NewWebhookFamily().Run(context.Background(), probes.Target{Kind: probes.KindWebhook, Value: srv.URL + "/hooks"}, []string{"webhook.signature"}, cfg)
		require.Len(t, rs, 1)
		assert.Equal(t, tc.want, rs[0].Status, "%v: %s", tc.statuses, rs[0].Summary)
		assert.Contains(t, rs[0].Summary, tc.text)
	}
}
