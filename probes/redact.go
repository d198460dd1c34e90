package probes

import (
	"net/url"
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

// DisplayTarget is how results and messages name a target: URLs through
// RedactURL, anything else (a directory) as given.
func DisplayTarget(t Target) string {
	if t.Kind != KindURL && t.Kind != KindWebhook {
		return t.Value
	}
	u, err := url.Parse(t.Value)
	if err != nil {
		return t.Value
	}
	return RedactURL(u)
}

// RedactTarget (stub)
func RedactTarget(s string) string { return s }
