package codescan

// Encoded secrets: gitleaks decodes base64 and percent-encoding (to depth
// 5) and scans what it finds; so does selfassess, bounded in depth and size.

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/selfassess/selfassess/internal/lazyre"
)

const (
	// maxDecodeDepth bounds decoding of decoded text (base64 of base64…).
	maxDecodeDepth = 3
	// maxDecoded bounds the decoded bytes scanned per file, and
	// maxSegment one encoded run.
	maxDecoded = 1 << 20
	maxSegment = 256 << 10
)

var (
	base64Re  = lazyre.New(`[A-Za-z0-9+/_-]{24,}={0,2}`)
	percentRe = lazyre.New(`[^\s"'<>` + "`" + `]*%[0-9A-Fa-f]{2}[^\s"'<>` + "`" + `]*`)
)

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
	for _, m := range base64Re().FindAllStringIndex(li.all, -1) {
		if m[1]-m[0] > maxSegment {
			continue
		}
		if d, ok := decodeBase64(li.all[m[0]:m[1]]); ok {
			scan([2]int{m[0], m[1]}, d, "base64")
		}
	}
	if strings.Contains(li.all, "%") {
		for _, m := range percentRe().FindAllStringIndex(li.all, -1) {
			seg := li.all[m[0]:m[1]]
			if m[1]-m[0] > maxSegment || strings.Count(seg, "%") < 3 {
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
