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
	// Params are the thresholds a checklist may set for the probe (`with:`);
	// their defaults are the probe's behaviour when nothing is set.
	Params []Param `json:"params,omitempty"`
}

// Catalogue is the single list of probe ids; checklist validation and the
// runner both read it.
var Catalogue = []Descriptor{
	{ID: "tls.versions", Family: "tls", Title: "TLS protocol versions", Checks: "fails when a version older than min_version (TLS1.2 by default, so SSLv2, SSLv3, TLS 1.0, TLS 1.1) is offered, or none at least that new is", Params: tlsVersionsParams},
	{ID: "tls.ciphers", Family: "tls", Title: "TLS cipher suites", Checks: "fails on insecure suites (NULL, anonymous, EXPORT, RC4, DES, 3DES); warns on weak ones (CBC or no forward secrecy)", Params: tlsCiphersParams},
	{ID: "tls.certificate", Family: "tls", Title: "TLS certificate", Checks: "fails when untrusted, expired, not yet valid, mismatched, RSA < 2048 bits or signed with SHA-1/MD5; warns under expiry_warn_days (30) days left", Params: tlsCertificateParams},
	{ID: "http.redirect", Family: "http", Title: "HTTP to HTTPS redirect", Checks: "fails when plain HTTP serves content instead of redirecting (301/308) to HTTPS"},
	{ID: "http.hsts", Family: "http", Title: "Strict-Transport-Security", Checks: "fails when HSTS is missing or max-age is below min_max_age_days (180 by default)", Params: hstsParams},
	{ID: "http.headers", Family: "http", Title: "Security headers", Checks: "CSP without unsafe-inline/unsafe-eval, nosniff, frame protection, Referrer-Policy, Permissions-Policy", Params: headersParams},
	{ID: "http.cookies", Family: "http", Title: "Cookie flags", Checks: "every cookie Secure and SameSite; session/token cookies HttpOnly", Params: cookiesParams},
	{ID: "http.banners", Family: "http", Title: "Version banners", Checks: "fails when Server, X-Powered-By and similar headers disclose product versions"},
	{ID: "http.cors", Family: "http", Title: "CORS policy", Checks: "fails on wildcard origin with credentials or a reflected foreign origin"},
	{ID: "http.error-leak", Family: "http", Title: "Error page leaks", Checks: "fails when error pages show stack traces, debug pages, SQL errors, internal IPs or file paths"},
	{ID: "http.rate-limit", Family: "http", Title: "Rate limiting", Checks: "reports rate-limit headers; with --burst N expects a 429 before N requests"},
	{ID: "http.security-txt", Family: "http", Title: "security.txt", Checks: "RFC 9116 /.well-known/security.txt with Contact and an unexpired Expires"},
	{ID: "js.secrets", Family: "js", Title: "Secrets in served JavaScript", Checks: "fails when served scripts contain credentials"},
	{ID: "js.token-storage", Family: "js", Title: "Tokens in web storage (served JavaScript)", Checks: "fails when served scripts write token-like keys to localStorage/sessionStorage"},
	{ID: "js.token-in-url", Family: "js", Title: "Tokens in URLs (served JavaScript)", Checks: "fails when served scripts put tokens or API keys in query strings"},
	{ID: "js.sri", Family: "js", Title: "Subresource Integrity (served page)", Checks: "fails when a cross-origin script or stylesheet has no integrity hash, or a served script does not match its hash; lists the page's script inventory"},
	{ID: "source.secrets", Family: "source", Title: "Secrets in the repository", Checks: "fails when tracked files contain credentials or private keys"},
	{ID: "source.gitignore", Family: "source", Title: "Ignored secret files", Checks: "fails when the required patterns (.env, *.key and similar by default) are not ignored, or a secret file is tracked or present and not ignored", Params: gitignoreParams},
	{ID: "source.token-storage", Family: "source", Title: "Tokens in web storage (source)", Checks: "fails when code writes token-like keys to localStorage/sessionStorage"},
	{ID: "source.token-in-url", Family: "source", Title: "Tokens in URLs (source)", Checks: "fails when code puts tokens or API keys in query strings"},
	{ID: "source.tls-verification", Family: "source", Title: "TLS verification disabled", Checks: "fails when code or scripts turn certificate checks off (InsecureSkipVerify, verify=False, rejectUnauthorized, insecure curl options and the like)"},
	{ID: "source.secret-logging", Family: "source", Title: "Secrets in logs", Checks: "fails when log or print calls output tokens, keys or passwords"},
	{ID: "source.ci-secrets", Family: "source", Title: "Inline CI secrets", Checks: "fails when CI configuration holds credentials inline instead of the CI secret store"},
	{ID: "source.plain-http", Family: "source", Title: "Plain-HTTP endpoints", Checks: "fails on http:// API endpoints in code or configuration"},
	{ID: "webhook.signature", Family: "webhook", Title: "Webhook signature enforcement", Checks: "fails when an unsigned or wrongly signed webhook is accepted; rejections other than reject_status (400, 401, 403) warn", Params: webhookParams},
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

// Parameter declarations. Each default is the probe's behaviour before
// parameters existed, so a checklist that sets nothing is judged as before.
var (
	tlsVersionsParams = []Param{
		{Name: "min_version", Type: ParamString, Default: "TLS1.2", Enum: []string{"TLS1.0", "TLS1.1", "TLS1.2", "TLS1.3"}, FoldCase: true,
			Meaning: "oldest protocol version allowed: an older one offered fails, and the server must offer one at least this new"},
	}
	tlsCiphersParams = []Param{
		{Name: "allowed_classes", Type: ParamStrings, Default: []string{"strong", "weak"}, Enum: []string{"strong", "weak"}, NonEmpty: true,
			Meaning: "suite classes the server may accept: an accepted suite of a class not listed fails; insecure suites always fail, allowed weak ones warn"},
	}
	tlsCertificateParams = []Param{
		{Name: "expiry_warn_days", Type: ParamInt, Default: 30, Min: 0, Max: 3650,
			Meaning: "warn when the certificate expires in fewer days than this"},
		{Name: "min_rsa_bits", Type: ParamInt, Default: 2048, Min: 1024, Max: 16384,
			Meaning: "smallest RSA key accepted"},
	}
	hstsParams = []Param{
		{Name: "min_max_age_days", Type: ParamInt, Default: 180, Min: 1, Max: 3650,
			Meaning: "smallest Strict-Transport-Security max-age accepted, in days"},
		{Name: "include_subdomains", Type: ParamBool, Default: false,
			Meaning: "includeSubDomains is required"},
		{Name: "preload", Type: ParamBool, Default: false,
			Meaning: "preload is required"},
	}
	headersParams = []Param{
		{Name: "required", Type: ParamStrings, Default: []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options"},
			Meaning: "headers whose absence or weakness fails (Referrer-Policy and Permissions-Policy warn unless listed; any other header listed must be present)"},
	}
	cookiesParams = []Param{
		{Name: "httponly", Type: ParamString, Default: "session", Enum: []string{"session", "all"},
			Meaning: "cookies that must be HttpOnly: session/token-like names, or all"},
		{Name: "samesite", Type: ParamStrings, Default: []string{"Strict", "Lax"}, Enum: []string{"Strict", "Lax", "None"}, FoldCase: true, NonEmpty: true,
			Meaning: "SameSite values accepted"},
		{Name: "require_samesite", Type: ParamBool, Default: false,
			Meaning: "a cookie without an accepted SameSite fails instead of warning"},
	}
	gitignoreParams = []Param{
		{Name: "required", Type: ParamStrings, Default: []string{".env", ".env.local", ".env.*.local", "secrets.*", "*.key", "id_rsa", "id_ed25519", "credentials.json"},
			Meaning: "patterns .gitignore must cover (fail when not ignored); other well-known names are then only notes"},
		{Name: "recommended", Type: ParamStrings, Default: []string{"*.pem", "*.p12", "*.jks", "*.pfx", ".netrc", ".pypirc"},
			Meaning: "patterns that warn when not ignored"},
	}
	webhookParams = []Param{
		{Name: "reject_status", Type: ParamInts, Default: []int{400, 401, 403}, Min: 400, Max: 599, NonEmpty: true,
			Meaning: "HTTP statuses that count as rejecting a bad signature; another non-2xx answer warns"},
	}
)
