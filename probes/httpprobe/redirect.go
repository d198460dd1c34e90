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
// Every hop is graded (RFC 6797 §7.2: the host itself answers with a
// permanent redirect to HTTPS): a plain-HTTP intermediate hop, a first hop
// to another host or a temporary redirect is at least a warning. It also
// returns the responses it received, for http.cookies.
func (f *family) probeRedirect(ctx context.Context, c *client, u *url.URL) (probes.Result, []*response) {
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
	var got []*response
	res.Observed = map[string]any{"url": loc, "redirects": &hops}
	note := func(st probes.Status, rule, msg, evidence string) {
		res.Findings = append(res.Findings, probes.Finding{Status: st, Rule: rule, Message: msg, Location: loc, Evidence: evidence})
	}
	finish := func(st probes.Status, rule, summary, evidence string) (probes.Result, []*response) {
		note(st, rule, summary, evidence)
		res.Status, res.Summary = worst(res.Findings, st), summary
		return res, got
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
		got = append(got, r)
		hops = append(hops, hop{URL: redactURL(cur), Status: r.StatusCode})
		if cs := parseSetCookies(r.Header); len(cs) > 0 {
			var names []string
			for _, ck := range cs {
				names = append(names, ck.Name)
			}
			note(probes.Warn, "plain-http-cookie", fmt.Sprintf("plain HTTP (%s) sets cookies in clear text: %s (see http.cookies)", redactURL(cur), strings.Join(names, ", ")), "")
		}
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
		permanent := r.StatusCode == 301 || r.StatusCode == 308
		if !permanent {
			hops[i].Note = "temporary redirect"
			note(probes.Warn, "plain-http-temporary-redirect", fmt.Sprintf("%s redirects with a temporary %d (use 301 or 308)", redactURL(cur), r.StatusCode), ev)
		}
		offHost := !strings.EqualFold(next.Hostname(), u.Hostname())
		if next.Scheme != "https" {
			if offHost {
				return finish(probes.Fail, "plain-http-redirect-elsewhere", "plain HTTP redirects to another plain-HTTP host (not followed)", ev)
			}
			hops[i].Note = "to plain HTTP"
			cur = next
			continue
		}
		chain := fmt.Sprintf("%d hop(s)", i+1)
		if i > 0 {
			hops[i-1].Note = "plain-HTTP intermediate hop"
			note(probes.Warn, "plain-http-intermediate-hop", fmt.Sprintf("plain HTTP goes through %d more plain-HTTP hop(s) before HTTPS: each is open to tampering (RFC 6797 §7.2: redirect straight to HTTPS)", i), ev)
		}
		if offHost && i == 0 {
			hops[i].Note = "to another host"
			note(probes.Warn, "plain-http-redirect-other-host", fmt.Sprintf("the first redirect goes to another host (%s, not followed): %s never moves to HTTPS itself, so browsers never get its HSTS policy (RFC 6797 §7.2)", next.Hostname(), u.Hostname()), ev)
		}
		if worst(res.Findings, probes.Pass) == probes.Pass {
			return finish(probes.Pass, "plain-http-redirect", fmt.Sprintf("plain HTTP redirects permanently (%d) to HTTPS on the same host", r.StatusCode), ev)
		}
		res.Status = worst(res.Findings, probes.Pass)
		res.Summary = fmt.Sprintf("plain HTTP reaches HTTPS in %s, with problems: %s", chain, res.Findings[len(res.Findings)-1].Message)
		for _, fd := range res.Findings {
			if fd.Status == res.Status && fd.Rule != "plain-http-cookie" {
				res.Summary = fmt.Sprintf("plain HTTP reaches HTTPS in %s, but %s", chain, fd.Message)
				break
			}
		}
		return res, got
	}
	return finish(probes.Fail, "plain-http-redirect-loop", fmt.Sprintf("plain HTTP redirects more than %d times without reaching HTTPS", maxHops), "")
}

func bracketHost(h string) string {
	if strings.Contains(h, ":") {
		return "[" + h + "]"
	}
	return h
}
