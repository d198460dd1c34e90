// Package codescan holds the text scanners shared by the served-JavaScript
// probes (js.*) and the source-tree probes (source.*): secrets (gitleaks'
// engine plus the providers' key formats), token storage in web storage,
// tokens in URLs, disabled TLS verification, secrets in log calls, inline CI
// credentials and plain-HTTP endpoints.
//
// Every scanner takes a name (a file path or URL, used in Location as
// NAME:LINE) and the content, returns findings whose Evidence is redacted,
// and is safe for concurrent use.
package codescan

import (
	"bytes"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/selfassess/selfassess/internal/lazyre"
	"github.com/selfassess/selfassess/probes"
)

// maxEvidence bounds an evidence snippet: minified code puts a whole
// program on one line.
const maxEvidence = 160

// maxPerFile bounds the findings one scanner reports for one file (or
// script): past that, more of the same tells the reader nothing and costs
// time on hostile input.
const maxPerFile = 200

// lineIndex maps byte offsets to 1-based line numbers and back.
type lineIndex struct {
	// text is the content as one string, so that lines are substrings, not
	// copies: a minified bundle is one long line with many findings.
	all    string
	starts []int // offset of the first byte of each line
}

func newLineIndex(content []byte) *lineIndex {
	starts := []int{0}
	for i, b := range content {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return &lineIndex{all: string(content), starts: starts}
}

// lazyLines is content's line index, built at the first match: most
// files have none, and counting their lines would be wasted.
type lazyLines struct {
	content []byte
	*lineIndex
}

// lineAt is the 1-based line holding offset.
func (l *lazyLines) lineAt(offset int) int {
	if l.lineIndex == nil {
		l.lineIndex = newLineIndex(l.content)
	}
	return l.line(offset)
}

// longLine: past this length a line is minified code or data, and scanners
// look only at a window around each keyword instead of the whole line (every
// single-line rule matches within a few hundred bytes of its keyword).
const (
	longLine = 4096
	// on a long line: how far before and after a keyword its window reaches
	// (gitleaks' semi-generic rules match up to 50 bytes before their
	// keyword and about 200 after it)
	longBefore = 128
	longAfter  = 512
	// tokenReach bounds how far a window edge moves to avoid cutting a token.
	tokenReach = 256
)

// around returns the span to scan for a keyword at [from, to): its line and
// the lines before and after it (a value may sit on the line after its
// keyword, "<password>" then the value, and a match may start on the line
// before a keyword inside the value), or on a long line a window around the
// keyword.
// For a multi-line rule (whole) the span reaches wholeBefore before the
// keyword and wholeReach past it.
func (li *lineIndex) around(from, to int, whole bool) span {
	n := li.line(from)
	start, end := li.starts[n-1], li.end(n)
	if end-start > longLine {
		start, end = max(start, from-longBefore), min(end, to+longAfter)
	} else {
		if n > 1 {
			start = max(li.starts[n-2], start-1-longLine)
		}
		if n < len(li.starts) {
			end = min(li.end(n+1), end+1+longLine)
		}
	}
	if whole {
		start = min(start, max(0, from-wholeBefore))
		end = max(end, min(len(li.all), to+wholeReach))
	}
	return li.widen(start, end)
}

// end returns the offset of the newline ending line n (1-based), or the
// content's length.
func (li *lineIndex) end(n int) int {
	if n < len(li.starts) {
		return li.starts[n] - 1
	}
	return len(li.all)
}

// widen moves a window's edges out to the ends of the tokens they cut, at
// most tokenReach bytes: a value cut in two is a different value.
func (li *lineIndex) widen(a, b int) span {
	for k := 0; k < tokenReach && a > 0 && isRunChar(li.all[a-1]); k++ {
		a--
	}
	for k := 0; k < tokenReach && b < len(li.all) && isRunChar(li.all[b]); k++ {
		b++
	}
	return span{a, b}
}

// window returns the line(s) holding [a, b), at most n bytes each side of it.
func (li *lineIndex) window(a, b, n int) string {
	lo := li.starts[li.line(a)-1]
	hi := li.end(li.line(max(a, b-1)))
	return li.all[max(lo, a-n):max(min(hi, b+n), max(lo, a-n))]
}

// lineAround returns the line holding [a, b), cut to at most n bytes each
// side of it, and the offset of a in the returned text.
func (li *lineIndex) lineAround(a, b, n int) (string, int) {
	lo := li.starts[li.line(a)-1]
	hi := li.end(li.line(a))
	from, to := max(lo, a-n), min(hi, max(b, a)+n)
	to = max(to, from)
	text := li.all[from:to]
	if strings.HasSuffix(text, "\r") && to == hi {
		text = text[:len(text)-1]
	}
	return text, a - from
}

// chunks cuts the whole content into overlapping blocks, for rules without
// keywords.
func (li *lineIndex) chunks() []span {
	var out []span
	for a := 0; a < len(li.all); a += maxBlock - longAfter {
		out = append(out, li.widen(a, min(len(li.all), a+maxBlock)))
	}
	return out
}

// line returns the 1-based line number holding offset.
func (li *lineIndex) line(offset int) int {
	return sort.Search(len(li.starts), func(i int) bool { return li.starts[i] > offset })
}

// text returns line n (1-based) without its newline.
func (li *lineIndex) text(n int) string {
	if n < 1 || n > len(li.starts) {
		return ""
	}
	start := li.starts[n-1]
	end := len(li.all)
	if n < len(li.starts) {
		end = li.starts[n] - 1
	}
	return strings.TrimSuffix(li.all[start:end], "\r")
}

// evidence returns line n around [from, to) (offsets into the whole
// content), redacted and bounded; see evidence.
func (li *lineIndex) evidence(n, from, to int, secrets ...string) string {
	start := li.starts[n-1]
	return evidence(li.text(n), from-start, to-start, secrets...)
}

// evidence cuts text to about maxEvidence bytes around [from, to) and
// redacts it. The cut is widened to whole key-like runs before redaction,
// and only then shortened, so no cut can leave part of a secret in clear.
func evidence(text string, from, to int, secrets ...string) string {
	from = max(0, min(from, len(text)))
	to = max(from, min(to, len(text)))
	if len(text) <= maxEvidence {
		return strings.TrimSpace(scrub(text, secrets...))
	}
	if to-from > maxEvidence-40 {
		to = from + maxEvidence - 40
	}
	margin := max(20, (maxEvidence-(to-from))/2)
	lo, hi := max(0, from-margin), min(len(text), to+margin)
	for lo > 0 && isRunChar(text[lo-1]) {
		lo--
	}
	for hi < len(text) && isRunChar(text[hi]) {
		hi++
	}
	lo, hi = runeStart(text, lo), runeStart(text, hi)
	// redact first, then cut the redacted text around the (redacted) match:
	// a cut there can only shorten text that is already safe
	red := scrub(text[lo:hi], secrets...)
	a := min(len(red), len(scrub(text[lo:from], secrets...)))
	b := min(len(red), max(a, len(scrub(text[lo:to], secrets...))))
	if b-a > maxEvidence-40 {
		b = a + maxEvidence - 40
	}
	m := max(20, (maxEvidence-(b-a))/2)
	clo, chi := max(0, a-m), min(len(red), b+m)
	clo, chi = runeStart(red, clo), runeStart(red, chi)
	out := strings.TrimSpace(red[clo:chi])
	if lo > 0 || clo > 0 {
		out = "…" + out
	}
	if hi < len(text) || chi < len(red) {
		out += "…"
	}
	return out
}

func isRunChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("+/=_-.~", c) >= 0
}

// longRun is a run of characters that could be a key or token.
var longRun = lazyre.New(`[A-Za-z0-9+/=_\-.~]{16,}`)

// scrub redacts the given secrets in s, then any long token-like run of
// mixed letters and digits, so an evidence line never carries a credential
// even when a scanner did not know it was one.
func scrub(s string, secrets ...string) string {
	var parts []string
	for _, sec := range secrets {
		for _, part := range strings.Split(sec, "\n") {
			if part = strings.TrimSpace(part); len(part) >= 4 {
				parts = append(parts, part)
			}
		}
	}
	// the longest first: of overlapping secrets the union is redacted
	sort.Slice(parts, func(i, j int) bool { return len(parts[i]) > len(parts[j]) })
	for _, part := range parts {
		s = strings.ReplaceAll(s, part, RedactSecret(part, false))
	}
	s = credValueRe().ReplaceAllStringFunc(s, redactCredValue)
	s = redactUserinfo(s)
	s = paramValueRe().ReplaceAllStringFunc(s, redactParamValue)
	return longRun().ReplaceAllStringFunc(s, func(run string) string {
		if strings.Contains(run, "***") {
			return run
		}
		// judge the pieces between dots and slashes, so that host names and
		// paths (people.csail.mit.edu/pubs/KRRR98.pdf) stay readable
		for _, seg := range strings.FieldsFunc(run, func(r rune) bool { return r == '.' || r == '/' }) {
			if len(seg) >= 12 && looksRandom(seg) {
				return RedactSecret(run, false)
			}
		}
		return run
	})
}

// looksRandom reports whether run mixes letters and digits like a key does
// (identifiers such as SOME_LONG_CONSTANT_NAME or a.b.c.d paths do not).
func looksRandom(run string) bool {
	var lower, upper, digit int
	for _, c := range run {
		switch {
		case c >= 'a' && c <= 'z':
			lower++
		case c >= 'A' && c <= 'Z':
			upper++
		case c >= '0' && c <= '9':
			digit++
		}
	}
	classes := 0
	for _, n := range []int{lower, upper, digit} {
		if n > 0 {
			classes++
		}
	}
	return digit >= 2 && classes >= 2
}

// credValueRe matches a quoted literal given to a credential-like name
// ("password": "…", api_key = '…', secret => "…"): evidence masks it even
// when no rule reported it, since it sits beside a finding.
var credValueRe = lazyre.New(`(?i)((?:passw(?:or)?d|pwd|secret|token|api[_-]?key|credential|auth)[\w.-]{0,20}["']?\s*(?::=|=>|[:=])\s*["'` + "`" + `])([^"'` + "`" + `\s]{4,})`)

func redactCredValue(m string) string {
	sub := credValueRe().FindStringSubmatch(m)
	v := sub[2]
	if strings.Contains(v, "***") || IsPlaceholder(v) {
		return m
	}
	lower := strings.ToLower(sub[1])
	return sub[1] + RedactSecret(v, strings.Contains(lower, "passw") || strings.Contains(lower, "pwd"))
}

// finding builds a finding located at line n of name.
func finding(status probes.Status, rule, message, name string, n int, evidence string) probes.Finding {
	return probes.Finding{
		Status:   status,
		Rule:     rule,
		Message:  message,
		Location: name + ":" + strconv.Itoa(n),
		File:     name,
		Line:     n,
		Evidence: evidence,
	}
}

// placeholderRe matches values that are obviously not real credentials:
// references to the environment or a template, redacted or example values.
var placeholderRe = lazyre.New(`(?i)^(?:\$\{.*\}|\$\(.*\)|\$[A-Za-z_][A-Za-z0-9_]*|\{\{.*\}\}|<[^>]*>|%[A-Za-z_]+%|\[[^\]]*\]|(?:%[-+# 0-9.*]*[sdvqxX])+)$|` +
	`process\.env|import\.meta\.env|os\.getenv|os\.environ|getenv\(|environ\[|System\.getenv|ENV\[|secrets\.|` +
	`xxxx|\*\*\*|\.\.\.|…|your[_-]?|_here|changeme|change_me|replace[_-]?me|placeholder|example|dummy|redacted|insert[_-]|todo|fixme`)

// IsPlaceholder reports whether a candidate secret value is obviously not a
// real credential (an environment reference, a template, "xxxx", "<your-key>").
func IsPlaceholder(value string) bool {
	v := strings.Trim(strings.TrimSpace(value), `"'`+"`")
	if v == "" {
		return true
	}
	if placeholderRe().MatchString(v) {
		return true
	}
	// a single repeated character: "0000000000", "aaaaaaaa"
	same := true
	for i := 1; i < len(v); i++ {
		if v[i] != v[0] {
			same = false
			break
		}
	}
	return same
}

// lineStart returns the offset of the start of the line holding offset.
func lineStart(content []byte, offset int) int {
	for offset > 0 && content[offset-1] != '\n' {
		offset--
	}
	return offset
}

// isCommentLine reports whether the line (trimmed) is a comment in the
// common languages and config formats.
func isCommentLine(line string) bool {
	t := strings.TrimSpace(line)
	for _, p := range []string{"//", "#", "/*", "*", "<!--", "--", ";", "REM ", "rem "} {
		if strings.HasPrefix(t, p) {
			// "#!" is a shebang, "#include"/"#define" are code, "* " needs the star
			if p == "#" && (strings.HasPrefix(t, "#!") || strings.HasPrefix(t, "#include") || strings.HasPrefix(t, "#define")) {
				return false
			}
			return true
		}
	}
	return false
}

func sortByLine(fs []probes.Finding) {
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Line < fs[j].Line })
}

// findInLines runs re only over the lines of content whose lower-cased text
// (lower) holds one of words: most lines hold none, and a regexp over a
// whole tree is the scan's main cost. Match offsets are into content.
func findInLines(content, lower []byte, words []string, re *regexp.Regexp) [][]int {
	var out [][]int
	for start := 0; start < len(content); {
		end := bytes.IndexByte(content[start:], '\n')
		if end < 0 {
			end = len(content)
		} else {
			end += start
		}
		if containsAnyString(lower[start:end], words) {
			for _, m := range re.FindAllSubmatchIndex(content[start:end], -1) {
				for i := range m {
					if m[i] >= 0 {
						m[i] += start
					}
				}
				out = append(out, m)
			}
		}
		start = end + 1
	}
	return out
}

// userinfoRe matches the password of scheme://user:password@host.
var userinfoRe = lazyre.New(`(://[^/\s:@"'` + "`" + `]*:)([^@/\s"'` + "`" + `]+)@`)

// redactUserinfo redacts passwords in URLs (scheme://user:password@host).
func redactUserinfo(s string) string {
	return userinfoRe().ReplaceAllStringFunc(s, func(m string) string {
		sub := userinfoRe().FindStringSubmatch(m)
		if strings.Contains(sub[2], "***") || IsPlaceholder(sub[2]) {
			return m
		}
		return sub[1] + RedactSecret(sub[2], true) + "@"
	})
}

// AllowMarker on a line suppresses every finding on that line (gitleaks'
// own "gitleaks:allow" works too, for secrets).
const AllowMarker = "selfassess:allow"

// Suppress drops the findings on lines that carry AllowMarker and returns
// how many it dropped.
func Suppress(content []byte, fs []probes.Finding) ([]probes.Finding, int) {
	if len(fs) == 0 || !bytes.Contains(content, []byte(AllowMarker)) {
		return fs, 0
	}
	li := newLineIndex(content)
	kept := fs[:0:0]
	for _, f := range fs {
		if f.Line > 0 && strings.Contains(li.text(f.Line), AllowMarker) {
			continue
		}
		kept = append(kept, f)
	}
	return kept, len(fs) - len(kept)
}

// runeStart moves i back to the start of the UTF-8 sequence holding it, at
// most 3 bytes (invalid input has long runs of continuation bytes).
func runeStart(s string, i int) int {
	for k := 0; k < 3 && i > 0 && i < len(s) && (s[i]&0xC0) == 0x80; k++ {
		i--
	}
	return i
}
