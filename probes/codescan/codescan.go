// Package codescan holds the text scanners shared by the served-JavaScript
// probes (js.*) and the source-tree probes (source.*): secrets (gitleaks'
// engine plus the providers' key formats), token storage in web storage,
// tokens in URLs. Every finding's evidence is redacted.
package codescan

import "github.com/selfassess/selfassess/probes"

// STUB: replaced by the real scanners.

// Secrets detects credentials. Build it once (rule compilation is costly)
// and share it; Scan is safe for concurrent use.
type Secrets struct{}

// NewSecrets compiles gitleaks' default rules plus the provider rules.
func NewSecrets() (*Secrets, error) { return &Secrets{}, nil }

// Scan returns one finding per secret in content; name is the file path or
// URL used in Location (with ":LINE" appended).
func (s *Secrets) Scan(name string, content []byte) []probes.Finding { return nil }

// TokenStorage finds localStorage/sessionStorage writes of token-like keys.
func TokenStorage(name string, content []byte) []probes.Finding { return nil }

// TokenInURL finds access_token, token, api_key and similar placed in query strings.
func TokenInURL(name string, content []byte) []probes.Finding { return nil }
