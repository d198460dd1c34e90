package httpprobe

import (
	"crypto/sha512"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/probes"
)

// Cases modelled on the public test suites (Observatory's analyzer tests,
// badssl.com) where the specs decide the verdict. Each runs the probes
// against a real TLS server sending exactly the fields under test: two
// values of one header go out as two header lines, a comma-joined value as
// one (as a proxy that merged the fields would send it).

// strongHeaders passes every http.headers check; cases override fields.
func strongHeaders() http.Header {
	return http.Header{
		"Content-Type":              {"text/html; charset=utf-8"},
		"Strict-Transport-Security": {"max-age=31536000"},
		"Content-Security-Policy":   {"default-src 'self'; frame-ancestors 'none'"},
		"X-Content-Type-Options":    {"nosniff"},
		"X-Frame-Options":           {"DENY"},
		"Referrer-Policy":           {"strict-origin-when-cross-origin"},
		"Permissions-Policy":        {"camera=()"},
	}
}

// headerSite serves body with exactly hdr on every path.
func headerSite(t *testing.T, hdr http.Header, body string) (string, probes.Config) {
	t.Helper()
	srv, pool := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, vs := range hdr {
			w.Header()[k] = vs
		}
		io.WriteString(w, body)
	}))
	return srv.URL + "/", testConfig(pool, testNow)
}

// check is one http.headers check's status by header name.
func check(t *testing.T, r probes.Result, header string) headerCheck {
	t.Helper()
	obs, ok := r.Observed.(map[string]any)
	require.True(t, ok, "observed: %#v (%s)", r.Observed, r.Summary)
	for _, c := range obs["headers"].([]headerCheck) {
		if c.Header == header {
			return c
		}
	}
	t.Fatalf("no %s check in %+v", header, obs["headers"])
	return headerCheck{}
}

func with(h http.Header, kv ...string) http.Header {
	out := h.Clone()
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			out.Del(kv[i])
			continue
		}
		out.Set(kv[i], kv[i+1])
	}
	return out
}

// RFC 6797 §6.1: directives are separated by ";" and each appears at most
// once; a comma-merged pair of fields breaks the grammar and user agents
// ignore the whole field (§8.1: a UA processes only the first field, so
// two separate fields are fine).
func TestHSTS_RFC6797_6_1_Grammar(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fields []string
		want   probes.Status
	}{
		{"merged fields (comma) are invalid", []string{"max-age=15768000; includeSubDomains, max-age=15768000; includeSubDomains"}, probes.Fail},
		{"duplicate directive is invalid (6.1 rule 2)", []string{"max-age=31536000; max-age=31536000"}, probes.Fail},
		{"quoted max-age is valid (6.1.1)", []string{`max-age="31536000"; includeSubDomains`}, probes.Pass},
		{"unknown directive ignored (6.1 rule 5)", []string{"max-age=31536000; foo=bar"}, probes.Pass},
		{"8.1: only the first of two fields counts (good first)", []string{"max-age=31536000", "max-age=0"}, probes.Pass},
		{"8.1: only the first of two fields counts (short first)", []string{"max-age=300", "max-age=31536000"}, probes.Fail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target, cfg := headerSite(t, http.Header{"Strict-Transport-Security": tc.fields}, "ok")
			r := run(t, newFamily(), target, []string{"http.hsts"}, cfg)["http.hsts"]
			assert.Equal(t, tc.want, r.Status, "%s %+v", r.Summary, r.Findings)
		})
	}
}

// CSP3 §2.3 / §6.7.2: a script source list holding "*", a bare scheme
// ("https:", "http:") or "data:" lets any (or attacker-made) script run,
// so the policy does not restrict scripts: fail, as 'unsafe-inline' does.
// 'strict-dynamic' (§8.2) makes browsers ignore host and scheme sources.
func TestCSP3_WildcardScriptSourcesFail(t *testing.T) {
	for _, tc := range []struct {
		policy string
		want   probes.Status
	}{
		{"script-src *; frame-ancestors 'none'", probes.Fail},
		{"script-src 'self' data:; frame-ancestors 'none'", probes.Fail},
		{"default-src https:; frame-ancestors 'none'", probes.Fail},
		{"script-src 'self' http:; frame-ancestors 'none'", probes.Fail},
		{"script-src 'nonce-r4nd0m' 'strict-dynamic' https:; frame-ancestors 'none'", probes.Pass},
		{"script-src 'self' https://cdn.example.com; frame-ancestors 'none'", probes.Pass},
	} {
		t.Run(tc.policy, func(t *testing.T) {
			target, cfg := headerSite(t, with(strongHeaders(), "Content-Security-Policy", tc.policy), "<html></html>")
			r := run(t, newFamily(), target, []string{"http.headers"}, cfg)["http.headers"]
			assert.Equal(t, tc.want, check(t, r, "Content-Security-Policy").Status, "%+v", r.Findings)
			assert.Equal(t, tc.want, r.Status)
		})
	}
}

// CSP3 §8.1 ("multiple policies") and §2.2.1 (a serialized CSP list is
// comma-separated): every policy delivered is enforced, so the second
// field's default-src 'self' restricts scripts even when the first one
// allows everything.
func TestCSP3_8_1_EveryPolicyEnforced(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fields []string
		want   probes.Status
	}{
		{"second field restricts", []string{"script-src * 'unsafe-inline'", "default-src 'self'; frame-ancestors 'none'"}, probes.Pass},
		{"comma-joined list restricts", []string{"script-src * 'unsafe-inline', default-src 'self'; frame-ancestors 'none'"}, probes.Pass},
		{"frame-ancestors from the first, scripts from the second", []string{"frame-ancestors 'none'", "script-src 'self'"}, probes.Pass},
		{"both allow unsafe-inline", []string{"script-src 'self' 'unsafe-inline'", "default-src 'unsafe-inline'; frame-ancestors 'none'"}, probes.Fail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := strongHeaders()
			h["Content-Security-Policy"] = tc.fields
			target, cfg := headerSite(t, h, "<html></html>")
			r := run(t, newFamily(), target, []string{"http.headers"}, cfg)["http.headers"]
			assert.Equal(t, tc.want, check(t, r, "Content-Security-Policy").Status, "%+v", r.Findings)
			sc := r.Observed.(map[string]any)["score"].(Score)
			if tc.want == probes.Pass {
				assert.Equal(t, 100, sc.Score, "%+v", sc.Modifiers)
			}
		})
	}
}

// CSP3 §3.3: a <meta http-equiv="Content-Security-Policy"> policy is
// enforced, except frame-ancestors, report-uri and sandbox.
func TestCSP3_3_3_MetaPolicy(t *testing.T) {
	page := `<!doctype html><html><head>
<meta charset="utf-8">
<META HTTP-EQUIV="content-security-policy" CONTENT="default-src 'self'; frame-ancestors 'none'">
</head><body>hi</body></html>`
	t.Run("meta restricts scripts", func(t *testing.T) {
		target, cfg := headerSite(t, with(strongHeaders(), "Content-Security-Policy", ""), page)
		r := run(t, newFamily(), target, []string{"http.headers"}, cfg)["http.headers"]
		c := check(t, r, "Content-Security-Policy")
		// scripts restricted; only the (design) warning that no enforced
		// frame-ancestors exists, since a meta policy cannot carry one
		assert.Equal(t, probes.Warn, c.Status, "%+v", c)
		assert.Equal(t, "no frame-ancestors (a <meta> policy cannot set it)", c.Note)
		assert.Contains(t, c.Value, "default-src 'self'")
		// X-Frame-Options: DENY still protects framing
		assert.Equal(t, probes.Pass, check(t, r, "X-Frame-Options").Status)
		sc := r.Observed.(map[string]any)["score"].(Score)
		assert.Equal(t, 100, sc.Score, "%+v", sc.Modifiers)
	})
	t.Run("meta frame-ancestors is ignored", func(t *testing.T) {
		target, cfg := headerSite(t, with(strongHeaders(), "Content-Security-Policy", "", "X-Frame-Options", ""), page)
		r := run(t, newFamily(), target, []string{"http.headers"}, cfg)["http.headers"]
		assert.Equal(t, probes.Fail, check(t, r, "X-Frame-Options").Status)
	})
	t.Run("meta in a comment is not a policy", func(t *testing.T) {
		target, cfg := headerSite(t, with(strongHeaders(), "Content-Security-Policy", ""), `<html><!-- `+page+` --></html>`)
		r := run(t, newFamily(), target, []string{"http.headers"}, cfg)["http.headers"]
		assert.Equal(t, probes.Fail, check(t, r, "Content-Security-Policy").Status)
	})
}

// HTML §7.1.7 (X-Frame-Options processing): when an enforced CSP has
// frame-ancestors, browsers ignore X-Frame-Options; so frame-ancestors
// decides both ways: 'self' passes whatever XFO says, * fails whatever XFO
// says (CSP3 §6.4.2: any origin may frame the page).
func TestCSP3_6_4_2_FrameAncestors(t *testing.T) {
	for _, tc := range []struct {
		name, csp, xfo string
		want           probes.Status
	}{
		{"frame-ancestors 'self' with XFO ALLOW-FROM", "default-src 'self'; frame-ancestors 'self'", "ALLOW-FROM https://partner.example", probes.Pass},
		{"frame-ancestors * without XFO", "default-src 'self'; frame-ancestors *", "", probes.Fail},
		{"frame-ancestors * with XFO DENY (ignored)", "default-src 'self'; frame-ancestors *", "DENY", probes.Fail},
		{"frame-ancestors https: (any HTTPS site)", "default-src 'self'; frame-ancestors https:", "", probes.Fail},
		{"frame-ancestors host list", "default-src 'self'; frame-ancestors https://partner.example", "", probes.Pass},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target, cfg := headerSite(t, with(strongHeaders(), "Content-Security-Policy", tc.csp, "X-Frame-Options", tc.xfo), "<html></html>")
			r := run(t, newFamily(), target, []string{"http.headers"}, cfg)["http.headers"]
			assert.Equal(t, tc.want, check(t, r, "X-Frame-Options").Status, "%+v", r.Findings)
			sc := r.Observed.(map[string]any)["score"].(Score)
			hasPen := false
			for _, m := range sc.Modifiers {
				hasPen = hasPen || m.Rule == "frame-protection-missing"
			}
			assert.Equal(t, tc.want == probes.Fail, hasPen, "%+v", sc.Modifiers)
		})
	}
}

// Fetch §3.5 ("determine nosniff": the first value of the split list) and
// HTML §7.1.7 (X-Frame-Options: the de-duplicated set of values): a proxy
// merging two identical fields must not change the verdict.
func TestFetch_3_5_ListValuedHeaders(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header string
		fields []string
		want   probes.Status
	}{
		{"XCTO merged", "X-Content-Type-Options", []string{"nosniff, nosniff"}, probes.Pass},
		{"XCTO two fields", "X-Content-Type-Options", []string{"nosniff", "nosniff"}, probes.Pass},
		{"XCTO first value wins", "X-Content-Type-Options", []string{"nosniff, foo"}, probes.Pass},
		{"XCTO first value not nosniff", "X-Content-Type-Options", []string{"foo, nosniff"}, probes.Fail},
		{"XFO merged", "X-Frame-Options", []string{"SAMEORIGIN, SAMEORIGIN"}, probes.Pass},
		{"XFO two fields", "X-Frame-Options", []string{"sameorigin", "SAMEORIGIN"}, probes.Pass},
		{"XFO conflicting values are invalid", "X-Frame-Options", []string{"DENY, SAMEORIGIN"}, probes.Fail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := with(strongHeaders(), "Content-Security-Policy", "default-src 'self'")
			h[tc.header] = tc.fields
			target, cfg := headerSite(t, h, "<html></html>")
			r := run(t, newFamily(), target, []string{"http.headers"}, cfg)["http.headers"]
			assert.Equal(t, tc.want, check(t, r, tc.header).Status, "%+v", r.Findings)
		})
	}
}

// Referrer Policy §8.1: the policy is the last *valid* token; unknown
// tokens are skipped, and a header with none leaves the default.
func TestReferrerPolicy_8_1_LastValidToken(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  probes.Status
	}{
		{"unsafe-url, whimsy", probes.Warn},
		{"whimsy", probes.Warn},
		{"no-referrer, strict-origin-when-cross-origin", probes.Pass},
		{"strict-origin, unsafe-url", probes.Warn},
		{"unsafe-url, no-referrer", probes.Pass},
	} {
		t.Run(tc.value, func(t *testing.T) {
			target, cfg := headerSite(t, with(strongHeaders(), "Referrer-Policy", tc.value), "<html></html>")
			r := run(t, newFamily(), target, []string{"http.headers"}, cfg)["http.headers"]
			assert.Equal(t, tc.want, check(t, r, "Referrer-Policy").Status, "%+v", r.Findings)
		})
	}
}

// RFC 6265bis §4.1.2.5 (Secure): a session cookie set on the plain-HTTP
// redirect travels and is stored in clear; it must be judged like any other.
func TestCookies_RFC6265bis_4_1_2_5_PlainRedirect(t *testing.T) {
	target, cfg := headerSite(t, strongHeaders(), "<html></html>")
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "sessionid=pl41nS3ss10nV4lue; Path=/")
		http.Redirect(w, r, target, http.StatusMovedPermanently)
	}))
	defer plain.Close()
	f := newFamily()
	f.plainHTTPPort = port(t, plain.URL)
	rs := run(t, f, target, []string{"http.cookies", "http.redirect"}, cfg)
	c := rs["http.cookies"]
	assert.Equal(t, probes.Fail, c.Status, "%s %+v", c.Summary, c.Findings)
	require.NotEmpty(t, c.Findings)
	assert.True(t, strings.HasPrefix(c.Findings[0].Location, "http://"), "plain-HTTP cookies first: %+v", c.Findings)
	assert.Contains(t, c.Findings[0].Message, "sessionid")
	assert.NotContains(t, c.Findings[0].Evidence, "pl41nS3ss10nV4lue")
	rd := rs["http.redirect"]
	assert.Equal(t, probes.Warn, rd.Status, "%s %+v", rd.Summary, rd.Findings)
	assert.Contains(t, findingRules(rd, probes.Warn), "plain-http-cookie")
}

// Fetch §4.8 (CORS-preflight fetch): an OPTIONS answer that admits a
// foreign origin with credentials and PUT/DELETE lets any site change
// state with the user's cookies, whatever the GET answer says.
func TestFetch_4_8_CORSPreflight(t *testing.T) {
	handler := func(reflect bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodOptions {
				o := r.Header.Get("Origin")
				if !reflect {
					o = "https://app.example"
				}
				w.Header().Set("Access-Control-Allow-Origin", o)
				w.Header().Set("Access-Control-Allow-Credentials", "true")
				w.Header().Set("Access-Control-Allow-Methods", "GET, PUT, DELETE")
				w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
				w.WriteHeader(http.StatusNoContent)
				return
			}
			io.WriteString(w, "{}")
		}
	}
	srv, pool := tlsServer(t, handler(true))
	r := run(t, newFamily(), srv.URL+"/", []string{"http.cors"}, testConfig(pool, testNow))["http.cors"]
	assert.Equal(t, probes.Fail, r.Status, "%s %+v", r.Summary, r.Findings)
	assert.Contains(t, findingRules(r, probes.Fail), "cors-preflight")

	srv, pool = tlsServer(t, handler(false))
	r = run(t, newFamily(), srv.URL+"/", []string{"http.cors"}, testConfig(pool, testNow))["http.cors"]
	assert.Equal(t, probes.Pass, r.Status, "%s %+v", r.Summary, r.Findings)
}

// RFC 6797 §7.2: the host the user typed must redirect to HTTPS on itself
// (so the browser learns its HSTS policy); a plain-HTTP intermediate hop or
// a first hop to another host is at least a warning.
func TestRedirect_RFC6797_7_2_EveryHop(t *testing.T) {
	target, cfg := headerSite(t, strongHeaders(), "<html></html>")
	for _, tc := range []struct {
		name string
		h    http.HandlerFunc
		want probes.Status
		rule string
	}{
		{"plain-HTTP intermediate hop", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/" {
				http.Redirect(w, r, "/login", http.StatusMovedPermanently)
				return
			}
			http.Redirect(w, r, target+"login", http.StatusMovedPermanently)
		}, probes.Warn, "plain-http-intermediate-hop"},
		{"first hop to another host", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://www.elsewhere.example/", http.StatusMovedPermanently)
		}, probes.Warn, "plain-http-redirect-other-host"},
		{"direct to HTTPS on the same host", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target, http.StatusMovedPermanently)
		}, probes.Pass, "plain-http-redirect"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plain := httptest.NewServer(tc.h)
			defer plain.Close()
			f := newFamily()
			f.plainHTTPPort = port(t, plain.URL)
			r := run(t, f, target, []string{"http.redirect"}, cfg)["http.redirect"]
			assert.Equal(t, tc.want, r.Status, "%s %+v", r.Summary, r.Findings)
			assert.Contains(t, findingRules(r, tc.want), tc.rule)
		})
	}
	// the same chain given as an http:// target
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			http.Redirect(w, r, "/login", http.StatusMovedPermanently)
			return
		}
		http.Redirect(w, r, target+"login", http.StatusMovedPermanently)
	}))
	defer plain.Close()
	r := run(t, newFamily(), plain.URL+"/", []string{"http.redirect"}, cfg)["http.redirect"]
	assert.Equal(t, probes.Warn, r.Status, "%s %+v", r.Summary, r.Findings)
}

func sri384(b []byte) string {
	s := sha512.Sum384(b)
	return "sha384-" + base64.StdEncoding.EncodeToString(s[:])
}

// W3C Subresource Integrity §3.3 and PCI DSS 4.0 6.4.3: every cross-origin
// script and stylesheet carries integrity; integrity over plain HTTP or a
// protocol-relative URL is flagged; same-origin scripts are inventoried
// with their size and sha384.
func TestSRI(t *testing.T) {
	const appJS = "console.log('app');\n"
	page := func(tags string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/app.js" {
				w.Header().Set("Content-Type", "text/javascript")
				io.WriteString(w, appJS)
				return
			}
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<!doctype html><html><head>"+tags+"</head><body></body></html>")
		}
	}
	good := `<script src="/app.js"></script>
<script src="https://cdn.example.com/lib.js" integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC" crossorigin="anonymous"></script>
<link rel="stylesheet" href="https://cdn.example.com/a.css" integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC" crossorigin="anonymous">
<link rel="stylesheet" href="/local.css">`
	for _, tc := range []struct {
		name string
		tags string
		want probes.Status
		rule string
	}{
		{"all covered", good, probes.Pass, ""},
		{"cross-origin script without integrity", `<script src="https://cdn.example.com/lib.js"></script>`, probes.Fail, "sri-missing"},
		{"cross-origin stylesheet without integrity", `<link href="https://cdn.example.com/a.css" rel="preload stylesheet">`, probes.Fail, "sri-missing"},
		{"integrity with no valid hash", `<script src="https://cdn.example.com/lib.js" integrity="md5-abc" crossorigin></script>`, probes.Fail, "sri-missing"},
		{"integrity over plain HTTP", `<script src="http://cdn.example.com/lib.js" integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC" crossorigin></script>`, probes.Warn, "sri-insecure-url"},
		{"integrity protocol-relative", `<script src="//cdn.example.com/lib.js" integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC" crossorigin></script>`, probes.Warn, "sri-protocol-relative"},
		{"same-origin integrity mismatch", `<script src="/app.js" integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC"></script>`, probes.Fail, "sri-mismatch"},
		{"same-origin integrity matches", `<script src="/app.js" integrity="` + sri384([]byte(appJS)) + `"></script>`, probes.Pass, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, pool := tlsServer(t, page(tc.tags))
			r := run(t, newFamily(), srv.URL+"/", []string{"js.sri"}, testConfig(pool, testNow))["js.sri"]
			assert.Equal(t, tc.want, r.Status, "%s %+v", r.Summary, r.Findings)
			if tc.rule != "" {
				assert.Contains(t, findingRules(r, tc.want), tc.rule)
			}
		})
	}
	// the inventory: origin, integrity, size and sha384 of what was fetched
	srv, pool := tlsServer(t, page(good))
	r := run(t, newFamily(), srv.URL+"/", []string{"js.sri"}, testConfig(pool, testNow))["js.sri"]
	inv := r.Observed.(*sriObserved).Resources
	require.Len(t, inv, 4)
	assert.Equal(t, srv.URL+"/app.js", inv[0].URL)
	assert.Equal(t, "script", inv[0].Kind)
	assert.Equal(t, srv.URL, inv[0].Origin)
	assert.Equal(t, len(appJS), inv[0].Bytes)
	assert.Equal(t, sri384([]byte(appJS)), inv[0].SHA384)
	assert.Equal(t, "https://cdn.example.com", inv[1].Origin)
	assert.True(t, inv[1].CrossOrigin)
	assert.NotEmpty(t, inv[1].Integrity)
	assert.Empty(t, inv[1].SHA384, "cross-origin scripts are not fetched")
	assert.Equal(t, "stylesheet", inv[2].Kind)
	assert.NotEmpty(t, r.Observed.(*sriObserved).InventorySHA256)
}
