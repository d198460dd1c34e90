// Package httpprobe checks HTTP responses and served JavaScript of a
// target, and webhook signature enforcement.
//
// Every request is bounded: a per-request deadline (cfg.Timeout), a header
// size cap, a body cap applied after decompression, per-host concurrency,
// a per-host request budget and a minimum gap between requests. Redirects
// are followed only within the target's host.
package httpprobe

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/selfassess/selfassess/internal/prose"
	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/probes/codescan"
)

// IDs of the url-target family, in catalogue order.
var urlIDs = []string{"http.redirect", "http.hsts", "http.headers", "http.cookies", "http.banners", "http.cors",
	"http.error-leak", "http.rate-limit", "http.security-txt", "js.secrets", "js.token-storage", "js.token-in-url", "js.sri"}

type family struct {
	limits *hostLimits

	// plainHTTPPort is where http.redirect looks for plain HTTP when the
	// target is https:// ("80"; tests point it at a local listener).
	plainHTTPPort string
}

// NewFamily returns the http.* and js.* probe family. One instance shares
// per-host limits across all the targets of a run.
func NewFamily() probes.Family { return newFamily() }

func newFamily() *family { return &family{limits: newHostLimits(), plainHTTPPort: "80"} }

func (*family) Name() string                 { return "http" }
func (*family) IDs() []string                { return append([]string(nil), urlIDs...) }
func (*family) Applies(t probes.Target) bool { return t.Kind == probes.KindURL }

// scanner returns the shared secret rules (codescan compiles them once per
// process).
func (f *family) scanner() (*codescan.Secrets, error) { return codescan.DefaultSecrets() }

// Run fetches the target once, then runs the selected probes (those needing
// extra requests concurrently, within the per-host limits).
func (f *family) Run(ctx context.Context, t probes.Target, ids []string, cfg probes.Config) []probes.Result {
	return f.RunRounds(ctx, t, []probes.Round{{IDs: ids, With: cfg.With}}, cfg)[0]
}

// RunRounds observes the target once (the requests of every selected
// probe) and judges it by each round's parameters: a second HSTS threshold
// re-reads the same response, it sends no request.
func (f *family) RunRounds(ctx context.Context, t probes.Target, rounds []probes.Round, cfg probes.Config) [][]probes.Result {
	cfg = cfg.Defaults()
	start := time.Now()
	u, bad := targetURL(t, rounds)
	if bad != nil {
		return bad
	}
	out := make([][]probes.Result, len(rounds))
	ctx, cancel := context.WithTimeout(ctx, familyLimit(cfg))
	defer cancel()
	c := newClient(u, cfg, f.limits)
	defer c.close()

	want := probes.RoundIDs(rounds)
	// The headers score's HSTS minimum is the checklist's when HSTS is
	// judged by one threshold; with several, whose it is cannot be told.
	hstsDays := map[int]bool{}
	for _, r := range rounds {
		if _, ok := r.With["http.hsts"]; ok {
			hstsDays[r.Params("http.hsts").Int("http.hsts", "min_max_age_days")] = true
		}
	}
	scoreHSTS := 0
	for d := range hstsDays {
		if len(hstsDays) == 1 {
			scoreHSTS = d
		}
	}
	var (
		mu      sync.Mutex
		wg      sync.WaitGroup
		results = map[string]probes.Result{}
	)
	put := func(r probes.Result) {
		r.Target = t.Value
		r.DurationMS = time.Since(start).Milliseconds()
		mu.Lock()
		results[r.ID] = r
		mu.Unlock()
	}
	spawn := func(fn func()) {
		wg.Add(1)
		go func() { defer wg.Done(); fn() }()
	}

	if want["js.secrets"] {
		// compile the secret rules while the page is fetched
		spawn(func() { _, _ = f.scanner() })
	}
	// responses the cookie judgement reads beyond the page's own chain:
	// the plain-HTTP ones first (RFC 6265bis §4.1.2.5: set in clear)
	var plainResps, corsResps []*response
	if want["http.redirect"] || want["http.cookies"] {
		// plain HTTP: a connection of its own, nothing to share
		spawn(func() {
			r, got := f.probeRedirect(ctx, c, u)
			mu.Lock()
			plainResps = got
			mu.Unlock()
			if want["http.redirect"] {
				put(r)
			}
		})
	}
	// The shared fetch: hsts, headers, cookies, banners, rate-limit, js.
	page, pageErr := c.fetch(ctx, u, nil)
	// Probes that make their own requests start now, resuming the TLS
	// session the shared fetch opened.
	var leak *leakResult
	if want["http.error-leak"] || want["http.banners"] {
		spawn(func() { lr := probeErrorLeak(ctx, c, u); mu.Lock(); leak = lr; mu.Unlock() })
	}
	if want["http.security-txt"] {
		spawn(func() { put(probeSecurityTxt(ctx, c, u, cfg.Now())) })
	}
	if want["http.cors"] {
		spawn(func() {
			r, got := probeCORS(ctx, c, u)
			mu.Lock()
			corsResps = got
			mu.Unlock()
			put(r)
		})
	}

	pageDependent := []string{"http.hsts", "http.headers", "http.cookies", "http.banners", "http.rate-limit", "js.secrets", "js.token-storage", "js.token-in-url", "js.sri"}
	if pageErr != nil {
		msg := fmt.Sprintf("fetching %s: %v", redactURL(u), pageErr)
		for _, id := range pageDependent {
			if want[id] && id != "http.banners" {
				put(probes.Result{ID: id, Status: probes.Error, Summary: msg, Observed: map[string]any{"redirects": page.Hops},
					Findings: []probes.Finding{{Status: probes.Error, Rule: "fetch", Message: msg, Location: redactURL(u)}}})
			}
		}
	} else {
		final := page.Final
		if want["http.hsts"] {
			put(probeHSTS(final, rounds[0].Params("http.hsts")))
		}
		if want["http.rate-limit"] {
			spawn(func() { put(probeRateLimit(ctx, c, final, cfg.Burst)) })
		}
		if want["js.secrets"] || want["js.token-storage"] || want["js.token-in-url"] || want["js.sri"] {
			spawn(func() {
				rs, fetched, inline := f.probeScripts(ctx, c, final, cfg, want["js.secrets"])
				for _, r := range rs {
					if want[r.ID] {
						put(r)
					}
				}
				if want["js.sri"] {
					put(probeSRI(final, fetched, inline))
				}
			})
		}
	}
	wg.Wait()
	// cookies (and the score's cookie modifier) from every response
	// received, plain-HTTP ones first
	var all []*response
	if pageErr == nil {
		all = append(append(all, plainResps...), page.All...)
		all = append(all, corsResps...)
		if leak != nil {
			all = append(all, leak.responses...)
		}
		if want["http.headers"] {
			put(probeHeaders(page.Final, all, rounds[0].Params("http.headers"), scoreHSTS))
		}
		if want["http.cookies"] {
			put(probeCookies(all, rounds[0].Params("http.cookies")))
		}
	}
	if want["http.banners"] {
		var all []*response
		if page != nil {
			all = append(all, page.All...)
		}
		if leak != nil {
			all = append(all, leak.responses...)
		}
		if len(all) == 0 {
			msg := fmt.Sprintf("fetching %s: %v", redactURL(u), pageErr)
			put(probes.Result{ID: "http.banners", Status: probes.Error, Summary: msg})
		} else {
			r := probeBanners(all)
			if pageErr != nil && r.Status == probes.Pass {
				// error pages alone cannot clear a page never received
				r.Status = probes.Error
				r.Summary = fmt.Sprintf("fetching %s: %v (no version banners in the %s received)", redactURL(u), pageErr, prose.Plural(len(all), "other response"))
			}
			put(r)
		}
	}
	if want["http.error-leak"] && leak != nil {
		put(leak.result)
	}

	for k, r := range rounds {
		in := map[string]bool{}
		for _, id := range r.IDs {
			in[id] = true
		}
		for _, id := range urlIDs {
			first, ok := results[id]
			if !ok || !in[id] {
				continue
			}
			if k > 0 && pageErr == nil {
				// the same responses, judged by this round's thresholds
				switch id {
				case "http.hsts":
					first = probeHSTS(page.Final, r.Params(id))
				case "http.headers":
					first = probeHeaders(page.Final, all, r.Params(id), scoreHSTS)
				case "http.cookies":
					first = probeCookies(all, r.Params(id))
				}
				first.Target, first.DurationMS = t.Value, time.Since(start).Milliseconds()
			}
			out[k] = append(out[k], first)
		}
	}
	return out
}

// targetURL parses an http(s) target with a host; for anything else it
// returns the results: every id of every round an error.
func targetURL(t probes.Target, rounds []probes.Round) (*url.URL, [][]probes.Result) {
	u, err := url.Parse(t.Value)
	if err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Hostname() != "" {
		return u, nil
	}
	out := make([][]probes.Result, len(rounds))
	for k, r := range rounds {
		out[k] = allError(t, r.IDs, "not an http(s) URL")
	}
	return nil, out
}

func allError(t probes.Target, ids []string, msg string) []probes.Result {
	var out []probes.Result
	for _, id := range ids {
		out = append(out, probes.Result{ID: id, Target: t.Value, Status: probes.Error, Summary: msg})
	}
	return out
}

// worst returns the worst finding status, or def when there are none worse.
func worst(fs []probes.Finding, def probes.Status) probes.Status {
	s := def
	for _, f := range fs {
		if f.Status.Rank() > s.Rank() {
			s = f.Status
		}
	}
	return s
}

// countStatus counts findings with status s.
func countStatus(fs []probes.Finding, s probes.Status) int {
	n := 0
	for _, f := range fs {
		if f.Status == s {
			n++
		}
	}
	return n
}
