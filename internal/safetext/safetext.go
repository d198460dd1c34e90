// Package safetext makes text that came from a target, a source tree or a
// package safe to show: on a terminal, in report.md and in the PDF.
package safetext

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Quote returns s unchanged when every rune is printable, or Go-quoted
// ("a\x1b]0;x\ab.js") when it holds anything else: escape codes, BEL,
// line breaks, tabs, bidirectional or other invisible format characters,
// invalid UTF-8.
// A file named by a stranger can then neither drive the terminal, nor
// forge a line of output, nor hide what it says.
func Quote(s string) string {
	for _, r := range s {
		// invalid UTF-8 too: a lone 0x9b is CSI to an 8-bit terminal
		if !unicode.IsPrint(r) || r == utf8.RuneError {
			return strconv.Quote(s)
		}
	}
	return s
}

// Line is Quote for prose (a summary, a message, a quoted line of a page):
// line breaks, tabs and runs of spaces fold to one space first, so a
// multi-line message stays readable on one line and only the remaining
// control characters make it quoted.
func Line(s string) string { return Quote(strings.Join(strings.Fields(s), " ")) }
