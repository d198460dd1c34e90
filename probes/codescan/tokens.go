package codescan

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/selfassess/selfassess/internal/lazyre"
	"github.com/selfassess/selfassess/probes"
)

// storageWriteRe matches writes to web storage: setItem(key, value),
// storage[key] = value and storage.key = value.
var storageWriteRe = lazyre.New(`\b(localStorage|sessionStorage)\s*(?:\.\s*setItem\s*\(\s*([^,)]{1,120})(?:,\s*([^)\n]{0,200}))?|\[\s*([^\]\n]{1,120})\]\s*=[^=]|\.\s*([A-Za-z_$][\w$]*)\s*=[^=])`)

// tokenKeyRe: key names that hold credentials ("auth" but not "author").
var tokenKeyRe = lazyre.New(`(?i)token|jwt|bearer|auth(?:$|[^o])|authoriz|session|\bsid\b|secret|api[_-]?key|credential|passw|access[_-]?key|private[_-]?key`)

// tokenValueRe: stored values that are plainly credentials even under a bland key.
var tokenValueRe = lazyre.New(`(?i)access_?token|refresh_?token|id_?token|\btoken\b|jwt|bearer|api_?key|password|secret`)

// TokenStorage finds localStorage/sessionStorage writes of token-like keys
// (or of token-like values). The providers want tokens in HTTP-only cookies,
// out of reach of any script an XSS bug lets in.
func TokenStorage(name string, content []byte) []probes.Finding {
	if !bytes.Contains(content, []byte("Storage")) {
		return nil
	}
	li := &lazyLines{content: content}
	var out []probes.Finding
	for _, m := range findInLines(content, content, []string{"localStorage", "sessionStorage"}, storageWriteRe()) {
		store := string(content[m[2]:m[3]])
		key, value := group(content, m, 2), group(content, m, 3)
		if key == "" {
			key = group(content, m, 4)
		}
		if key == "" {
			key = group(content, m, 5)
		}
		if !tokenKeyRe().MatchString(key) && !tokenValueRe().MatchString(value) {
			continue
		}
		n := li.lineAt(m[0])
		if isCommentLine(li.text(n)) {
			continue
		}
		msg := fmt.Sprintf("%s stores %s; keep tokens in HttpOnly cookies", store, describeKey(key))
		out = append(out, finding(probes.Fail, "token-in-web-storage", msg, name, n, li.evidence(n, m[0], m[1])))
		if len(out) >= maxPerFile {
			break
		}
	}
	return out
}

func group(content []byte, m []int, g int) string {
	if 2*g+1 >= len(m) || m[2*g] < 0 {
		return ""
	}
	return strings.TrimSpace(string(content[m[2*g]:m[2*g+1]]))
}

func describeKey(key string) string {
	k := strings.Trim(key, `"'`+"`")
	if k == "" {
		return "a value"
	}
	if len(k) > 40 {
		k = k[:40] + "…"
	}
	return fmt.Sprintf("%q", k)
}

// tokenParam names query parameters that carry credentials.
const tokenParam = `(?:access_token|refresh_token|id_token|auth_token|authtoken|token|api_key|apikey|api-key|client_secret|secret|password|passwd|jwt|session_id|sessionid|sid|bearer)`

var (
	// searchParams.set("token", …), params.append('api_key', …), q.Set("access_token", …)
	paramsSetRe = lazyre.New(`(?i)\b(?:searchParams|params|query|q|values|qs|urlParams)\s*\.\s*(?:set|append|add)\s*\(\s*["'` + "`" + `](` + tokenParam + `)["'` + "`" + `]`)
	// new URLSearchParams({ token: … })
	urlSearchParamsRe = lazyre.New(`(?i)new\s+URLSearchParams\s*\(\s*\{[^}]{0,200}?\b(` + tokenParam + `)["']?\s*:`)
)

// TokenInURL finds access_token, token, api_key and similar placed in query
// strings, where they end up in server logs, proxies, browser history and
// Referer headers.
func TokenInURL(name string, content []byte) []probes.Finding {
	lower := asciiLower(content)
	if !containsAnyString(lower, tokenParamWords) {
		return nil
	}
	// candidate matches: [start, end, paramStart, paramEnd]
	matches := queryParams(lower)
	matches = append(matches, findInLines(content, lower, []string{".set(", ".append(", ".add("}, paramsSetRe())...)
	if bytes.Contains(lower, []byte("urlsearchparams")) {
		matches = append(matches, urlSearchParamsRe().FindAllSubmatchIndex(content, -1)...)
	}
	li := &lazyLines{content: content}
	var out []probes.Finding
	seen := map[int]bool{}
	for _, m := range matches {
		n := li.lineAt(m[0])
		if seen[n] {
			continue
		}
		text := li.text(n)
		if isCommentLine(text) {
			continue
		}
		if content[m[0]] == '&' {
			// "a=1&client_secret=…" with no "?" before it is a form body, not a URL
			from := m[0] - 300
			if ls := lineStart(content, m[0]); from < ls {
				from = ls
			}
			if !bytes.Contains(content[from:m[0]], []byte("?")) {
				continue
			}
		}
		seen[n] = true
		param := string(lower[m[2]:m[3]])
		msg := fmt.Sprintf("%q sent in a URL query string; send it in a header or the body", param)
		out = append(out, finding(probes.Fail, "token-in-url", msg, name, n, li.evidence(n, m[0], m[1]+80)))
		if len(out) >= maxPerFile {
			break
		}
	}
	sortByLine(out)
	return out
}

var tokenParamWords = []string{"token", "key", "secret", "passw", "pwd", "jwt", "sid", "session", "bearer"}

var tokenParamNames = set("access_token", "refresh_token", "id_token", "auth_token", "authtoken", "token", "api_key", "apikey",
	"api-key", "client_secret", "secret", "password", "passwd", "jwt", "session_id", "sessionid", "sid", "bearer")

func set(items ...string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, s := range items {
		m[s] = true
	}
	return m
}

// queryParams finds "?name=" and "&name=" with a credential name in
// lower-cased content; a hand-written loop, as a case-insensitive regexp
// is slow over a whole tree.
func queryParams(lower []byte) [][]int {
	var out [][]int
	for i := 0; i < len(lower); i++ {
		c := lower[i]
		if c != '?' && c != '&' {
			continue
		}
		j := i + 1
		for j < len(lower) && (lower[j] >= 'a' && lower[j] <= 'z' || lower[j] == '_' || lower[j] == '-') {
			j++
		}
		if j < len(lower) && lower[j] == '=' && j > i+1 && tokenParamNames[string(lower[i+1:j])] {
			out = append(out, []int{i, j + 1, i + 1, j})
		}
	}
	return out
}

// paramValueRe matches a credential parameter with a literal value.
var paramValueRe = lazyre.New(`(?i)\b` + tokenParam + `=[^&"'\s` + "`" + `$+{}()]{4,}`)

func redactParamValue(kv string) string {
	k, v, _ := strings.Cut(kv, "=")
	if IsPlaceholder(v) {
		return kv
	}
	return k + "=" + RedactSecret(v, strings.Contains(strings.ToLower(k), "passw"))
}
