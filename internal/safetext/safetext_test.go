package safetext

import "testing"

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"":                        "",
		"web/auth.js:2":           "web/auth.js:2",
		"données/clé.py":          "données/clé.py",
		"a b":                     "a b",
		"a\x1b]0;pwned\x07b.js":   `"a\x1b]0;pwned\ab.js"`,
		"x\x1b[2J":                `"x\x1b[2J"`,
		"ok\nresult:  OK":         `"ok\nresult:  OK"`,
		"tab\there":               `"tab\there"`,
		"\u202egnp.exe":           `"\u202egnp.exe"`, // right-to-left override
		"c1\u009b31m":             `"c1\u009b31m"`,   // the 8-bit CSI
		"invalid \xff utf-8":      `"invalid \xff utf-8"`,
		`already "quoted" \ text`: `already "quoted" \ text`,
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestLine(t *testing.T) {
	for in, want := range map[string]string{
		"Traceback:\n  File app.py":        "Traceback: File app.py",
		"a\tb\r\nc\u2028d\u0085e":          "a b c d e",
		"1 write, first at a\x1b[31m.js:2": `"1 write, first at a\x1b[31m.js:2"`,
		"bell\a\nnext":                     `"bell\a next"`,
	} {
		if got := Line(in); got != want {
			t.Errorf("Line(%q) = %s, want %s", in, got, want)
		}
	}
}
