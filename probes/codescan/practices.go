package codescan

import (
	"bytes"
	"fmt"
	"net"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/selfassess/selfassess/internal/lazyre"
	"github.com/selfassess/selfassess/probes"
)

// tlsRule is one way code or configuration turns certificate checks off.
type tlsRule struct {
	id   string
	what string
	re   func() *regexp.Regexp
	// kw: one of these (lower case) must appear before the regexp runs.
	kw []string
	// exts limit the rule to one language's files ("" = any file; a file
	// with no extension gets every rule).
	exts string
}

var tlsRules = []tlsRule{
	{"go-insecure-skip-verify", "Go TLS client skips certificate verification", lazyre.New(`\bInsecureSkipVerify\s*:\s*true\b`), []string{"insecureskipverify"}, ".go"},
	{"python-verify-false", "Python HTTP call with verify=False", lazyre.New(`\bverify\s*=\s*False\b`), []string{"verify"}, ".py .pyw .pyi .ipynb"},
	{"python-unverified-context", "Python unverified SSL context", lazyre.New(`\bssl\._create_unverified_context\b|\bcert_reqs\s*=\s*(?:ssl\.)?CERT_NONE\b|\bverify_mode\s*=\s*(?:ssl\.)?CERT_NONE\b|\bcheck_hostname\s*=\s*False\b`), []string{"_create_unverified_context", "cert_none", "check_hostname"}, ".py .pyw .pyi .ipynb"},
	{"node-reject-unauthorized", "Node.js TLS client accepts any certificate", lazyre.New(`\brejectUnauthorized["']?\s*:\s*false\b`), []string{"rejectunauthorized"}, ""},
	{"node-tls-reject-unauthorized-env", "NODE_TLS_REJECT_UNAUTHORIZED=0 disables certificate checks process-wide", lazyre.New(`\bNODE_TLS_REJECT_UNAUTHORIZED["']?\s*[:=]\s*["']?0\b`), []string{"node_tls_reject_unauthorized"}, ""}, // selfassess:allow: the rule itself
	{"curl-insecure", "curl run with -k/--insecure", lazyre.New(`\bcurl\b[^\n|;&]*\s(?:--insecure\b|-[a-zA-Z]*k[a-zA-Z]*(?:\s|$))`), []string{"curl"}, ""},
	{"wget-no-check-certificate", "wget run with --no-check-certificate", lazyre.New(`\bwget\b[^\n|;&]*--no-check-certificate\b`), []string{"--no-check-certificate"}, ""}, // selfassess:allow: the rule itself
	{"php-curl-verify-off", "PHP cURL with peer/host verification off", lazyre.New(`\bCURLOPT_SSL_VERIFY(?:PEER|HOST)\s*(?:=>|,)\s*(?:false|0)\b`), []string{"curlopt_ssl_verify"}, ".php .inc .phtml"},
	{"php-guzzle-verify-false", "Guzzle request with 'verify' => false", lazyre.New(`["']verify["']\s*=>\s*false\b`), []string{"verify"}, ".php .inc .phtml"},
	{"dotnet-accept-any-certificate", ".NET certificate validation callback that accepts everything", lazyre.New(`\b(?:ServerCertificateValidationCallback|ServerCertificateCustomValidationCallback|RemoteCertificateValidationCallback)\b[^\n;]*(?:=>\s*true\b|\breturn\s+true\b|\bdelegate\b[^\n;]*\btrue\b)|\bDangerousAcceptAnyServerCertificateValidator\b`), []string{"certificatevalidationcallback", "certificatecustomvalidationcallback", "dangerousacceptany"}, ".cs .vb .fs .cshtml .razor .ps1"},
	{"java-trust-all", "Java client trusts every certificate or host name", lazyre.New(`\bNoopHostnameVerifier\b|\bALLOW_ALL_HOSTNAME_VERIFIER\b|\bTrustAllStrategy\b|\bsetHostnameVerifier\s*\(\s*\([^)]*\)\s*->\s*true\b|\bInsecureTrustManagerFactory\b`), []string{"noophostnameverifier", "allow_all_hostname_verifier", "trustallstrategy", "sethostnameverifier", "insecuretrustmanagerfactory"}, ".java .kt .kts .scala .groovy .gradle"},
	{"ruby-verify-none", "Ruby OpenSSL VERIFY_NONE", lazyre.New(`\bOpenSSL::SSL::VERIFY_NONE\b`), []string{"verify_none"}, ".rb .rake .erb .gemspec"},
	{"git-ssl-verify-off", "git with SSL verification off", lazyre.New(`\bhttp\.sslVerify\s*[= ]\s*false\b|\bGIT_SSL_NO_VERIFY\s*[:=]\s*["']?(?:1|true)\b`), []string{"sslverify", "git_ssl_no_verify"}, ""},
	{"npm-strict-ssl-off", "npm with strict-ssl off", lazyre.New(`\bstrict-ssl\s*[= ]\s*false\b`), []string{"strict-ssl"}, ""},
	{"config-tls-verify-off", "configuration turns TLS verification off", lazyre.New(`(?i)\b(?:ssl_?verify|tls_?verify|verify_?ssl|verify_?tls|validate_certs|insecure[_-]skip[_-]tls[_-]verify|tls_?insecure|skip_?tls_?verify|sslmode|pgsslmode)["']?\s*[:=]\s*["']?(?:false|no|off|0|disable)\b|(?i)\binsecure[_-]skip[_-]tls[_-]verify["']?\s*[:=]\s*["']?true\b`), []string{"verify", "validate_certs", "insecure", "sslmode"}, ""},
}

// TLSVerification finds code and configuration that disable certificate
// verification (InsecureSkipVerify: true, verify=False, curl -k, …).
func TLSVerification(name string, content []byte) []probes.Finding {
	lower := asciiLower(content)
	ext := extOf(name)
	li := &lazyLines{content: content}
	var out []probes.Finding
	seen := map[int]bool{}
	for _, r := range tlsRules {
		if ext != "" && r.exts != "" && !strings.Contains(" "+r.exts+" ", " "+ext+" ") {
			continue
		}
		if !containsAnyString(lower, r.kw) {
			continue
		}
		for _, m := range findInLines(content, lower, r.kw, r.re()) {
			n := li.lineAt(m[0])
			if seen[n] || isCommentLine(li.text(n)) {
				continue
			}
			if r.id == "config-tls-verify-off" && strings.Contains(strings.ToLower(string(content[m[0]:m[1]])), "sslmode") &&
				!bytes.Contains(bytes.ToLower(content[m[0]:m[1]]), []byte("disable")) {
				continue // sslmode=verify-full and friends are fine
			}
			seen[n] = true
			out = append(out, finding(probes.Fail, "tls-verification:"+r.id, r.what, name, n, li.evidence(n, m[0], m[1])))
			if len(out) >= maxPerFile {
				sortByLine(out)
				return out
			}
		}
	}
	sortByLine(out)
	return out
}

func containsAnyString(content []byte, words []string) bool {
	for _, w := range words {
		if bytes.Contains(content, []byte(w)) {
			return true
		}
	}
	return false
}

// extOf returns the lower-case extension of a file name or URL path.
func extOf(name string) string {
	if i := strings.IndexAny(name, "?#"); i >= 0 && strings.Contains(name, "://") {
		name = name[:i]
	}
	return strings.ToLower(path.Ext(name))
}

// logCallRe matches the opening of a log or print call in the common languages.
var logCallRe = lazyre.New(`\b(?:console\.(?:log|info|warn|error|debug|trace)|(?:log|logger|logging|LOG|Log|slog|logrus|zap|winston|pino|klog|glog|_log|self\.log|self\.logger|this\.log|this\.logger|\w+Logger|\w+_logger)\.\w+|print(?:ln|f)?|fmt\.(?:Print|Println|Printf|Fprint|Fprintf|Fprintln)|System\.(?:out|err)\.print(?:ln|f)?|puts|echo|error_log|var_dump|print_r|Console\.Write(?:Line)?|Debug\.Log|NSLog)\s*\(`)

// sensitiveIdentRe: identifiers that hold credentials.
var sensitiveIdentRe = lazyre.New(`(?i)^(?:.*(?:token|secret|passw(?:or)?d|passwd|pwd|api_?key|apikey|authorization|auth_?header|credential|private_?key|client_?secret|access_?key|bearer|jwt))$`)

// harmlessSuffixRe: names that mention a credential but hold something else.
var harmlessSuffixRe = lazyre.New(`(?i)(?:type|types|count|len|length|size|expir\w*|expires_?at|ttl|url|uri|path|file|name|names|policy|hint|hash|hashed|reset|valid|validity|time|at|format|id|ids|endpoint|header_?name|key_?name|field|label|prompt|required|enabled|error|err|status|version|scope|scopes|kind|ref|manager|store|service|provider|client|source|index|idx|rotation|rotated|changed|strength|mask|masked|redacted|digest|fingerprint|prefix|suffix)$`)

// redactCallRe removes arguments passed through a redacting or summarising function.
var redactCallRe = lazyre.New(`(?i)\b[\w.]*(?:redact|mask|sanitiz|scrub|censor|obfuscat|truncat|hash|digest|fingerprint|len|length|count|size|type|typeof|bool|isset|empty|has)\w*\s*\([^()]*\)`)

// sliceRe: token[:6], key.slice(0, 4), secret.substring(0,4) show only a prefix.
var sliceRe = lazyre.New(`[\w.]+\s*(?:\[\s*-?\d*\s*:\s*-?\d*\s*\]|\.(?:slice|substring|substr|take|prefix)\s*\([^()]*\)|\.(?:length|size|Length|Count))`)

var stringLitRe = lazyre.New(`"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|` + "`[^`]*`")
var (
	templateInterpRe = lazyre.New(`\$\{([^}]*)\}`)                    // JS `${token}`
	fStringInterpRe  = lazyre.New(`\{([^{}]*)\}`)                     // Python f"{token}"
	dquoteInterpRe   = lazyre.New(`#\{([^}]*)\}|\$\{?([A-Za-z_]\w*)`) // Ruby "#{token}", PHP/shell "$token"
)
var identRe = lazyre.New(`[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*`)

// SecretLogging finds log and print calls whose arguments include a token,
// key or password variable unredacted: console.log("token", token),
// log.Printf("key=%s", apiKey), logger.info(f"password={password}"). Values
// passed through redact/mask functions or cut to a prefix (key[:6]) pass.
func SecretLogging(name string, content []byte) []probes.Finding {
	lower := asciiLower(content)
	// Candidate lines: a credential word on the line or up to three lines
	// below (calls spread their arguments over lines), and a log word on it.
	// Most lines have neither, and the call regexp is costly.
	li := &lazyLines{content: content}
	candidates := map[int]bool{}
	for _, w := range sensitiveWords {
		for i := 0; ; {
			j := bytes.Index(lower[i:], []byte(w))
			if j < 0 {
				break
			}
			n := li.lineAt(i + j)
			for k := n; k >= 1 && k > n-4; k-- {
				candidates[k] = true
			}
			i += j + len(w)
		}
	}
	if len(candidates) == 0 {
		return nil
	}
	lines := make([]int, 0, len(candidates))
	for n := range candidates {
		lines = append(lines, n)
	}
	sort.Ints(lines)
	// in a lexer or parser "token" is a piece of syntax
	lexical := containsAnyString(lower, []string{"\"go/token\"", "yacc", "lexer", "tokeniz"})
	var out []probes.Finding
	for _, n := range lines {
		if len(out) >= maxPerFile {
			break
		}
		start := li.starts[n-1]
		text := li.text(n)
		if !containsAnyString(lower[start:start+len(text)], logWords) || isCommentLine(text) {
			continue
		}
		for pos := 0; pos < len(text); {
			m := logCallRe().FindStringIndex(text[pos:]) // one at a time: minified lines are long
			if m == nil {
				break
			}
			m[0], m[1] = m[0]+pos, m[1]+pos
			pos = m[1]
			from, to := start+m[0], start+m[1]
			args := callArgs(content[to:])
			ident := sensitiveArg(args, lexical)
			if ident == "" {
				continue
			}
			msg := fmt.Sprintf("log call outputs %s unredacted; log a redacted prefix (%s[:6]+\"***\") or nothing", ident, lastPart(ident))
			out = append(out, finding(probes.Fail, "secret-logging", msg, name, n, li.evidence(n, from, to+len(args))))
			break
		}
	}
	return out
}

var (
	logWords       = []string{"log", "print", "puts", "echo", "console", "write", "dump", "nslog"}
	sensitiveWords = []string{"token", "secret", "passw", "pwd", "key", "auth", "credential", "bearer", "jwt"}
)

// callArgs returns the argument text up to the call's closing parenthesis
// (or the end of the line, or 400 bytes).
func callArgs(rest []byte) string {
	depth := 1
	var quote byte
	for i := 0; i < len(rest) && i < 400; i++ {
		c := rest[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'' || c == '`':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return string(rest[:i])
			}
		case c == '\n' && depth == 1 && i > 0 && rest[i-1] != ',' && rest[i-1] != '(' && rest[i-1] != '+':
			return string(rest[:i])
		}
	}
	if len(rest) > 400 {
		rest = rest[:400]
	}
	return string(rest)
}

// sensitiveArg returns the first credential identifier that args output in
// full, or "".
func sensitiveArg(args string, lexical bool) string {
	// keep interpolations ({password}, ${token}, #{key}) from string literals,
	// drop the literal text ("token refreshed" is not a token)
	var code strings.Builder
	last := 0
	for _, lit := range stringLitRe().FindAllStringIndex(args, -1) {
		code.WriteString(args[last:lit[0]])
		code.WriteString(" ")
		s := args[lit[0]:lit[1]]
		var re *regexp.Regexp
		switch {
		case s[0] == '`':
			re = templateInterpRe()
		case lit[0] > 0 && (args[lit[0]-1] == 'f' || args[lit[0]-1] == 'F'):
			re = fStringInterpRe()
		case s[0] == '"':
			re = dquoteInterpRe()
		}
		if re != nil {
			for _, im := range re.FindAllStringSubmatch(s, -1) {
				for _, g := range im[1:] {
					code.WriteString(" " + g + " ")
				}
			}
		}
		last = lit[1]
	}
	rest := args[last:]
	if i := strings.IndexAny(rest, "\"'`"); i >= 0 {
		rest = rest[:i] // an unterminated literal (a raw string running past the window): not code
	}
	code.WriteString(rest)
	c := code.String()
	for {
		next := redactCallRe().ReplaceAllString(c, " ")
		next = sliceRe().ReplaceAllString(next, " ")
		if next == c {
			break
		}
		c = next
	}
	for _, id := range identRe().FindAllString(c, -1) {
		lp := lastPart(id)
		if lexical && (lp == "token" || lp == "tok" || lp == "tokens") {
			continue // a lexer's token, not a credential
		}
		if sensitiveIdentRe().MatchString(lp) && !harmlessSuffixRe().MatchString(lp) && !isConstantName(lp) {
			return id
		}
	}
	return ""
}

func lastPart(id string) string {
	if i := strings.LastIndexByte(id, '.'); i >= 0 {
		return id[i+1:]
	}
	return id
}

// isConstantName: TOKEN_HEADER-style names are usually header or env
// variable names, not values; but API_KEY/SECRET_KEY style constants are
// values (the providers' own bad example logs API_KEY).
func isConstantName(s string) bool {
	return s == strings.ToUpper(s) && strings.HasSuffix(s, "_NAME")
}

// PlainHTTP finds http:// endpoints in code and configuration. Loopback,
// documentation domains, XML namespaces and licence links pass; hosts that
// only resolve inside a private network are warnings.
func PlainHTTP(name string, content []byte) []probes.Finding {
	if !bytes.Contains(content, []byte("http://")) {
		return nil
	}
	code := codeExts[extOf(name)]
	var q quoteState
	li := &lazyLines{content: content}
	var out []probes.Finding
	seen := map[int]bool{}
	for _, m := range plainHTTPRe().FindAllSubmatchIndex(content, -1) {
		n := li.lineAt(m[0])
		if seen[n] {
			continue
		}
		text := li.text(n)
		if n != q.line {
			q = quoteState{line: n, skip: isCommentLine(text)}
		}
		col := m[0] - li.starts[n-1]
		if q.skip || namespaceLineRe().MatchString(text[max(0, col-200):min(len(text), col+200)]) {
			continue
		}
		if code && !q.inside(text, col) {
			continue // in code an endpoint is a string; bare URLs are prose in block comments
		}
		host := strings.ToLower(string(content[m[2]:m[3]]))
		status, ok := classifyHost(host)
		if !ok {
			continue
		}
		seen[n] = true
		url := scrub(string(content[m[0]:m[1]]))
		msg := fmt.Sprintf("plain-HTTP endpoint %s; use https://", scrub(url))
		if status == probes.Warn {
			msg = fmt.Sprintf("plain-HTTP endpoint %s on an internal host; use TLS inside the network too", scrub(url))
		}
		out = append(out, finding(status, "plain-http", msg, name, n, li.evidence(n, m[0], m[1])))
		if len(out) >= maxPerFile {
			break
		}
	}
	return out
}

// codeExts are programming languages, where an endpoint is a string literal.
var codeExts = set(".go", ".py", ".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".java", ".kt", ".kts", ".scala", ".rb", ".php",
	".cs", ".fs", ".vb", ".swift", ".m", ".mm", ".rs", ".c", ".cc", ".cpp", ".cxx", ".h", ".hpp", ".dart", ".ex", ".exs",
	".groovy", ".lua", ".pl", ".pm", ".r", ".jl", ".vue", ".svelte")

// quoteState tracks string literals along one line as matches advance
// left to right, so a long minified line is walked once, not once per match.
type quoteState struct {
	line   int
	skip   bool // comment line
	pos    int
	counts [3]int // " ' `
}

// inside reports whether offset i of line is inside a string literal (an
// odd number of unescaped quotes of one kind before it). Offsets must not
// decrease between calls for the same line.
func (q *quoteState) inside(line string, i int) bool {
	for ; q.pos < i && q.pos < len(line); q.pos++ {
		switch line[q.pos] {
		case '\\':
			q.pos++
		case '"':
			q.counts[0]++
		case '\'':
			q.counts[1]++
		case '`':
			q.counts[2]++
		}
	}
	return q.counts[0]%2 == 1 || q.counts[1]%2 == 1 || q.counts[2]%2 == 1
}

var plainHTTPRe = lazyre.New(`http://(?:[^/\s"'@<>\\]*@)?(\[[0-9a-fA-F:]+\]|[A-Za-z0-9_.-]+)(?::\d+)?[^\s"'<>` + "`" + `)\]},\\]*`)

// namespaceLineRe: XML namespaces, schema locations and doctypes name
// documents, not endpoints.
var namespaceLineRe = lazyre.New(`(?i)xmlns|schemaLocation|<!DOCTYPE|"\$schema"|\$schema:|@namespace`)

// harmlessHosts are documentation, namespace and licence hosts.
var harmlessHosts = []string{
	"localhost", "example.com", "example.org", "example.net",
	"www.w3.org", "w3.org", "schemas.xmlsoap.org", "schemas.microsoft.com", "schemas.openxmlformats.org", "schemas.android.com",
	"json-schema.org", "purl.org", "ns.adobe.com", "xml.org", "www.apache.org", "apache.org", "maven.apache.org",
	"www.opensource.org", "opensource.org", "www.gnu.org", "gnu.org", "creativecommons.org", "www.wtfpl.net",
	"java.sun.com", "xmlns.jcp.org", "www.springframework.org", "www.omg.org", "docbook.org", "relaxng.org",
	"tempuri.org", "www.openarchives.org", "ogp.me", "rdfs.org", "dublincore.org", "www.idpf.org", "www.inkscape.org",
	"sodipodi.sourceforge.net", "www.sitemaps.org", "www.google.com/schemas",
}

// classifyHost says whether an http:// host is worth a finding, and how bad.
func classifyHost(host string) (probes.Status, bool) {
	host = strings.Trim(host, "[]")
	if host == "" || strings.ContainsAny(host, "${}") {
		return "", false
	}
	for _, h := range harmlessHosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return "", false
		}
	}
	for _, suffix := range []string{".example", ".test", ".invalid", ".localhost"} {
		if strings.HasSuffix(host, suffix) {
			return "", false
		}
	}
	if ip := net.ParseIP(host); ip != nil {
		switch {
		case ip.IsLoopback(), ip.IsUnspecified(), ip.IsLinkLocalUnicast():
			return "", false // 169.254.169.254 metadata endpoints are http-only by design
		case ip.IsPrivate():
			return probes.Warn, true
		}
		return probes.Fail, true
	}
	if !strings.Contains(host, ".") || strings.HasSuffix(host, ".local") || strings.HasSuffix(host, ".internal") ||
		strings.HasSuffix(host, ".svc") || strings.HasSuffix(host, ".cluster.local") || strings.HasSuffix(host, ".lan") {
		return probes.Warn, true
	}
	return probes.Fail, true
}

// ciKeyValueRe: KEY: value / KEY=value / export KEY=value lines.
var ciKeyValueRe = lazyre.New(`(?m)^[ \t]*(?:-[ \t]*)?(?:export[ \t]+|set[ \t]+|env[ \t]+)?["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?[ \t]*(?::|=)[ \t]*(.*?)[ \t]*$`)

var ciSecretNameRe = lazyre.New(`(?i)(?:token|secret|passw(?:or)?d|passwd|pwd|api_?key|apikey|access_?key|private_?key|credentials?|auth)`)
var ciHarmlessNameRe = lazyre.New(`(?i)(?:_url|_uri|_file|_path|_name|_id|_endpoint|_host|_port|_type|_header|_env|_var|_user|_username|_length|_ttl|_expires?|_region)$`)

// ciReferenceRe: values that come from the CI's secret store or the environment.
var ciReferenceRe = lazyre.New(`^\$\{\{|^\$\(|^\$\{|^\$[A-Za-z_]|^%[A-Za-z_]|^\(\(|^\{\{|\bsecrets\.|\bvault\b|\bcredentials\(|^(?:true|false|yes|no|on|off|null|~|inherit|required|optional|\||>|>-|\|-)$`)

// ciLoginRe: passwords given on command lines (docker login -p x, -u user:pass, Bearer headers).
var ciLoginRe = lazyre.New(`(?:\s(?:-p|--password)(?:[ \t]+|=)["']?([^\s"'$]{4,})|\bBearer[ \t]+([A-Za-z0-9._~+/=-]{8,})|\s-u[ \t]+["']?[^\s:"'$]+:([^\s@"'$]{4,}))`)

// IsCIConfig reports whether path (slash-separated, relative to the
// repository root) is a CI configuration file.
func IsCIConfig(p string) bool {
	base := path.Base(p)
	dir := path.Dir(p)
	switch {
	case strings.HasSuffix(dir, ".github/workflows") && (strings.HasSuffix(base, ".yml") || strings.HasSuffix(base, ".yaml")):
		return true
	case base == ".gitlab-ci.yml" || base == "Jenkinsfile" || base == "azure-pipelines.yml" || base == "bitbucket-pipelines.yml" ||
		base == ".travis.yml" || base == ".drone.yml" || base == "cloudbuild.yaml" || base == "cloudbuild.yml" || base == "buildspec.yml" || base == "appveyor.yml":
		return true
	case strings.HasSuffix(dir, ".circleci") && base == "config.yml":
		return true
	case strings.HasSuffix(dir, ".buildkite") && strings.HasPrefix(base, "pipeline"):
		return true
	}
	return false
}

// CIInlineSecrets finds credentials written inline in CI configuration:
// key-like names (TOKEN, SECRET, PASSWORD, API_KEY) with literal values
// instead of ${{ secrets.X }} / $VAR, and passwords on command lines. Run
// Secrets.Scan on the same files for known key formats.
func CIInlineSecrets(name string, content []byte) []probes.Finding {
	li := &lazyLines{content: content}
	var out []probes.Finding
	seen := map[int]bool{}
	add := func(n, from, to int, what, value string) {
		if seen[n] || len(out) >= maxPerFile {
			return
		}
		seen[n] = true
		ev := li.evidence(n, from, to, value)
		if containsSecret(ev, value) || (len(value) >= 4 && strings.Contains(ev, value)) {
			ev = ""
		}
		out = append(out, finding(probes.Fail, "ci-inline-secret", fmt.Sprintf("%s written inline (%s); use the CI's secret store", what, probes.Redact(value)), name, n, ev))
	}
	for _, m := range ciKeyValueRe().FindAllSubmatchIndex(content, -1) {
		key := string(content[m[2]:m[3]])
		if !ciSecretNameRe().MatchString(key) || ciHarmlessNameRe().MatchString(key) {
			continue
		}
		value := strings.TrimSpace(string(content[m[4]:m[5]]))
		if i := strings.Index(value, " #"); i >= 0 {
			value = strings.TrimSpace(value[:i])
		}
		value = strings.Trim(value, `"'`)
		if len(value) < 4 || ciReferenceRe().MatchString(value) || IsPlaceholder(value) || isNumber(value) {
			continue
		}
		n := li.lineAt(m[0])
		if isCommentLine(li.text(n)) {
			continue
		}
		add(n, m[0], m[1], key, value)
	}
	for _, m := range ciLoginRe().FindAllSubmatchIndex(content, -1) {
		value := ""
		for g := 1; g <= 3; g++ {
			if m[2*g] >= 0 {
				value = string(content[m[2*g]:m[2*g+1]])
			}
		}
		if IsPlaceholder(value) {
			continue
		}
		n := li.lineAt(m[0])
		if isCommentLine(li.text(n)) {
			continue
		}
		add(n, m[0], m[1], "password or token on a command line", value)
	}
	sortByLine(out)
	return out
}

func isNumber(s string) bool {
	for _, c := range s {
		if (c < '0' || c > '9') && c != '.' {
			return false
		}
	}
	return true
}
