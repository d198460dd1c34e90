// Package prose words messages for people: plurals, "a, b or c" lists,
// small numbers spelt out, and lines wrapped at word boundaries.
package prose

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Plural is "1 problem", "2 problems".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Count spells small numbers: "no", "one" … "four", then digits.
func Count(n int) string {
	if n >= 0 && n < 5 {
		return []string{"no", "one", "two", "three", "four"}[n]
	}
	return fmt.Sprint(n)
}

// OneLine is s on one line: its lines joined with "; ", runs of white
// space as one space (an error or a reviewer's text in a one-line message).
func OneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(strings.TrimSpace(s), "\n", "; ")), " ")
}

// FirstN is the first n items of list, then "and M more" when it is longer.
func FirstN(list []string, n int) []string {
	if len(list) <= n {
		return list
	}
	return append(append([]string(nil), list[:n]...), fmt.Sprintf("and %d more", len(list)-n))
}

// OrList is "a, b or c".
func OrList(s []string) string {
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// Wrap breaks lines longer than width at a space (never inside a word),
// indenting continuations two columns past the line's own indent. Table
// rows (several runs of aligning spaces) are left whole; width 0 or less
// leaves the text as it is.
func Wrap(text string, width int) string {
	if width <= 0 {
		return text
	}
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		body := strings.TrimLeft(line, " ")
		indent := line[:len(line)-len(body)]
		if utf8.RuneCountInString(line) <= width || strings.Count(body, "  ") >= 2 {
			continue
		}
		lines[i] = wrapLine(body, indent, width)
	}
	return strings.Join(lines, "\n")
}

// wrapLine breaks one line's body, its first part after indent and the
// others after indent plus two spaces.
func wrapLine(body, indent string, width int) string {
	cont := indent + "  "
	var out []string
	cur, pre := body, indent
	for utf8.RuneCountInString(pre+cur) > width {
		r := []rune(cur)
		limit := width - utf8.RuneCountInString(pre)
		cut := -1
		for k := min(limit, len(r)-1); k > 0; k-- {
			if r[k] == ' ' {
				cut = k
				break
			}
		}
		if cut < 0 { // one long word: it stays whole, broken after it
			for k := limit; k < len(r); k++ {
				if r[k] == ' ' {
					cut = k
					break
				}
			}
			if cut < 0 {
				break
			}
		}
		out = append(out, pre+strings.TrimRight(string(r[:cut]), " "))
		cur, pre = strings.TrimLeft(string(r[cut:]), " "), cont
	}
	return strings.Join(append(out, pre+cur), "\n")
}
