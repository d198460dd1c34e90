package codescan

//go:generate go run -tags rulegen ./internal/rulegen -o rules_gitleaks.go

// ruleDef is one detection rule, in gitleaks' terms: a regexp, the capture
// group holding the secret (0: the first non-empty one), a Shannon entropy
// floor, keywords one of which must occur in the text, an optional path
// condition and allowlists.
type ruleDef struct {
	ID, Description string
	Regex           string
	SecretGroup     int
	Entropy         float64
	Keywords        []string
	Path            string
	Tags            []string
	Allowlists      []allowDef
}

// allowDef is an allowlist: a finding is allowed (dropped) when any check
// matches, or with And when every check given matches. Regexes run on the
// secret, or on the match or the line as Target says; a stop word is a
// substring of the secret (any case).
type allowDef struct {
	Description string
	And         bool
	Target      string // "", "match" or "line"
	Paths       []string
	Regexes     []string
	StopWords   []string
}

// providerRules are our rules for the providers' own key formats and for
// the credential shapes gitleaks' defaults leave out. Their findings are
// named "provider:ID"; gitleaks' own are "gitleaks:ID".
var providerRules = []ruleDef{
	{
		ID:          "fincept-api-key",
		Description: "Fincept API key",
		Regex:       `\b(fk_(?:user|live|test)_[A-Za-z0-9]{12,})(?:[^A-Za-z0-9_]|$)`,
		Entropy:     3.0,
		Keywords:    []string{"fk_user_", "fk_live_", "fk_test_"},
	},
	{
		ID:          "client-secret",
		Description: "OAuth client secret assigned a literal value",
		Regex:       `(?i)client[_-]?secret["']?\s*(?::=|=>|[:=])\s*["'` + "`" + `]([^"'` + "`" + `\s]{8,})["'` + "`" + `]`,
		Entropy:     2.5,
		Keywords:    []string{"client_secret", "clientsecret", "client-secret"},
	},
	{
		ID:          "client-secret-config",
		Description: "OAuth client secret assigned a literal value in a configuration file",
		Path:        `(?i)(?:^|/)(?:\.env[^/]*|[^/]+\.(?:ya?ml|properties|ini|toml|cfg|conf|env))$`,
		Regex:       `(?im)^\s*(?:export\s+)?[\w.-]*client[_-]?secret\s*[:=]\s*([^\s"'#$,;(){}\[\]]{8,})\s*$`,
		Entropy:     2.5,
		Keywords:    []string{"client_secret", "clientsecret", "client-secret"},
	},
	{
		ID:          "connection-string-password",
		Description: "Password in a connection string",
		// the user may be empty (redis://:pw@host); http(s) URLs carry
		// passwords too (git remotes, basic-auth endpoints)
		Regex:    `(?i)\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|jdbc:[a-z0-9]+|ftps?|sftp|smtps?|ldaps?|https?)://[^:/\s@"'` + "`" + `]*:([^@/\s"'` + "`" + `]+)@[^\s"'` + "`" + `]+`,
		Keywords: []string{"postgres", "mysql", "mariadb", "mongodb", "redis", "amqp", "mssql", "sqlserver", "jdbc:", "ftp", "smtp", "ldap", "http://", "https://"},
	},
	{
		ID:          "private-key-header",
		Description: "Private key block",
		// the header alone (documentation, PEM-parsing code) is not a key:
		// key material must follow, on the next lines or JSON-escaped
		Regex:    `-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----(?:\s|\\[rn])+(?:[A-Za-z-]+: [^\n]*(?:\s|\\[rn])+)*[A-Za-z0-9+/=]{40,}`,
		Keywords: []string{"-----begin"},
	},
}
