package httpprobe

import (
	"net/http"
	"strings"
)

// Score is a Mozilla-Observatory-style grade of the header set: start at
// 100, subtract each modifier's penalty (README: "Observatory-style score").
// Unlike Observatory there are no bonuses, so the score stays in 0–100 and
// A+ means nothing was deducted.
type Score struct {
	Score     int        `json:"score"`
	Grade     string     `json:"grade"`
	Modifiers []Modifier `json:"modifiers"`
	// HSTSMinDays is the max-age below which hsts-short applies: the
	// checklist's http.hsts min_max_age_days when the run judges HSTS by
	// one threshold, else the Observatory's 180 days.
	HSTSMinDays int `json:"hsts_min_max_age_days"`
}

// Modifier is one deduction.
type Modifier struct {
	Rule   string `json:"rule"`
	Points int    `json:"points"` // negative
}

// Penalties, modelled on Observatory's (v1) modifiers.
const (
	penCSPMissing      = -25
	penCSPUnsafeInline = -20
	penCSPUnsafeEval   = -10
	penCSPNoScript     = -20
	penHSTSMissing     = -20
	penHSTSShort       = -10
	penXCTOMissing     = -5
	penFrameMissing    = -20
	penReferrerUnsafe  = -5
	penSessionNoSecure = -40
	penSessionNoHTTP   = -30
	penCookieNoSecure  = -20
	penCORSUniversal   = -50
)

func scoreHeaders(r *response, chain []*response, hstsMinDays int) Score {
	if hstsMinDays <= 0 {
		hstsMinDays = defaultHSTSDays()
	}
	h := r.Header
	var mods []Modifier
	add := func(rule string, p int) { mods = append(mods, Modifier{rule, p}) }

	ps := enforcedPolicies(r)
	if all := ps.all(); len(all) == 0 {
		add("csp-missing", penCSPMissing)
	} else {
		is := enforcedScriptIssues(all)
		if is.none {
			add("csp-no-script-policy", penCSPNoScript)
		}
		switch {
		case is.none:
		case is.unsafeInline:
			add("csp-unsafe-inline", penCSPUnsafeInline)
		case len(is.wild) > 0:
			// Observatory's csp-implemented-with-unsafe covers both
			add("csp-unrestricted-script-source", penCSPUnsafeInline)
		}
		if is.unsafeEval && !is.none {
			add("csp-unsafe-eval", penCSPUnsafeEval)
		}
	}

	hs := parseHSTS(h.Get("Strict-Transport-Security"))
	switch {
	case r.URL.Scheme != "https" || !hs.Valid:
		add("hsts-missing", penHSTSMissing)
	case hs.MaxAge < int64(hstsMinDays)*86400:
		add("hsts-short", penHSTSShort)
	}

	if !nosniff(h) {
		add("x-content-type-options-missing", penXCTOMissing)
	}

	_, xfoOK, _ := xfoVerdict(h)
	if present, restricted, _ := framing(ps.header); !restricted && (present || !xfoOK) {
		add("frame-protection-missing", penFrameMissing)
	}

	switch referrerPolicy(h) {
	case "unsafe-url", "no-referrer-when-downgrade":
		add("referrer-policy-unsafe", penReferrerUnsafe)
	}

	// Only the worst cookie modifier counts, as in Observatory.
	cookiePen, cookieRule := 0, ""
	for _, resp := range chain {
		for _, c := range parseSetCookies(resp.Header) {
			p, rule := 0, ""
			switch {
			case isSessionName(c.Name) && !c.Secure:
				p, rule = penSessionNoSecure, "session-cookie-without-secure"
			case isSessionName(c.Name) && !c.HttpOnly:
				p, rule = penSessionNoHTTP, "session-cookie-without-httponly"
			case !c.Secure:
				p, rule = penCookieNoSecure, "cookie-without-secure"
			}
			if p < cookiePen {
				cookiePen, cookieRule = p, rule
			}
		}
	}
	if cookiePen < 0 {
		add(cookieRule, cookiePen)
	}

	if corsUniversalWithCredentials(h) {
		add("cors-universal-with-credentials", penCORSUniversal)
	}

	s := 100
	for _, m := range mods {
		s += m.Points
	}
	if s < 0 {
		s = 0
	}
	if mods == nil {
		mods = []Modifier{}
	}
	return Score{Score: s, Grade: grade(s), Modifiers: mods, HSTSMinDays: hstsMinDays}
}

func corsUniversalWithCredentials(h http.Header) bool {
	return strings.TrimSpace(h.Get("Access-Control-Allow-Origin")) == "*" &&
		strings.EqualFold(strings.TrimSpace(h.Get("Access-Control-Allow-Credentials")), "true")
}

// grade maps a score to Observatory's letters.
func grade(s int) string {
	for _, g := range []struct {
		min   int
		grade string
	}{{100, "A+"}, {90, "A"}, {85, "A-"}, {80, "B+"}, {70, "B"}, {65, "B-"}, {60, "C+"}, {50, "C"}, {45, "C-"}, {40, "D+"}, {30, "D"}, {25, "D-"}} {
		if s >= g.min {
			return g.grade
		}
	}
	return "F"
}
