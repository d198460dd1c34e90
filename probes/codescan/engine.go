package codescan

// The secret engine: gitleaks' rules (generated into rules_gitleaks.go)
// and ours, matched the way gitleaks matches them (keyword prefilter,
// regexp, secret group, entropy floor, allowlists), but linear in the input:
// each rule runs over bounded blocks around its keywords, and every
// allowlist runs on the match and a bounded window of its line, never on a
// whole line (a minified bundle is one line of megabytes).

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"sync"
)

const (
	// maxBlock bounds the text one regexp call sees: the context is
	// checked between blocks, so a cancelled scan stops within one block.
	maxBlock = 64 << 10
	// lineWindow is how much of a match's line, each side, line-target
	// allowlists and "gitleaks:allow" see.
	lineWindow = 256
	// wholeReach is how far after its keyword a multi-line rule looks
	// (a 4096-bit RSA key in PEM is about 3.3 KB).
	wholeReach = 32 << 10
	// wholeBefore is how far before its keyword a multi-line rule looks
	// (kubernetes-secret-yaml: "data:" up to 300 bytes before "kind: secret").
	wholeBefore = 4 << 10
	// maxHitsPerRule bounds the hits one rule makes in one file: past that
	// (data or a hostile file), more of the same tells the reader nothing
	// and the rest of the file would cost time for nothing. The scan says
	// so in a finding.
	maxHitsPerRule = 1000
)

// rule is one compiled rule. Its regexps compile on first use: a run meets
// the keywords of a few rules only, and compiling all ~225 costs more than
// a small scan.
type rule struct {
	def      *ruleDef
	provider bool
	// whole: the regexp can span lines, so it looks past the keyword's line.
	whole bool
	// lineFilter, when set, is a cheap necessary condition a span must meet.
	lineFilter func(text string) bool

	once   sync.Once
	re     *regexp.Regexp
	path   *regexp.Regexp
	allows []*allowlist
	err    error
}

// allowlist is a compiled allowDef.
type allowlist struct {
	and            bool
	target         string
	paths, regexes *regexp.Regexp // the alternatives joined
	stop           *keywordTrie
}

func compileAllow(a allowDef) (*allowlist, error) {
	out := &allowlist{and: a.And, target: a.Target}
	var err error
	if len(a.Paths) > 0 {
		if out.paths, err = joinRegexps(a.Paths); err != nil {
			return nil, err
		}
	}
	if len(a.Regexes) > 0 {
		if out.regexes, err = joinRegexps(a.Regexes); err != nil {
			return nil, err
		}
	}
	if len(a.StopWords) > 0 {
		words := make([]string, len(a.StopWords))
		for i, w := range a.StopWords {
			words[i] = strings.ToLower(w)
		}
		out.stop = newKeywordTrie(words)
	}
	return out, nil
}

func joinRegexps(list []string) (*regexp.Regexp, error) {
	parts := make([]string, len(list))
	for i, p := range list {
		parts[i] = "(?:" + p + ")"
	}
	return regexp.Compile(strings.Join(parts, "|"))
}

// pathOnly reports whether a allows whole files by path alone (gitleaks
// checks those before reading a file).
func (a *allowlist) pathOnly() bool {
	return a.paths != nil && (!a.and || a.regexes == nil && a.stop == nil)
}

// containsStopWord reports whether lower (a lower-cased secret) holds a stop word.
func (a *allowlist) containsStopWord(lower string) bool {
	found := false
	a.stop.walk([]byte(lower), func(int, int, int) { found = true })
	return found
}

// allows reports whether the allowlist drops h (gitleaks' checkFindingAllowed).
func (a *allowlist) allows(name string, h *hit, line string) bool {
	target := h.secret
	switch a.target {
	case "match":
		target = h.match
	case "line":
		target = line
	}
	// the cheap checks first; each runs only when it can change the answer
	stopOK := func() bool { return a.stop != nil && h.secret != "" && a.containsStopWord(strings.ToLower(h.secret)) }
	regexOK := func() bool { return a.regexes != nil && target != "" && a.regexes.MatchString(target) }
	if !a.and {
		return stopOK() || regexOK()
	}
	if a.stop != nil && !stopOK() {
		return false
	}
	if a.paths != nil && !a.paths.MatchString(name) {
		return false
	}
	return a.regexes == nil || regexOK()
}

func (r *rule) compile() error {
	r.once.Do(func() {
		var err error
		if r.re, err = regexp.Compile(r.def.Regex); err != nil {
			r.err = fmt.Errorf("secret rule %s: %w", r.def.ID, err)
			return
		}
		if r.def.Path != "" {
			if r.path, err = regexp.Compile(r.def.Path); err != nil {
				r.err = fmt.Errorf("secret rule %s: path: %w", r.def.ID, err)
				return
			}
		}
		for _, a := range r.def.Allowlists {
			al, err := compileAllow(a)
			if err != nil {
				r.err = fmt.Errorf("secret rule %s: allowlist: %w", r.def.ID, err)
				return
			}
			r.allows = append(r.allows, al)
		}
	})
	return r.err
}

// hit is one match of a rule, before the scan's own filters.
type hit struct {
	rule   *rule
	start  int    // offset of the match in the content
	line   int    // 1-based line of the match start
	match  string // the text the regexp matched
	secret string // the secret group
	// encoding names how the match was encoded in the file ("base64"),
	// empty when it was found as it stands
	encoding string
}

// globals are the global allowlists, compiled once.
type globals struct {
	once  sync.Once
	paths []*regexp.Regexp
	finds []*allowlist
	err   error
}

func (g *globals) compile() error {
	g.once.Do(func() {
		for _, a := range gitleaksAllowlists {
			al, err := compileAllow(a)
			if err != nil {
				g.err = fmt.Errorf("secret rules: global allowlist: %w", err)
				return
			}
			if al.pathOnly() {
				g.paths = append(g.paths, al.paths)
			}
			if al.regexes != nil || al.stop != nil {
				g.finds = append(g.finds, al)
			}
		}
	})
	return g.err
}

// detectAll runs the rules whose keywords occur in content over the blocks
// around those keywords and returns their hits, ordered by line. It stops
// with ctx's error when ctx is done (checked between rules and blocks).
func (s *Secrets) detectAll(ctx context.Context, name string, li *lineIndex) (out []hit, capped []string, err error) {
	if err := s.globals.compile(); err != nil {
		return nil, nil, err
	}
	content := li.all
	lower := asciiLower(content)
	spans := map[int][]span{} // rule -> where its keywords are
	s.trie.walk(lower, func(end, n, keyword int) {
		for _, r := range s.byWord[keyword] {
			spans[r] = append(spans[r], li.around(end-n+1, end+1, s.rules[r].whole))
		}
	})
	for _, r := range s.noWords {
		spans[r] = li.chunks()
	}
	order := make([]int, 0, len(spans))
	for r := range spans {
		order = append(order, r)
	}
	sort.Ints(order) // the rules' order, so results never depend on map order
	for _, ri := range order {
		if err := ctx.Err(); err != nil {
			return out, capped, err
		}
		r := s.rules[ri]
		list := spans[ri]
		if r.lineFilter != nil {
			kept := list[:0]
			for _, sp := range list {
				if r.lineFilter(content[sp.a:sp.b]) {
					kept = append(kept, sp)
				}
			}
			list = kept
		}
		if len(list) == 0 {
			continue // nothing for the rule: not even worth compiling it
		}
		if r.compile() != nil {
			continue // cannot happen for the embedded rules: TestEveryRuleCompiles
		}
		if r.path != nil && !r.path.MatchString(name) {
			continue
		}
		if ruleSkipsPath(r, name) {
			continue
		}
		hits, err := s.detectRule(ctx, r, name, li, mergeSpans(list))
		out = append(out, hits...)
		if err != nil {
			return out, capped, err
		}
		if len(hits) >= maxHitsPerRule {
			capped = append(capped, r.def.ID)
		}
	}
	out = dropShadowedGeneric(out)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].line != out[j].line {
			return out[i].line < out[j].line
		}
		return out[i].rule.def.ID < out[j].rule.def.ID
	})
	return out, capped, nil
}

func ruleSkipsPath(r *rule, name string) bool {
	for _, a := range r.allows {
		if a.pathOnly() && a.paths.MatchString(name) {
			return true
		}
	}
	return false
}

// detectRule runs one rule over blocks of the content, as gitleaks'
// detectRule does over a fragment.
func (s *Secrets) detectRule(ctx context.Context, r *rule, name string, li *lineIndex, blocks []span) ([]hit, error) {
	var out []hit
	seen := map[int]bool{} // blocks may overlap: one hit per start offset
	for _, b := range blocks {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		text := li.all[b.a:b.b]
		for _, m := range r.re.FindAllStringIndex(text, -1) {
			raw := text[m[0]:m[1]]
			match := strings.Trim(raw, "\n")
			start := b.a + m[0] + strings.Index(raw, match)
			if match == "" || seen[start] {
				continue
			}
			seen[start] = true
			h := hit{rule: r, start: start, line: li.line(start), match: match, secret: match}
			line := li.window(start, start+len(match), lineWindow)
			if strings.Contains(line, "gitleaks:allow") {
				continue
			}
			if groups := r.re.FindStringSubmatch(match); len(groups) >= 2 {
				if g := r.def.SecretGroup; g > 0 {
					if g >= len(groups) {
						continue
					}
					h.secret = groups[g]
				} else {
					for _, g := range groups[1:] {
						if g != "" {
							h.secret = g
							break
						}
					}
				}
			}
			if r.def.Entropy != 0 && shannonEntropy(h.secret) <= r.def.Entropy {
				continue
			}
			if allowed(s.globals.finds, name, &h, line) || allowed(r.allows, name, &h, line) {
				continue
			}
			out = append(out, h)
			if len(out) >= maxHitsPerRule {
				return out, nil
			}
		}
	}
	return out, nil
}

func allowed(list []*allowlist, name string, h *hit, line string) bool {
	for _, a := range list {
		if a.allows(name, h, line) {
			return true
		}
	}
	return false
}

// shannonEntropy is gitleaks' entropy: bits per character over the runes
// of s, divided by its length in bytes.
func shannonEntropy(s string) float64 {
	if s == "" {
		return 0
	}
	counts := map[rune]int{}
	for _, c := range s {
		counts[c]++
	}
	inv := 1 / float64(len(s))
	e := 0.0
	for _, n := range counts {
		f := float64(n) * inv
		e -= f * math.Log2(f)
	}
	return e
}

// multiLine spots regexps that can match across lines: `\r`, `\n`,
// `[\s\S` or the s flag in the pattern.
func multiLine(pattern string) bool {
	return strings.Contains(pattern, `\r`) || strings.Contains(pattern, `\n`) ||
		strings.Contains(pattern, `[\s\S`) || strings.Contains(pattern, `(?s`)
}

// asciiLower lowers A-Z only, keeping every byte offset where it was.
func asciiLower[T string | []byte](s T) []byte {
	out := make([]byte, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// genericValueCandidate is a necessary condition for gitleaks'
// generic-api-key in a span, checked in a single pass: after an assignment
// or separator (= > : , |) and at most five quotes, blanks, newlines or
// '=', a run of 10+ value characters ([\w.=+/-]) with at least 12 distinct
// characters (the rule's entropy floor, 3.5 bits, needs 12). The rule's
// regexp costs about 1 ms per line; most lines of code fail this test in
// microseconds.
func genericValueCandidate(text string) bool {
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '=', '>', ':', ',', '|':
		default:
			continue
		}
		j := i + 1
		for k := 0; k < 5 && j < len(text) && strings.IndexByte("`'\" \t\r\n=", text[j]) >= 0; k++ {
			j++
		}
		var seen [128]bool
		distinct, n := 0, 0
		for ; j < len(text) && n < 150 && isValueChar(text[j]); j, n = j+1, n+1 {
			if !seen[text[j]] {
				seen[text[j]] = true
				distinct++
			}
		}
		if n >= 10 && distinct >= 12 {
			return true
		}
	}
	return false
}

func isValueChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '.' || c == '=' || c == '-' || c == '+' || c == '/'
}

// dropShadowedGeneric does what gitleaks' engine does across rules: a
// "generic" finding whose secret a specific rule also found on the same
// line is dropped. Only specific hits starting within longLine bytes are
// compared (on an ordinary line, all of them), so a minified line with
// thousands of hits stays linear.
func dropShadowedGeneric(hs []hit) []hit {
	isGeneric := func(h hit) bool { return strings.Contains(strings.ToLower(h.rule.def.ID), "generic") }
	var specific []hit
	for _, h := range hs {
		if !isGeneric(h) {
			specific = append(specific, h)
		}
	}
	if len(specific) == len(hs) {
		return hs
	}
	sort.Slice(specific, func(i, j int) bool { return specific[i].start < specific[j].start })
	var out []hit
	for _, h := range hs {
		shadowed := false
		if isGeneric(h) {
			i := sort.Search(len(specific), func(i int) bool { return specific[i].start >= h.start-longLine })
			for ; i < len(specific) && specific[i].start <= h.start+longLine; i++ {
				if g := specific[i]; g.line == h.line && strings.Contains(g.secret, h.secret) {
					shadowed = true
					break
				}
			}
		}
		if !shadowed {
			out = append(out, h)
		}
	}
	return out
}

// span is a byte range of the content.
type span struct{ a, b int }

// mergeSpans sorts spans and merges the overlapping ones into blocks of at
// most maxBlock bytes (a span that would grow a block past that starts the
// next one, overlapping it: detectRule drops the repeated hits).
func mergeSpans(list []span) []span {
	sort.Slice(list, func(i, j int) bool { return list[i].a < list[j].a })
	out := list[:0]
	for _, sp := range list {
		if n := len(out); n > 0 && sp.a <= out[n-1].b && max(out[n-1].b, sp.b)-out[n-1].a <= maxBlock {
			out[n-1].b = max(out[n-1].b, sp.b)
			continue
		}
		out = append(out, sp)
	}
	return out
}
