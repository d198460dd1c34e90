package httpprobe

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/selfassess/selfassess/internal/lazyre"
	"github.com/selfassess/selfassess/probes"
)

// leakPattern is one kind of information an error page must not show.
type leakPattern struct {
	rule string
	what string
	re   func() *regexp.Regexp
}

var leakPatterns = []leakPattern{
	// stack traces
	{"stack-trace-java", "a Java stack trace", lazyre.New(`(?m)^\s*at [\w$.]+\([\w$]+\.(java|kt|scala):\d+\)|Exception in thread "|\bjava\.lang\.\w+(Exception|Error)\b`)},
	{"stack-trace-python", "a Python traceback", lazyre.New(`Traceback \(most recent call last\)|File "[^"]+\.py", line \d+`)},
	{"stack-trace-go", "a Go panic trace", lazyre.New(`goroutine \d+ \[[a-z ]+\]:|\.go:\d+ \+0x[0-9a-f]+`)},
	{"stack-trace-node", "a Node.js stack trace", lazyre.New(`(?m)^\s*at .*\(?(/|[A-Za-z]:\\)[^()\s]+\.(js|mjs|cjs|ts):\d+:\d+\)?`)},
	{"stack-trace-dotnet", "a .NET stack trace", lazyre.New(`(?m)^\s*at [\w.<>]+\(.*\) in .+:line \d+|System\.(NullReference|InvalidOperation|Argument)\w*Exception`)},
	{"stack-trace-php", "a PHP error", lazyre.New(`(Fatal error|Parse error|Warning|Notice|Uncaught \w+)(</b>)?: .* in (<b>)?\S+\.php(</b>)? on line|Stack trace:\s*(<br\s*/?>)?\s*#0 `)},
	{"stack-trace-ruby", "a Ruby backtrace", lazyre.New(`\S+\.rb:\d+:in [` + "`" + `']`)},
	// framework debug pages
	{"debug-page-django", "a Django debug page", lazyre.New(`You're seeing this error because you have <code>DEBUG = True</code>|DisallowedHost at /`)},
	{"debug-page-rails", "a Rails debug page", lazyre.New(`Action Controller: Exception caught|ActionController::RoutingError|<title>Action Controller`)},
	{"debug-page-laravel", "a Laravel/Whoops debug page", lazyre.New(`Whoops, looks like something went wrong|Whoops! There was an error|Illuminate\\[A-Z]\w+|<title>Ignition`)},
	{"debug-page-werkzeug", "a Werkzeug/Flask debugger", lazyre.New(`Werkzeug Debugger|The debugger caught an exception`)},
	{"debug-page-aspnet", "an ASP.NET error page", lazyre.New(`Server Error in '[^']*' Application|YSOD|ASP\.NET is configured to show verbose error messages`)},
	{"debug-page-symfony", "a Symfony debug page", lazyre.New(`Symfony\\Component\\|sf-dump|<title>Symfony Exception`)},
	{"debug-page-express", "an Express/Spring default error with internals", lazyre.New(`Whitelabel Error Page|<pre>(TypeError|ReferenceError|SyntaxError): `)},
	// databases
	{"sql-error", "a database error", lazyre.New(`(?i)you have an error in your sql syntax|SQLSTATE\[|\bORA-\d{5}\b|PG::\w+Error|org\.postgresql\.util\.PSQLException|\bpq: [a-z]|sqlite3?\.OperationalError|SQLite3::\w+Exception|Unclosed quotation mark after the character string|Microsoft OLE DB Provider for|com\.mysql\.jdbc|mysqli?_\w+\(\)|duplicate key value violates unique constraint|relation "[^"]+" does not exist|SequelizeDatabaseError|MongoServerError`)},
	// internal addresses and server paths
	{"internal-ip", "an internal IP address", lazyre.New(`(^|[^\d.])(10\.(25[0-5]|2[0-4]\d|1?\d?\d)\.(25[0-5]|2[0-4]\d|1?\d?\d)\.(25[0-5]|2[0-4]\d|1?\d?\d)|172\.(1[6-9]|2\d|3[01])\.(25[0-5]|2[0-4]\d|1?\d?\d)\.(25[0-5]|2[0-4]\d|1?\d?\d)|192\.168\.(25[0-5]|2[0-4]\d|1?\d?\d)\.(25[0-5]|2[0-4]\d|1?\d?\d)|127\.\d{1,3}\.\d{1,3}\.\d{1,3})($|[^\d.])`)},
	{"server-path", "a server file path", lazyre.New(`(^|[\s"'(>=:])(/var/www/|/home/[a-z_][\w.-]*/|/usr/src/app/|/srv/[\w.-]+/|/opt/[\w.-]+/|/Users/\w+/|[A-Z]:\\(inetpub|Users|Windows|Program Files|www|src|app)\\)`)},
}

// leakResult carries the error-leak result and the responses (banners
// reuse them: error pages often show versions the main page hides).
type leakResult struct {
	result    probes.Result
	responses []*response
}

type leakRequest struct {
	Name   string `json:"name"`
	Method string `json:"method"`
	URL    string `json:"url"`
	Status int    `json:"status,omitempty"`
	Error  string `json:"error,omitempty"`
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// probeErrorLeak provokes errors harmlessly: a random missing path, a path
// with a bad percent-escape, and a POST of truncated JSON to the target.
func probeErrorLeak(ctx context.Context, c *client, u *url.URL) *leakResult {
	base := &url.URL{Scheme: u.Scheme, Host: u.Host}
	missing := *base
	missing.Path = "/selfassess-" + randomHex(8)
	malformed := *base
	malformed.Opaque = "/selfassess-" + randomHex(8) + "/%zz%"
	reqs := []struct {
		name string
		r    request
	}{
		{"missing path", request{Method: http.MethodGet, URL: &missing}},
		{"malformed path", request{Method: http.MethodGet, URL: &malformed}},
		{"malformed JSON", request{Method: http.MethodPost, URL: u, Body: []byte(`{"selfassess": [1, 2,`),
			Header: http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json, text/html"}}}},
	}
	lr := &leakResult{result: probes.Result{ID: "http.error-leak"}}
	res := &lr.result
	var obs []leakRequest
	answered := 0
	for _, q := range reqs {
		display := redactURL(q.r.URL)
		if q.r.URL.Opaque != "" {
			display = q.r.URL.Scheme + "://" + q.r.URL.Host + q.r.URL.Opaque
		}
		o := leakRequest{Name: q.name, Method: q.r.Method, URL: display}
		r, err := c.do(ctx, q.r)
		if err != nil {
			o.Error = err.Error()
			obs = append(obs, o)
			res.Findings = append(res.Findings, probes.Finding{Status: probes.Warn, Rule: "error-leak-request",
				Message: q.name + " request: " + err.Error(), Location: display})
			continue
		}
		answered++
		o.Status = r.StatusCode
		obs = append(obs, o)
		lr.responses = append(lr.responses, r)
		for _, f := range scanLeaks(r.Body, c.secrets) {
			f.Location = display
			f.Message = fmt.Sprintf("%s (HTTP %d) shows %s", q.name, r.StatusCode, f.Message)
			res.Findings = append(res.Findings, f)
		}
	}
	res.Observed = map[string]any{"requests": obs}
	fails := countStatus(res.Findings, probes.Fail)
	switch {
	case fails > 0:
		res.Status = probes.Fail
		res.Summary = fmt.Sprintf("error responses leak internals (%d findings)", fails)
	case answered == 0:
		res.Status = probes.Error
		res.Summary = "no error response obtained: every request failed"
	case answered < len(reqs):
		res.Status = probes.Warn
		res.Summary = fmt.Sprintf("no leaks in %d of %d error responses (the others failed)", answered, len(reqs))
	default:
		res.Status = probes.Pass
		res.Summary = fmt.Sprintf("no leaks in %d error responses", answered)
	}
	return lr
}

// scanLeaks returns one finding per pattern that matches body, quoting the
// matching line trimmed, truncated and scrubbed of secrets.
func scanLeaks(body []byte, secrets []string) []probes.Finding {
	var out []probes.Finding
	for _, p := range leakPatterns {
		loc := p.re().FindIndex(body)
		if loc == nil {
			continue
		}
		out = append(out, probes.Finding{Status: probes.Fail, Rule: p.rule, Message: p.what,
			Evidence: quoteLine(body, loc[0], loc[1], secrets)})
	}
	return out
}

// quoteLine returns the line around body[start:end], at most ~160 characters
// centred on the match, with secrets scrubbed.
func quoteLine(body []byte, start, end int, secrets []string) string {
	ls := bytes.LastIndexByte(body[:start], '\n') + 1
	le := bytes.IndexByte(body[end:], '\n')
	if le < 0 {
		le = len(body)
	} else {
		le += end
	}
	if start-ls > 60 {
		ls = start - 60
	}
	if le-end > 100 {
		le = end + 100
	}
	line := strings.ToValidUTF8(string(body[ls:le]), "")
	line = strings.Join(strings.Fields(line), " ")
	return scrub(line, secrets)
}

var (
	secretAssign = lazyre.New(`(?i)((?:password|passwd|pwd|secret|token|api[_-]?key|apikey|session)["']?\s*[:=]\s*["']?|(?:authorization:?\s*(?:bearer|basic|token)?|bearer|basic)\s+)([^\s"'<>&;,]{4,})`)
	urlCreds     = lazyre.New(`(://[^/\s:@]+:)([^@\s/]+)@`)
	longToken    = lazyre.New(`[A-Za-z0-9_\-+/=]{24,}`)
)

// scrub redacts the user's header values, credential assignments, URL
// passwords and long token-like strings in quoted text.
func scrub(s string, secrets []string) string {
	s = probes.RedactIn(s, secrets...)
	s = urlCreds().ReplaceAllString(s, "${1}***@")
	s = secretAssign().ReplaceAllStringFunc(s, func(m string) string {
		sub := secretAssign().FindStringSubmatch(m)
		if strings.HasSuffix(sub[2], "***") {
			return m
		}
		return sub[1] + probes.Redact(sub[2])
	})
	s = longToken().ReplaceAllStringFunc(s, func(m string) string {
		hasDigit := strings.ContainsAny(m, "0123456789")
		hasLetter := strings.IndexFunc(m, func(r rune) bool { return r >= 'A' && r <= 'z' }) >= 0
		if hasDigit && hasLetter {
			return probes.Redact(m)
		}
		return m
	})
	return s
}
