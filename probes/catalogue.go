package probes

import (
	"path"
	"strings"
)

// Descriptor describes one probe id. The ids are a contract: checklists and
// results.json reference them, so never rename one.
type Descriptor struct {
	ID     string `json:"id"`
	Family string `json:"family"` // tls, http, js, source, webhook
	Title  string `json:"title"`
	// Checks is a one-line description of what passes and what fails.
	Checks string `json:"checks"`
}

// Catalogue is the single list of probe ids; checklist validation and the
// runner both read it.
var Catalogue = []Descriptor{
	{"tls.versions", "tls", "TLS protocol versions", "fails when SSLv2, SSLv3, TLS 1.0 or TLS 1.1 is offered, or neither TLS 1.2 nor 1.3 is"},
	{"tls.ciphers", "tls", "TLS cipher suites", "fails on insecure suites (NULL, anonymous, EXPORT, RC4, DES, 3DES); warns on weak ones (CBC or no forward secrecy)"},
	{"tls.certificate", "tls", "TLS certificate", "fails when untrusted, expired, not yet valid, mismatched, RSA < 2048 bits or signed with SHA-1/MD5; warns under 30 days left"},
	{"http.redirect", "http", "HTTP to HTTPS redirect", "fails when plain HTTP serves content instead of redirecting (301/308) to HTTPS"},
	{"http.hsts", "http", "Strict-Transport-Security", "fails when HSTS is missing or max-age < 15552000 (180 days)"},
	{"http.headers", "http", "Security headers", "CSP without unsafe-inline/unsafe-eval, nosniff, frame protection, Referrer-Policy, Permissions-Policy"},
	{"http.cookies", "http", "Cookie flags", "every cookie Secure and SameSite; session/token cookies HttpOnly"},
	{"http.banners", "http", "Version banners", "fails when Server, X-Powered-By and similar headers disclose product versions"},
	{"http.cors", "http", "CORS policy", "fails on wildcard origin with credentials or a reflected foreign origin"},
	{"http.error-leak", "http", "Error page leaks", "fails when error pages show stack traces, debug pages, SQL errors, internal IPs or file paths"},
	{"http.rate-limit", "http", "Rate limiting", "reports rate-limit headers; with --burst N expects a 429 before N requests"},
	{"http.security-txt", "http", "security.txt", "RFC 9116 /.well-known/security.txt with Contact and an unexpired Expires"},
	{"js.secrets", "js", "Secrets in served JavaScript", "fails when served scripts contain credentials"},
	{"js.token-storage", "js", "Tokens in web storage (served JavaScript)", "fails when served scripts write token-like keys to localStorage/sessionStorage"},
	{"js.token-in-url", "js", "Tokens in URLs (served JavaScript)", "fails when served scripts put tokens or API keys in query strings"},
	{"js.sri", "js", "Subresource Integrity (served page)", "fails when a cross-origin script or stylesheet has no integrity hash, or a served script does not match its hash; lists the page's script inventory"},
	{"source.secrets", "source", "Secrets in the repository", "fails when tracked files contain credentials or private keys"},
	{"source.gitignore", "source", "Ignored secret files", "fails when .env, *.key and similar files are not ignored or are tracked"},
	{"source.token-storage", "source", "Tokens in web storage (source)", "fails when code writes token-like keys to localStorage/sessionStorage"},
	{"source.token-in-url", "source", "Tokens in URLs (source)", "fails when code puts tokens or API keys in query strings"},
	{"source.tls-verification", "source", "TLS verification disabled", "fails when code or scripts turn certificate checks off (InsecureSkipVerify, verify=False, rejectUnauthorized, insecure curl options and the like)"},
	{"source.secret-logging", "source", "Secrets in logs", "fails when log or print calls output tokens, keys or passwords"},
	{"source.ci-secrets", "source", "Inline CI secrets", "fails when CI configuration holds credentials inline instead of the CI secret store"},
	{"source.plain-http", "source", "Plain-HTTP endpoints", "fails on http:// API endpoints in code or configuration"},
	{"webhook.signature", "webhook", "Webhook signature enforcement", "fails when an unsigned or wrongly signed webhook is accepted"},
}

// Lookup returns the catalogue entry for id.
func Lookup(id string) (Descriptor, bool) {
	for _, p := range Catalogue {
		if p.ID == id {
			return p, true
		}
	}
	return Descriptor{}, false
}

// Known reports whether id is a catalogue probe id.
func Known(id string) bool { _, ok := Lookup(id); return ok }

// Match reports whether id is selected by patterns such as "tls.*" or
// "http.cookies"; no patterns selects everything.
func Match(patterns []string, id string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		for _, part := range strings.Split(p, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			if ok, _ := path.Match(part, id); ok || part == id {
				return true
			}
		}
	}
	return false
}
