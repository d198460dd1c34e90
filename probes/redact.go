package probes

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// Redact shows just enough of a secret to recognise it: the first few
// characters (at most a third of it, and none of a short one) then "***".
// fk_user_Hy8s9d… becomes fk_user_Hy***.
func Redact(secret string) string {
	s := strings.TrimSpace(secret)
	if s == "" {
		return ""
	}
	n := len(s) / 3
	if n > 10 {
		n = 10
	}
	if len(s) < 8 {
		n = 0
	}
	// never cut inside a multi-byte rune
	for n > 0 && n < len(s) && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n] + "***"
}

// RedactIn replaces every occurrence of each secret in text with its redacted form.
func RedactIn(text string, secrets ...string) string {
	for _, s := range secrets {
		if len(s) >= 4 {
			text = strings.ReplaceAll(text, s, Redact(s))
		}
	}
	return text
}

// RedactURL shows a URL without its user info and with every query value
// longer than six characters redacted: tokens and signatures travel in
// query strings (webhook URLs, OAuth callbacks).
func RedactURL(u *url.URL) string {
	v := *u
	v.User = nil
	if v.RawQuery != "" {
		parts := strings.Split(v.RawQuery, "&")
		for i, p := range parts {
			if k, val, ok := strings.Cut(p, "="); ok && len(val) > 6 {
				parts[i] = k + "=" + Redact(val)
			}
		}
		v.RawQuery = strings.Join(parts, "&")
	}
	return v.String()
}

// DisplayTarget is how results and messages name a target: its Name when
// set, URLs through RedactURL, anything else (a directory) as given.
func DisplayTarget(t Target) string {
	if t.Name != "" {
		return t.Name
	}
	if t.Kind != KindURL && t.Kind != KindWebhook {
		return t.Value
	}
	return RedactTarget(t.Value)
}

// RedactTarget is how every output (results.json's targets, report.md,
// report.pdf, the terminal) writes a target it holds as a string: an
// http(s) URL without user info and with its query values redacted,
// anything else (a directory) as given.
func RedactTarget(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (!strings.EqualFold(u.Scheme, "https") && !strings.EqualFold(u.Scheme, "http")) {
		return raw
	}
	return RedactURL(u)
}

// secretQueryKey names query parameters that carry credentials.
var secretQueryKey = regexp.MustCompile(`(?i)(key|token|secret|sig|auth|pass|pwd|session|code|credential|jwt|bearer)`)

// userSecrets collects every value the user handed over as a secret: each
// --header-env value (whole, and each word of 8+ characters, since a
// server may echo just the token), the values of a Cookie header, decoded
// Basic credentials, and a target URL's password and credential-like query
// values. Longest first, so a whole value is replaced before its parts.
func userSecrets(headers http.Header, targets []Target) []string {
	set := map[string]bool{}
	add := func(s string, min int) {
		if s = strings.TrimSpace(s); len(s) >= min {
			set[s] = true
		}
	}
	for name, vs := range headers {
		for _, v := range vs {
			add(v, 4)
			for _, w := range strings.Fields(v) {
				add(w, 8)
			}
			if strings.EqualFold(name, "Cookie") {
				for _, c := range strings.Split(v, ";") {
					if _, val, ok := strings.Cut(c, "="); ok {
						add(val, 4)
					}
				}
			}
			if scheme, cred, ok := strings.Cut(strings.TrimSpace(v), " "); ok && strings.EqualFold(scheme, "Basic") {
				if dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred)); err == nil {
					add(string(dec), 4)
					if _, pw, ok := strings.Cut(string(dec), ":"); ok {
						add(pw, 4)
					}
				}
			}
		}
	}
	for _, t := range targets {
		u, err := url.Parse(t.Value)
		if err != nil {
			continue
		}
		if pw, ok := u.User.Password(); ok {
			add(pw, 4)
		}
		for k, vs := range u.Query() {
			for _, v := range vs {
				if secretQueryKey.MatchString(k) || len(v) >= 16 {
					add(v, 7)
				}
			}
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) > len(out[j])
		}
		return out[i] < out[j]
	})
	return out
}

// redactResult replaces the user's secrets wherever a target echoed them
// into a result: its summary, every finding field and every string in
// observed (rebuilt from its JSON only when it held one, so its shape in
// results.json is unchanged). The runner applies it to every result of
// every probe, so no probe has to remember.
func redactResult(r *Result, secrets []string) {
	if len(secrets) == 0 {
		return
	}
	red := func(s string) string { return RedactIn(s, secrets...) }
	r.Summary = red(r.Summary)
	for i := range r.Findings {
		f := &r.Findings[i]
		f.Rule, f.Message, f.Location, f.File, f.Evidence = red(f.Rule), red(f.Message), red(f.Location), red(f.File), red(f.Evidence)
	}
	if r.Observed == nil {
		return
	}
	b, err := json.Marshal(r.Observed)
	if err != nil {
		return
	}
	var v any
	if json.Unmarshal(b, &v) != nil {
		return
	}
	changed := false
	var walk func(any) any
	walk = func(x any) any {
		switch x := x.(type) {
		case string:
			if y := red(x); y != x {
				changed = true
				return y
			}
		case []any:
			for i := range x {
				x[i] = walk(x[i])
			}
		case map[string]any:
			for k, e := range x {
				x[k] = walk(e)
			}
		}
		return x
	}
	v = walk(v)
	if changed {
		r.Observed = v
	}
}
