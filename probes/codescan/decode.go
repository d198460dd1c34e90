package codescan

// Encoded secrets: gitleaks decodes base64 and percent-encoding (to depth
// 5) and scans what it finds; so does selfassess, bounded in depth and size.

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"
	"unicode/utf8"
)

const (
	// maxDecodeDepth bounds decoding of decoded text (base64 of base64…).
	maxDecodeDepth = 3
	// maxDecoded bounds the decoded bytes scanned per file, and
	// maxSegment one encoded run.
	maxDecoded = 1 << 20
	maxSegment = 256 << 10
)

// base64Runs returns the runs of 24 or more base64 characters (either
// alphabet, with up to two '=' of padding): one pass, no regexp (a regexp
// here cost as much as all the rules).
func base64Runs(s string) [][2]int {
	var out [][2]int
	for i := 0; i < len(s); {
		if !isBase64Char(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isBase64Char(s[j]) {
			j++
		}
		for k := 0; k < 2 && j < len(s) && s[j] == '='; k++ {
			j++
		}
		if j-i >= 24 {
			out = append(out, [2]int{i, j})
		}
		i = j
	}
	return out
}

func isBase64Char(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '_' || c == '-'
}

// percentRuns returns the runs of non-blank, unquoted text holding at
// least three %XX escapes.
func percentRuns(s string) [][2]int {
	var out [][2]int
	for i := 0; i < len(s); {
		if isRunStop(s[i]) {
			i++
			continue
		}
		j, escapes := i, 0
		for j < len(s) && !isRunStop(s[j]) {
			if s[j] == '%' && j+2 < len(s) && isHex(s[j+1]) && isHex(s[j+2]) {
				escapes++
			}
			j++
		}
		if escapes >= 3 {
			out = append(out, [2]int{i, j})
		}
		i = j
	}
	return out
}

func isRunStop(c byte) bool {
	return c <= ' ' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// detectEncoded finds base64 and percent-encoded runs in li, decodes the
// ones that decode to text and runs the rules over them. Hits are placed
// on the line of the encoded run (line, start: in the outer content) and
// name the encoding.
func (s *Secrets) detectEncoded(ctx context.Context, name string, li *lineIndex, depth int, budget *int, line, start int, via string) []hit {
	if depth > maxDecodeDepth || *budget <= 0 || ctx.Err() != nil {
		return nil
	}
	var out []hit
	scan := func(seg [2]int, decoded, kind string) {
		if *budget <= 0 || len(decoded) < 16 || !isText(decoded) {
			return
		}
		*budget -= len(decoded)
		at, ln := start, line
		if depth == 1 {
			at, ln = seg[0], li.line(seg[0])
		}
		enc := kind
		if via != "" {
			enc = via + ", then " + kind
		}
		sub := newLineIndex([]byte(decoded))
		hits, _, _ := s.detectAll(ctx, name, sub)
		for _, h := range hits {
			h.line, h.start, h.encoding = ln, at, enc
			out = append(out, h)
		}
		out = append(out, s.detectEncoded(ctx, name, sub, depth+1, budget, ln, at, enc)...)
	}
	for _, m := range base64Runs(li.all) {
		if m[1]-m[0] > maxSegment {
			continue
		}
		if d, ok := decodeBase64(li.all[m[0]:m[1]]); ok {
			scan([2]int{m[0], m[1]}, d, "base64")
		}
	}
	if strings.Contains(li.all, "%") {
		for _, m := range percentRuns(li.all) {
			seg := li.all[m[0]:m[1]]
			if m[1]-m[0] > maxSegment {
				continue
			}
			if d, err := url.QueryUnescape(seg); err == nil && d != seg {
				scan([2]int{m[0], m[1]}, d, "percent-encoding")
			}
		}
	}
	return out
}

func decodeBase64(s string) (string, bool) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return string(b), true
		}
	}
	return "", false
}

// isText reports whether decoded bytes are text worth scanning: valid
// UTF-8, almost all printable (an image or a hash decodes to noise).
func isText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	bad := 0
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' || r == 0x7f || r == utf8.RuneError {
			bad++
		}
	}
	return bad*50 <= len(s)
}
