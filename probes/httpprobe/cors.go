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
	Origin           string `json:"origin_sent"`
	Status           int    `json:"status,omitempty"`
	AllowOrigin      string `json:"allow_origin,omitempty"`
	AllowCredentials string `json:"allow_credentials,omitempty"`
	Error            string `json:"error,omitempty"`
}

func probeCORS(ctx context.Context, c *client, u *url.URL) probes.Result {
	res := probes.Result{ID: "http.cors"}
	loc := redactURL(u)
	var obs []corsObservation
	for _, origin := range []string{foreignOrigin, "null"} {
		o := corsObservation{Origin: origin}
		r, err := c.do(ctx, request{Method: http.MethodGet, URL: u, Header: http.Header{"Origin": {origin}}})
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
	return res
}
