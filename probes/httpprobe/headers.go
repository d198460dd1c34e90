package httpprobe

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/selfassess/selfassess/probes"
)

// minHSTSAge is the providers' minimum HSTS max-age: 180 days.
const minHSTSAge = 15552000

// hsts is a parsed Strict-Transport-Security header.
type hsts struct {
	Present           bool   `json:"present"`
	Value             string `json:"value,omitempty"`
	MaxAge            int64  `json:"max_age"`
	IncludeSubDomains bool   `json:"include_subdomains"`
	Preload           bool   `json:"preload"`
	Valid             bool   `json:"valid"`
}

func parseHSTS(v string) hsts {
	h := hsts{Present: v != "", Value: v, MaxAge: -1}
	for _, d := range strings.Split(v, ";") {
		k, val, _ := strings.Cut(strings.TrimSpace(d), "=")
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "max-age":
			n, err := strconv.ParseInt(strings.Trim(strings.TrimSpace(val), `"`), 10, 64)
			if err == nil && n >= 0 {
				h.MaxAge = n
				h.Valid = true
			}
		case "includesubdomains":
			h.IncludeSubDomains = true
		case "preload":
			h.Preload = true
		}
	}
	return h
}

func probeHSTS(r *response) probes.Result {
	loc := redactURL(r.URL)
	res := probes.Result{ID: "http.hsts"}
	if r.URL.Scheme != "https" {
		res.Status = probes.Fail
		res.Summary = "served over plain HTTP: HSTS cannot apply"
		res.Findings = []probes.Finding{{Status: probes.Fail, Rule: "hsts-https", Message: "the page is served over plain HTTP; serve it over HTTPS with Strict-Transport-Security", Location: loc}}
		return res
	}
	h := parseHSTS(r.Header.Get("Strict-Transport-Security"))
	res.Observed = h
	f := probes.Finding{Rule: "hsts-max-age", Location: loc, Evidence: "Strict-Transport-Security: " + truncate(h.Value, 200)}
	switch {
	case !h.Present:
		f.Status, f.Rule, f.Message, f.Evidence = probes.Fail, "hsts-missing", "Strict-Transport-Security header missing", ""
		res.Summary = "HSTS missing"
	case !h.Valid:
		f.Status, f.Message = probes.Fail, "Strict-Transport-Security has no valid max-age"
		res.Summary = "HSTS invalid (no max-age)"
	case h.MaxAge < minHSTSAge:
		f.Status, f.Message = probes.Fail, fmt.Sprintf("max-age=%d is below %d (180 days)", h.MaxAge, minHSTSAge)
		res.Summary = fmt.Sprintf("HSTS max-age %d < 180 days", h.MaxAge)
	default:
		f.Status, f.Message = probes.Pass, fmt.Sprintf("max-age=%d (%d days)", h.MaxAge, h.MaxAge/86400)
		res.Summary = fmt.Sprintf("HSTS max-age %d days", h.MaxAge/86400)
	}
	res.Findings = append(res.Findings, f)
	if h.Valid {
		note := func(ok bool, name string) {
			st, msg := probes.Info, name+" set"
			if !ok {
				msg = name + " not set"
			}
			res.Findings = append(res.Findings, probes.Finding{Status: st, Rule: "hsts-" + strings.ToLower(name), Message: msg, Location: loc})
		}
		note(h.IncludeSubDomains, "includeSubDomains")
		note(h.Preload, "preload")
		if h.IncludeSubDomains {
			res.Summary += ", includeSubDomains"
		}
		if h.Preload {
			res.Summary += ", preload"
		}
	}
	res.Status = worst(res.Findings, probes.Pass)
	if res.Status == probes.Info {
		res.Status = probes.Pass
	}
	return res
}

// csp is a parsed Content-Security-Policy (directive name → sources).
type csp map[string][]string

func parseCSP(v string) csp {
	p := csp{}
	for _, d := range strings.Split(v, ";") {
		fields := strings.Fields(d)
		if len(fields) == 0 {
			continue
		}
		name := strings.ToLower(fields[0])
		if _, dup := p[name]; !dup { // the first occurrence wins (CSP3)
			p[name] = fields[1:]
		}
	}
	return p
}

// scriptSources are the sources governing scripts: script-src, else default-src.
func (p csp) scriptSources() ([]string, bool) {
	if s, ok := p["script-src"]; ok {
		return s, true
	}
	s, ok := p["default-src"]
	return s, ok
}

func has(list []string, want string) bool {
	for _, s := range list {
		if strings.EqualFold(s, want) {
			return true
		}
	}
	return false
}

// cspScriptIssues lists what weakens the script policy. unsafe-inline is
// ignored by browsers when a nonce, hash or strict-dynamic is present.
func cspScriptIssues(p csp) (unsafeInline, unsafeEval, noScriptPolicy bool, wild []string) {
	srcs, ok := p.scriptSources()
	if !ok {
		return false, false, true, nil
	}
	neutralised := false
	for _, s := range srcs {
		l := strings.ToLower(s)
		if strings.HasPrefix(l, "'nonce-") || strings.HasPrefix(l, "'sha256-") || strings.HasPrefix(l, "'sha384-") ||
			strings.HasPrefix(l, "'sha512-") || l == "'strict-dynamic'" {
			neutralised = true
		}
	}
	unsafeInline = has(srcs, "'unsafe-inline'") && !neutralised
	unsafeEval = has(srcs, "'unsafe-eval'")
	for _, s := range srcs {
		switch strings.ToLower(s) {
		case "*", "http:", "https:", "data:", "blob:":
			wild = append(wild, s)
		}
	}
	return
}

// headerCheck is one security header's verdict.
type headerCheck struct {
	Header string        `json:"header"`
	Value  string        `json:"value,omitempty"`
	Status probes.Status `json:"status"`
	Note   string        `json:"note"`
}

func probeHeaders(r *response, chain []*response) probes.Result {
	loc := redactURL(r.URL)
	h := r.Header
	var checks []headerCheck
	add := func(name, value string, st probes.Status, note string) {
		checks = append(checks, headerCheck{Header: name, Value: truncate(value, 300), Status: st, Note: note})
	}

	cspValue := h.Get("Content-Security-Policy")
	policy := parseCSP(cspValue)
	switch {
	case cspValue == "" && h.Get("Content-Security-Policy-Report-Only") != "":
		add("Content-Security-Policy", h.Get("Content-Security-Policy-Report-Only"), probes.Fail, "only Content-Security-Policy-Report-Only is set, which enforces nothing")
	case cspValue == "":
		add("Content-Security-Policy", "", probes.Fail, "missing")
	default:
		inline, eval, none, wild := cspScriptIssues(policy)
		var problems []string
		st := probes.Pass
		if none {
			problems = append(problems, "no script-src or default-src: scripts are unrestricted")
			st = probes.Fail
		}
		if inline {
			problems = append(problems, "script sources allow 'unsafe-inline'")
			st = probes.Fail
		}
		if eval {
			problems = append(problems, "script sources allow 'unsafe-eval'")
			st = probes.Fail
		}
		if len(wild) > 0 {
			problems = append(problems, "script sources allow "+strings.Join(wild, " "))
			if st == probes.Pass {
				st = probes.Warn
			}
		}
		if _, ok := policy["frame-ancestors"]; !ok {
			problems = append(problems, "no frame-ancestors")
			if st == probes.Pass {
				st = probes.Warn
			}
		}
		note := "restricts scripts"
		if len(problems) > 0 {
			note = strings.Join(problems, "; ")
		}
		add("Content-Security-Policy", cspValue, st, note)
	}

	xcto := h.Get("X-Content-Type-Options")
	switch {
	case xcto == "":
		add("X-Content-Type-Options", "", probes.Fail, "missing (want nosniff)")
	case !strings.EqualFold(strings.TrimSpace(xcto), "nosniff"):
		add("X-Content-Type-Options", xcto, probes.Fail, "not nosniff")
	default:
		add("X-Content-Type-Options", xcto, probes.Pass, "nosniff")
	}

	xfo := h.Get("X-Frame-Options")
	_, fa := policy["frame-ancestors"]
	xfoOK := strings.EqualFold(strings.TrimSpace(xfo), "DENY") || strings.EqualFold(strings.TrimSpace(xfo), "SAMEORIGIN")
	switch {
	case fa && xfo == "":
		add("X-Frame-Options", "", probes.Pass, "framing restricted by CSP frame-ancestors")
	case xfoOK:
		add("X-Frame-Options", xfo, probes.Pass, "framing restricted")
	case xfo != "":
		add("X-Frame-Options", xfo, probes.Fail, "not DENY or SAMEORIGIN, and no CSP frame-ancestors")
	default:
		add("X-Frame-Options", "", probes.Fail, "missing, and no CSP frame-ancestors: the page can be framed (clickjacking)")
	}

	rp := h.Get("Referrer-Policy")
	switch last := lastToken(rp); {
	case rp == "":
		add("Referrer-Policy", "", probes.Warn, "missing (browsers default to strict-origin-when-cross-origin)")
	case last == "unsafe-url" || last == "no-referrer-when-downgrade" || last == "origin" || last == "origin-when-cross-origin":
		add("Referrer-Policy", rp, probes.Warn, "leaks URLs or origins to other sites")
	default:
		add("Referrer-Policy", rp, probes.Pass, "set")
	}

	pp := h.Get("Permissions-Policy")
	if pp == "" {
		add("Permissions-Policy", "", probes.Warn, "missing")
	} else {
		add("Permissions-Policy", pp, probes.Pass, "set")
	}

	res := probes.Result{ID: "http.headers"}
	for _, c := range checks {
		f := probes.Finding{Status: c.Status, Rule: "header-" + strings.ToLower(c.Header), Location: loc,
			Message: c.Header + ": " + c.Note}
		if c.Value != "" {
			f.Evidence = c.Header + ": " + c.Value
		}
		res.Findings = append(res.Findings, f)
	}
	sc := scoreHeaders(r, chain)
	res.Status = worst(res.Findings, probes.Pass)
	res.Observed = map[string]any{"url": loc, "status": r.StatusCode, "headers": checks, "score": sc}
	fails := countStatus(res.Findings, probes.Fail)
	warns := countStatus(res.Findings, probes.Warn)
	if fails+warns == 0 {
		res.Summary = fmt.Sprintf("score %d (%s); all %d security headers good", sc.Score, sc.Grade, len(checks))
	} else {
		res.Summary = fmt.Sprintf("score %d (%s); %d of %d security headers missing or weak, %d to improve", sc.Score, sc.Grade, fails, len(checks), warns)
	}
	return res
}

// lastToken is the effective value of a comma-separated list header (the
// last recognised one wins for Referrer-Policy).
func lastToken(v string) string {
	parts := strings.Split(v, ",")
	return strings.ToLower(strings.TrimSpace(parts[len(parts)-1]))
}
