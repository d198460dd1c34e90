package codescan

// The dispatch that makes gitleaks' rules fast on a whole tree: each rule
// runs only over the lines holding its keywords.

import (
	"sort"
	"strings"

	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/report"
)

// multiLine spots regexps that can match across lines: `\r`, `\n`,
// `[\s\S` or the s flag in the pattern. Plain substring tests: the
// backtracking regexp that said the same cost 2 ms over the ~220 rules.
func multiLine(pattern string) bool {
	return strings.Contains(pattern, `\r`) || strings.Contains(pattern, `\n`) ||
		strings.Contains(pattern, `[\s\S`) || strings.Contains(pattern, `(?s`)
}

// detectAll runs the rules whose keywords occur in content, each over the
// lines holding its keywords (or the whole content for multi-line rules),
// and returns the findings with StartLine set to the 0-based line in content.
func (s *Secrets) detectAll(name string, content []byte, li *lineIndex) []report.Finding {
	lower := asciiLower(content)
	spans := map[int][]span{} // rule -> where its keywords are
	s.trie.walk(lower, func(end, n, keyword int) {
		sp := li.around(end-n+1, end+1)
		for _, r := range s.byWord[keyword] {
			spans[r] = append(spans[r], sp)
		}
	})
	for _, r := range s.noWords {
		spans[r] = nil
	}
	raw := ""
	var out []report.Finding
	for r, list := range spans {
		rs := s.rules[r]
		if rs.pathRule != nil && !rs.pathRule.MatchString(name) {
			continue
		}
		if rs.whole || list == nil {
			det, err := rs.detector()
			if err != nil {
				continue // cannot happen for the embedded rules: TestEveryRuleCompiles
			}
			if raw == "" {
				raw = string(content)
			}
			out = append(out, det.Detect(detect.Fragment{Raw: raw, FilePath: rs.path(name)})...)
			continue
		}
		var b strings.Builder
		var lineOf []int // fragment line -> 1-based line in content
		for _, sp := range mergeSpans(list) {
			text := strings.TrimSuffix(li.all[sp.a:sp.b], "\r")
			if rs.lineFilter != nil && !rs.lineFilter(text) {
				continue
			}
			lineOf = append(lineOf, li.line(sp.a))
			b.WriteString(text)
			b.WriteByte('\n')
		}
		if len(lineOf) == 0 {
			continue // nothing for the rule: not even worth compiling it
		}
		det, err := rs.detector()
		if err != nil {
			continue
		}
		for _, f := range det.Detect(detect.Fragment{Raw: b.String(), FilePath: rs.path(name)}) {
			if f.StartLine >= 0 && f.StartLine < len(lineOf) {
				f.StartLine = lineOf[f.StartLine] - 1
				out = append(out, f)
			}
		}
	}
	out = dropShadowedGeneric(out)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].StartLine != out[j].StartLine {
			return out[i].StartLine < out[j].StartLine
		}
		return out[i].RuleID < out[j].RuleID
	})
	return out
}

// asciiLower lowers A-Z only, keeping every byte offset where it was.
func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// path passes the file path only when the rule's path conditions can
// matter: gitleaks evaluates every path allowlist on every call otherwise.
func (r *ruleScanner) path(name string) string {
	if r.pathRule != nil {
		return name
	}
	for _, re := range r.allowPaths {
		if re.MatchString(name) {
			return name
		}
	}
	return ""
}

// genericValueCandidate is a necessary condition for gitleaks'
// generic-api-key on a line, checked in a single pass: after an assignment
// or separator (= > : , |) and at most five quotes, blanks or '=', a run of
// 10+ value characters ([\w.=+/-]) with at least 12 distinct characters
// (the rule's entropy floor, 3.5 bits, needs 12). The rule's regexp costs
// about 1 ms per line; most lines of code fail this test in microseconds.
func genericValueCandidate(line string) bool {
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '=', '>', ':', ',', '|':
		default:
			continue
		}
		j := i + 1
		for k := 0; k < 5 && j < len(line) && strings.IndexByte("`'\" \t=", line[j]) >= 0; k++ {
			j++
		}
		var seen [128]bool
		distinct, n := 0, 0
		for ; j < len(line) && n < 150 && isValueChar(line[j]); j, n = j+1, n+1 {
			if !seen[line[j]] {
				seen[line[j]] = true
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
// line is dropped.
func dropShadowedGeneric(fs []report.Finding) []report.Finding {
	var out []report.Finding
	for _, f := range fs {
		shadowed := false
		if strings.Contains(strings.ToLower(f.RuleID), "generic") {
			for _, g := range fs {
				if g.StartLine == f.StartLine && g.RuleID != f.RuleID && strings.Contains(g.Secret, f.Secret) &&
					!strings.Contains(strings.ToLower(g.RuleID), "generic") {
					shadowed = true
					break
				}
			}
		}
		if !shadowed {
			out = append(out, f)
		}
	}
	return out
}

// span is a byte range of the content.
type span struct{ a, b int }

// mergeSpans sorts spans and merges the overlapping ones (spans on
// different lines never overlap: a line's span stops before its newline).
func mergeSpans(list []span) []span {
	sort.Slice(list, func(i, j int) bool { return list[i].a < list[j].a })
	out := list[:0]
	for _, sp := range list {
		if n := len(out); n > 0 && sp.a <= out[n-1].b {
			out[n-1].b = max(out[n-1].b, sp.b)
			continue
		}
		out = append(out, sp)
	}
	return out
}
