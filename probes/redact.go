package probes

import "strings"

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
