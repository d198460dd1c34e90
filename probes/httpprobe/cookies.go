package httpprobe

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/selfassess/selfassess/internal/lazyre"
	"github.com/selfassess/selfassess/internal/prose"
	"github.com/selfassess/selfassess/probes"
)

func parseSetCookies(h http.Header) []*http.Cookie {
	return (&http.Response{Header: h}).Cookies()
}

// sessionName matches cookie names that carry a session or a token and so
// must be HttpOnly. CSRF cookies are meant to be read by scripts.
var sessionName = lazyre.New(`(?i)(sess|sid$|^sid|token|auth|jwt|login|remember|bearer|access|refresh|identity|^id$|_id$)`)
var csrfName = lazyre.New(`(?i)(csrf|xsrf)`)

func isSessionName(name string) bool {
	return sessionName().MatchString(name) && !csrfName().MatchString(name)
}

// cookieFacts is one cookie as reported (value always redacted).
type cookieFacts struct {
	Name     string `json:"name"`
	Value    string `json:"value"`
	Secure   bool   `json:"secure"`
	HttpOnly bool   `json:"httponly"`
	SameSite string `json:"samesite,omitempty"`
	Path     string `json:"path,omitempty"`
	Domain   string `json:"domain,omitempty"`
	Session  bool   `json:"session_like"`
	URL      string `json:"url"`
}

func sameSiteName(c *http.Cookie) string {
	switch c.SameSite {
	case http.SameSiteLaxMode:
		return "Lax"
	case http.SameSiteStrictMode:
		return "Strict"
	case http.SameSiteNoneMode:
		return "None"
	case http.SameSiteDefaultMode:
		return "invalid"
	}
	return ""
}

func probeCookies(chain []*response, p probes.Params) probes.Result {
	const id = "http.cookies"
	res := probes.Result{ID: id}
	allHttpOnly := p.String(id, "httponly") == "all"
	accepted := p.Strings(id, "samesite")
	sameSiteStatus := probes.Warn
	if p.Bool(id, "require_samesite") {
		sameSiteStatus = probes.Fail
	}
	var facts []cookieFacts
	seen := map[string]bool{}
	for _, r := range chain {
		loc := redactURL(r.URL)
		https := r.URL.Scheme == "https"
		for _, c := range parseSetCookies(r.Header) {
			// the same cookie from several responses (error pages, CORS
			// requests) is one finding; a value change is not a new cookie
			key := fmt.Sprint(r.URL.Scheme, r.URL.Host, c.Name, c.Secure, c.HttpOnly, c.SameSite, c.Path, c.Domain)
			if seen[key] {
				continue
			}
			seen[key] = true
			cf := cookieFacts{Name: c.Name, Value: probes.Redact(c.Value), Secure: c.Secure, HttpOnly: c.HttpOnly,
				SameSite: sameSiteName(c), Path: c.Path, Domain: c.Domain, Session: isSessionName(c.Name), URL: loc}
			facts = append(facts, cf)
			var problems []string
			st := probes.Pass
			bad := func(s probes.Status, msg string) {
				problems = append(problems, msg)
				if s.Rank() > st.Rank() {
					st = s
				}
			}
			if !c.Secure {
				if https {
					bad(probes.Fail, "no Secure")
				} else {
					bad(probes.Fail, "no Secure (and set over plain HTTP)")
				}
			}
			if !c.HttpOnly {
				switch {
				case cf.Session:
					bad(probes.Fail, "no HttpOnly on a session/token cookie")
				case allHttpOnly:
					bad(probes.Fail, "no HttpOnly (required on every cookie)")
				default:
					bad(probes.Info, "no HttpOnly (readable by scripts)")
				}
			}
			switch {
			case cf.SameSite == "":
				bad(sameSiteStatus, "no SameSite")
			case cf.SameSite == "invalid":
				bad(sameSiteStatus, "invalid SameSite value")
			case !slices.Contains(accepted, cf.SameSite) && cf.SameSite == "None":
				bad(sameSiteStatus, "SameSite=None (sent on cross-site requests)")
			case !slices.Contains(accepted, cf.SameSite):
				bad(sameSiteStatus, "SameSite="+cf.SameSite+" is not accepted (accepted: "+strings.Join(accepted, ", ")+")")
			}
			if strings.HasPrefix(c.Name, "__Host-") && (!c.Secure || c.Domain != "" || c.Path != "/") {
				bad(probes.Fail, "__Host- prefix requires Secure, Path=/ and no Domain")
			}
			msg := "cookie " + c.Name + ": Secure, HttpOnly, SameSite=" + cf.SameSite
			if len(problems) > 0 {
				msg = "cookie " + c.Name + ": " + strings.Join(problems, "; ")
			}
			res.Findings = append(res.Findings, probes.Finding{Status: st, Rule: "cookie-flags", Message: msg, Location: loc,
				Evidence: cookieEvidence(cf)})
		}
	}
	if facts == nil {
		facts = []cookieFacts{}
	}
	res.Observed = map[string]any{"cookies": facts}
	if len(facts) == 0 {
		res.Status, res.Summary = probes.Pass, "no cookies set"
		return res
	}
	res.Status = worst(res.Findings, probes.Pass)
	if res.Status == probes.Info {
		res.Status = probes.Pass
	}
	bad := countStatus(res.Findings, probes.Fail)
	res.Summary = fmt.Sprintf("%s: %d lack required flags, %d with warnings", prose.Plural(len(facts), "cookie"), bad, countStatus(res.Findings, probes.Warn))
	return res
}

func cookieEvidence(c cookieFacts) string {
	var b strings.Builder
	b.WriteString(c.Name + "=" + c.Value)
	if c.Secure {
		b.WriteString("; Secure")
	}
	if c.HttpOnly {
		b.WriteString("; HttpOnly")
	}
	if c.SameSite != "" {
		b.WriteString("; SameSite=" + c.SameSite)
	}
	return b.String()
}
