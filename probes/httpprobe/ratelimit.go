package httpprobe

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/selfassess/selfassess/probes"
)

// rateLimitHeaders are the draft-IETF RateLimit-* and the common X-RateLimit-* headers.
var rateLimitHeaders = []string{"RateLimit", "RateLimit-Policy", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset",
	"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-Rate-Limit-Limit", "X-Rate-Limit-Remaining",
	"X-Rate-Limit-Reset", "Retry-After"}

// maxBurst bounds --burst: we test rate limiting, we do not load-test.
const maxBurst = 200

func rateLimitSeen(h http.Header) map[string]string {
	m := map[string]string{}
	for _, name := range rateLimitHeaders {
		if v := h.Get(name); v != "" {
			m[name] = truncate(v, 100)
		}
	}
	return m
}

// probeRateLimit reports rate-limit headers (informational); with burst > 0
// it sends up to burst sequential GETs and expects a 429 before the end.
func probeRateLimit(ctx context.Context, c *client, page *response, burst int) probes.Result {
	res := probes.Result{ID: "http.rate-limit"}
	loc := redactURL(page.URL)
	seen := rateLimitSeen(page.Header)
	obs := map[string]any{"headers": seen}
	res.Observed = obs
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		v := seen[name]
		res.Findings = append(res.Findings, probes.Finding{Status: probes.Info, Rule: "rate-limit-header",
			Message: "rate-limit header " + name, Location: loc, Evidence: name + ": " + v})
	}
	headerNote := "no rate-limit headers"
	if len(seen) > 0 {
		headerNote = "rate-limit headers: " + strings.Join(names, ", ")
	}
	if burst <= 0 {
		res.Status, res.Summary = probes.Info, headerNote+" (use --burst N to test enforcement)"
		return res
	}
	if burst > maxBurst {
		burst = maxBurst
	}
	obs["burst"] = burst
	for i := 1; i <= burst; i++ {
		r, err := c.do(ctx, request{Method: http.MethodGet, URL: page.URL})
		if err != nil {
			obs["requests_sent"] = i
			res.Status = probes.Error
			res.Summary = fmt.Sprintf("burst stopped at request %d: %v", i, err)
			res.Findings = append(res.Findings, probes.Finding{Status: probes.Error, Rule: "rate-limit-burst", Message: res.Summary, Location: loc})
			return res
		}
		if r.StatusCode == http.StatusTooManyRequests {
			obs["requests_sent"] = i
			obs["limited_at"] = i
			res.Status = probes.Pass
			res.Summary = fmt.Sprintf("429 Too Many Requests after %d of %d requests; %s", i, burst, headerNote)
			res.Findings = append(res.Findings, probes.Finding{Status: probes.Pass, Rule: "rate-limit-burst", Message: res.Summary, Location: loc,
				Evidence: fmt.Sprintf("HTTP 429, Retry-After: %s", truncate(r.Header.Get("Retry-After"), 40))})
			return res
		}
	}
	obs["requests_sent"] = burst
	res.Status = probes.Fail
	res.Summary = fmt.Sprintf("no 429 within %d requests; %s", burst, headerNote)
	res.Findings = append(res.Findings, probes.Finding{Status: probes.Fail, Rule: "rate-limit-burst", Message: res.Summary, Location: loc})
	return res
}
