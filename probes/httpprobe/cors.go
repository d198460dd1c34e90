package httpprobe

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/selfassess/selfassess/probes"
)

// foreignOrigin is an origin no real site can have (.invalid, RFC 2606).
const foreignOrigin = "https://selfassess-cors-check.invalid"

type corsObservation struct {
	Method           string `json:"method"`
	Origin           string `json:"origin_sent"`
	Status           int    `json:"status,omitempty"`
	AllowOrigin      string `json:"allow_origin,omitempty"`
	AllowCredentials string `json:"allow_credentials,omitempty"`
	AllowMethods     string `json:"allow_methods,omitempty"`
	Error            string `json:"error,omitempty"`
}

// preflightMethod is what the preflight asks to send: a state-changing
// method a cross-site form cannot send without CORS.
const preflightMethod = "PUT"

// unsafeMethods are the state-changing methods a preflight may grant.
var unsafeMethods = []string{"PUT", "DELETE", "PATCH", "POST"}

// probeCORS sends GETs with a foreign and a null Origin, then a CORS
// preflight (Fetch §4.8: OPTIONS with Access-Control-Request-Method) from
// the foreign origin, and judges each answer. It returns the responses for
// http.cookies.
func probeCORS(ctx context.Context, c *client, u *url.URL) (probes.Result, []*response) {
	res := probes.Result{ID: "http.cors"}
	loc := redactURL(u)
	var obs []corsObservation
	var got []*response
	for _, origin := range []string{foreignOrigin, "null"} {
		o := corsObservation{Method: http.MethodGet, Origin: origin}
		r, err := c.do(ctx, request{Method: http.MethodGet, URL: u, Header: http.Header{"Origin": {origin}}})
		if r != nil {
			got = append(got, r)
		}
		if err != nil {
			o.Error = err.Error()
			obs = append(obs, o)
			res.Findings = append(res.Findings, probes.Finding{Status: probes.Error, Rule: "cors-request",
				Message: "request with Origin " + origin + ": " + err.Error(), Location: loc})
			continue
		}
		o.Status = r.StatusCode
		o.AllowOrigin = truncate(r.Header.Get("Access-Control-Allow-Origin"), 200)
		o.AllowCredentials = truncate(r.Header.Get("Access-Control-Allow-Credentials"), 50)
		obs = append(obs, o)
		acao := strings.TrimSpace(r.Header.Get("Access-Control-Allow-Origin"))
		creds := strings.EqualFold(strings.TrimSpace(o.AllowCredentials), "true")
		ev := "Access-Control-Allow-Origin: " + o.AllowOrigin
		if o.AllowCredentials != "" {
			ev += ", Access-Control-Allow-Credentials: " + o.AllowCredentials
		}
		switch {
		case acao == "":
		case acao == "*" && creds:
			res.Findings = append(res.Findings, probes.Finding{Status: probes.Fail, Rule: "cors-wildcard-credentials",
				Message: "Access-Control-Allow-Origin: * together with Access-Control-Allow-Credentials: true", Location: loc, Evidence: ev})
		case acao == "*":
			if origin == foreignOrigin {
				res.Findings = append(res.Findings, probes.Finding{Status: probes.Info, Rule: "cors-wildcard",
					Message: "any origin may read responses without credentials (fine for public data only)", Location: loc, Evidence: ev})
			}
		case strings.EqualFold(acao, origin):
			msg := "the foreign Origin " + origin + " is reflected in Access-Control-Allow-Origin"
			if creds {
				msg += " with credentials allowed: any site can read authenticated responses"
			}
			res.Findings = append(res.Findings, probes.Finding{Status: probes.Fail, Rule: "cors-reflected-origin", Message: msg, Location: loc, Evidence: ev})
		}
	}
	pre, r := preflight(ctx, c, u, loc)
	obs = append(obs, pre.obs)
	res.Findings = append(res.Findings, pre.findings...)
	if r != nil {
		got = append(got, r)
	}
	res.Observed = map[string]any{"requests": obs}
	res.Status = worst(res.Findings, probes.Pass)
	switch res.Status {
	case probes.Fail:
		res.Summary = "CORS grants foreign origins access"
	case probes.Error:
		res.Summary = "CORS check incomplete: request failed"
	case probes.Info:
		res.Status = probes.Pass
		res.Summary = "public CORS (*) without credentials"
	default:
		res.Summary = "no access granted to foreign origins"
	}
	return res, got
}

type preflightResult struct {
	obs      corsObservation
	findings []probes.Finding
}

// preflight asks, as a browser would before a cross-site PUT with a JSON
// body, whether the foreign origin may send it. A reflected origin (or *)
// with credentials and a state-changing method lets any site act with the
// user's cookies; a reflected origin alone still grants that site access.
func preflight(ctx context.Context, c *client, u *url.URL, loc string) (preflightResult, *response) {
	var pr preflightResult
	pr.obs = corsObservation{Method: http.MethodOptions, Origin: foreignOrigin}
	r, err := c.do(ctx, request{Method: http.MethodOptions, URL: u, Header: http.Header{
		"Origin":                         {foreignOrigin},
		"Access-Control-Request-Method":  {preflightMethod},
		"Access-Control-Request-Headers": {"content-type"},
	}})
	if err != nil {
		pr.obs.Error = err.Error()
		pr.findings = append(pr.findings, probes.Finding{Status: probes.Error, Rule: "cors-preflight-request",
			Message: "CORS preflight (OPTIONS) with Origin " + foreignOrigin + ": " + err.Error(), Location: loc})
		return pr, r
	}
	pr.obs.Status = r.StatusCode
	pr.obs.AllowOrigin = truncate(r.Header.Get("Access-Control-Allow-Origin"), 200)
	pr.obs.AllowCredentials = truncate(r.Header.Get("Access-Control-Allow-Credentials"), 50)
	pr.obs.AllowMethods = truncate(strings.Join(r.Header.Values("Access-Control-Allow-Methods"), ", "), 200)
	// Fetch §4.8: a preflight only counts with an ok status (2xx)
	if r.StatusCode < 200 || r.StatusCode > 299 {
		return pr, r
	}
	acao := strings.TrimSpace(r.Header.Get("Access-Control-Allow-Origin"))
	creds := strings.EqualFold(strings.TrimSpace(r.Header.Get("Access-Control-Allow-Credentials")), "true")
	if acao == "" || (acao != "*" && !strings.EqualFold(acao, foreignOrigin)) || (acao == "*" && creds) {
		// Fetch §3.2.5 (CORS check): * never passes a credentialed request;
		// http.cors' GETs already flag * with credentials
		return pr, r
	}
	// Fetch §4.8 step 7: with credentials, "*" in Allow-Methods is a literal
	// method name, not a wildcard.
	var granted []string
	methods := listValues(r.Header, "Access-Control-Allow-Methods")
	for _, m := range unsafeMethods {
		if has(methods, m) || (!creds && has(methods, "*")) {
			granted = append(granted, m)
		}
	}
	ev := "OPTIONS: Access-Control-Allow-Origin: " + pr.obs.AllowOrigin
	if pr.obs.AllowCredentials != "" {
		ev += ", Access-Control-Allow-Credentials: " + pr.obs.AllowCredentials
	}
	if pr.obs.AllowMethods != "" {
		ev += ", Access-Control-Allow-Methods: " + pr.obs.AllowMethods
	}
	switch {
	case acao != "*" && creds && len(granted) > 0:
		pr.findings = append(pr.findings, probes.Finding{Status: probes.Fail, Rule: "cors-preflight",
			Message: "the CORS preflight admits the foreign origin with credentials and " + strings.Join(granted, ", ") +
				": any site can change state with the user's cookies", Location: loc, Evidence: ev})
	case acao != "*":
		pr.findings = append(pr.findings, probes.Finding{Status: probes.Fail, Rule: "cors-preflight",
			Message: "the CORS preflight reflects the foreign Origin " + foreignOrigin, Location: loc, Evidence: ev})
	case len(granted) > 0:
		pr.findings = append(pr.findings, probes.Finding{Status: probes.Info, Rule: "cors-preflight-wildcard",
			Message: "the CORS preflight lets any origin send " + strings.Join(granted, ", ") + " (without credentials)", Location: loc, Evidence: ev})
	}
	return pr, r
}
