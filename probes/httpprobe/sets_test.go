package httpprobe

import (
	"context"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/probes"
)

// traffic is what one probe run cost a real server: requests and new
// connections, on the HTTPS site (page and webhook) and on its plain-HTTP
// port.
type traffic struct{ requests, conns, plainRequests int64 }

// runCounted probes a fresh copy of the good site (URL and webhook targets)
// through the runner with the given parameter sets, counting what reaches it.
func runCounted(t *testing.T, sets map[string][]probes.Params) (traffic, []probes.Result) {
	t.Helper()
	var reqs, conns, plain atomic.Int64
	site, hook := goodHandler(testNow), webhookHandler(true)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqs.Add(1)
		if r.URL.Path == "/hooks" {
			hook.ServeHTTP(w, r)
			return
		}
		site.ServeHTTP(w, r)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.StartTLS()
	defer srv.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plain.Add(1)
		http.Redirect(w, r, srv.URL+r.URL.Path, http.StatusMovedPermanently)
	}))
	defer redirector.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())

	fam := newFamily()
	fam.plainHTTPPort = port(t, redirector.URL)
	cfg := testConfig(pool, testNow)
	cfg.ParamSets = sets
	// one connection at a time per host, so the count of connections does
	// not depend on how the requests happened to overlap
	cfg.PerHost, cfg.Hosts = 1, probes.NewHostSlots(1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rs := probes.Run(ctx, []probes.Family{fam, NewWebhookFamily()}, []probes.Target{
		{Kind: probes.KindURL, Value: srv.URL + "/"},
		{Kind: probes.KindWebhook, Value: srv.URL + "/hooks"},
	}, cfg)
	return traffic{reqs.Load(), conns.Load(), plain.Load()}, rs
}

func resultsOf(rs []probes.Result, id string) []probes.Result {
	var out []probes.Result
	for _, r := range rs {
		if r.ID == id {
			out = append(out, r)
		}
	}
	return out
}

// The observation does not depend on a threshold, only the judgement does:
// a second parameter set for each probe with parameters costs the target no
// request and no connection, and each set still gets its own verdict.
func TestParameterSetsShareOneObservation(t *testing.T) {
	one, _ := runCounted(t, nil)
	require.Positive(t, one.requests)
	require.Positive(t, one.plainRequests)

	two, rs := runCounted(t, map[string][]probes.Params{
		"http.hsts":         {{"min_max_age_days": 180}, {"min_max_age_days": 730}},
		"http.headers":      {nil, {"required": []string{"Content-Security-Policy", "Cross-Origin-Opener-Policy"}}},
		"http.cookies":      {nil, {"samesite": []string{"Strict"}, "require_samesite": true}},
		"webhook.signature": {nil, {"reject_status": []int{403}}},
	})
	assert.Equal(t, one, two, "requests, connections and plain-HTTP requests with one parameter set (%+v) and with two (%+v)", one, two)

	for id, want := range map[string][]probes.Status{
		"http.hsts":         {probes.Pass, probes.Fail}, // max-age is one year
		"http.headers":      {probes.Pass, probes.Fail}, // no Cross-Origin-Opener-Policy
		"http.cookies":      {probes.Pass, probes.Fail}, // session cookie is SameSite=Lax
		"webhook.signature": {probes.Pass, probes.Warn}, // 400 and 401, not 403
	} {
		got := resultsOf(rs, id)
		require.Len(t, got, 2, id)
		for k := range got {
			assert.Equal(t, want[k], got[k].Status, "%s set %d (%v): %s", id, k, got[k].Params, messages(got[k]))
		}
	}
	for _, id := range urlIDs {
		if id != "http.hsts" && id != "http.headers" && id != "http.cookies" {
			assert.Len(t, resultsOf(rs, id), 1, id)
		}
	}
}

func scoreRules(t *testing.T, r probes.Result) (rules []string, minDays int) {
	t.Helper()
	obs, ok := r.Observed.(map[string]any)
	require.True(t, ok, "%s observed: %T", r.ID, r.Observed)
	sc := obs["score"].(Score)
	for _, m := range sc.Modifiers {
		rules = append(rules, m.Rule)
	}
	return rules, sc.HSTSMinDays
}

// The headers score deducts for a short HSTS max-age by the checklist's own
// threshold (http.hsts min_max_age_days) when the run judges HSTS by one;
// with two different thresholds it cannot tell whose, and keeps the
// Observatory's 180 days.
func TestScoreFollowsTheHSTSThreshold(t *testing.T) {
	site := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Strict-Transport-Security", "max-age=17280000") // 200 days
		h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write([]byte("<html><body>ok</body></html>"))
	})
	srv, pool := tlsServer(t, site)
	ids := []string{"http.hsts", "http.headers"}
	headers := func(sets map[string][]probes.Params) []probes.Result {
		cfg := testConfig(pool, testNow)
		cfg.Only, cfg.ParamSets = ids, sets
		return resultsOf(probes.Run(context.Background(), []probes.Family{newFamily()}, []probes.Target{{Kind: probes.KindURL, Value: srv.URL + "/"}}, cfg), "http.headers")
	}

	rules, days := scoreRules(t, headers(nil)[0])
	assert.NotContains(t, rules, "hsts-short")
	assert.Equal(t, 180, days)

	year := map[string][]probes.Params{"http.hsts": {{"min_max_age_days": 365}}}
	rules, days = scoreRules(t, headers(year)[0])
	assert.Contains(t, rules, "hsts-short", "200 days < the checklist's 365")
	assert.Equal(t, 365, days)

	two := map[string][]probes.Params{"http.hsts": {{"min_max_age_days": 365}, {"min_max_age_days": 90}}}
	rules, days = scoreRules(t, headers(two)[0])
	assert.NotContains(t, rules, "hsts-short")
	assert.Equal(t, 180, days)
}

// A target that is not an http(s) URL with a host gets the same error for
// every id of every round, from the page family and the webhook family.
func TestNotHTTPTargetErrorsEveryRound(t *testing.T) {
	rounds := []probes.Round{
		{IDs: []string{"http.hsts", "http.headers"}},
		{IDs: []string{"http.hsts"}, With: map[string]probes.Params{"http.hsts": {"min_max_age_days": 365}}},
	}
	hookRounds := []probes.Round{
		{IDs: []string{"webhook.signature"}},
		{IDs: []string{"webhook.signature"}, With: map[string]probes.Params{"webhook.signature": {"reject_status": []int{401}}}},
	}
	for _, raw := range []string{"ftp://example.com/", "https://", "example.com", "%zz"} {
		for _, tc := range []struct {
			f      probes.Family
			rounds []probes.Round
		}{{NewFamily(), rounds}, {NewWebhookFamily(), hookRounds}} {
			got := tc.f.(probes.RoundsFamily).RunRounds(context.Background(), probes.Target{Kind: probes.KindURL, Value: raw}, tc.rounds, probes.Config{})
			require.Len(t, got, len(tc.rounds), raw)
			for k, r := range tc.rounds {
				require.Len(t, got[k], len(r.IDs), "%s round %d", raw, k)
				for i, res := range got[k] {
					assert.Equal(t, probes.Result{ID: r.IDs[i], Target: raw, Status: probes.Error, Summary: "not an http(s) URL"}, res, "%s %s round %d", tc.f.Name(), raw, k)
				}
			}
		}
	}
}
