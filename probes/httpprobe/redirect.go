package httpprobe

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/selfassess/selfassess/probes"
)

// probeRedirect checks that plain HTTP on the target's host redirects to
// HTTPS. For an https:// target it asks http://host (port 80); for an
// http:// target it asks that URL. A refused connection means plain HTTP
// serves nothing at all, which passes; a silent port (filtered) is info.
func (f *family) probeRedirect(ctx context.Context, c *client, u *url.URL) probes.Result {
	res := probes.Result{ID: "http.redirect"}
	plain := &url.URL{Scheme: "http", Host: u.Host, Path: u.Path, RawQuery: u.RawQuery}
	if u.Scheme == "https" {
		plain.Host = net.JoinHostPort(u.Hostname(), f.plainHTTPPort)
		if f.plainHTTPPort == "80" {
			plain.Host = bracketHost(u.Hostname())
		}
	}
	loc := redactURL(plain)
	var hops []hop
	res.Observed = map[string]any{"url": loc, "redirects": &hops}
	finish := func(st probes.Status, rule, summary, evidence string) probes.Result {
		res.Status, res.Summary = st, summary
		res.Findings = append(res.Findings, probes.Finding{Status: st, Rule: rule, Message: summary, Location: loc, Evidence: evidence})
		return res
	}
	cur := plain
	for i := 0; i < maxHops; i++ {
		r, err := c.do(ctx, request{Method: http.MethodGet, URL: cur})
		if err != nil {
			msg := err.Error()
			switch {
			case i > 0:
				return finish(probes.Error, "redirect-fetch", "following "+redactURL(cur)+": "+msg, "")
			case msg == "connection refused":
				return finish(probes.Pass, "plain-http-closed", "no plain-HTTP listener reached ("+plain.Host+" refused the connection): nothing is served over plain HTTP", "")
			case strings.HasPrefix(msg, "no complete response"):
				return finish(probes.Info, "plain-http-silent", "plain HTTP on "+plain.Host+" did not answer within the timeout (filtered?)", "")
			default:
				return finish(probes.Error, "redirect-fetch", "plain HTTP on "+plain.Host+": "+msg, "")
			}
		}
		hops = append(hops, hop{URL: redactURL(cur), Status: r.StatusCode})
		if !isRedirect(r.StatusCode) {
			if r.StatusCode >= 200 && r.StatusCode < 300 {
				return finish(probes.Fail, "plain-http-content", fmt.Sprintf("plain HTTP serves content (HTTP %d) instead of redirecting to HTTPS", r.StatusCode),
					fmt.Sprintf("HTTP %d, %d bytes", r.StatusCode, len(r.Body)))
			}
			return finish(probes.Warn, "plain-http-no-redirect", fmt.Sprintf("plain HTTP answers HTTP %d without redirecting to HTTPS", r.StatusCode), "")
		}
		next, err := cur.Parse(r.Header.Get("Location"))
		if err != nil || r.Header.Get("Location") == "" {
			return finish(probes.Fail, "plain-http-bad-redirect", fmt.Sprintf("HTTP %d with a missing or invalid Location", r.StatusCode), "")
		}
		ev := fmt.Sprintf("HTTP %d Location: %s", r.StatusCode, redactURL(next))
		if next.Scheme == "https" {
			other := ""
			if !strings.EqualFold(next.Hostname(), u.Hostname()) {
				other = " (on another host, not followed)"
			}
			if r.StatusCode == 301 || r.StatusCode == 308 {
				return finish(probes.Pass, "plain-http-redirect", fmt.Sprintf("plain HTTP redirects permanently (%d) to HTTPS%s", r.StatusCode, other), ev)
			}
			return finish(probes.Warn, "plain-http-temporary-redirect", fmt.Sprintf("plain HTTP redirects to HTTPS with a temporary %d (use 301 or 308)%s", r.StatusCode, other), ev)
		}
		if !strings.EqualFold(next.Hostname(), u.Hostname()) {
			return finish(probes.Fail, "plain-http-redirect-elsewhere", "plain HTTP redirects to another plain-HTTP host (not followed)", ev)
		}
		cur = next
	}
	return finish(probes.Fail, "plain-http-redirect-loop", fmt.Sprintf("plain HTTP redirects more than %d times without reaching HTTPS", maxHops), "")
}

func bracketHost(h string) string {
	if strings.Contains(h, ":") {
		return "[" + h + "]"
	}
	return h
}
