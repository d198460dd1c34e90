package httpprobe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzPageParsers feeds arbitrary server bytes to everything that parses
// them: script extraction, leak scanning with quoting, CSP, HSTS and
// security.txt. None may panic; quotes stay short, valid UTF-8.
//
//	go test -run '^$' -fuzz FuzzPageParsers -fuzztime 1m ./probes/httpprobe/
func FuzzPageParsers(f *testing.F) {
	for _, seed := range []string{
		flawedPage, goodPage, leakyJS,
		"Traceback (most recent call last):\n  File \"/var/www/a.py\", line 1\n",
		"\xff\xfe<script src=\"\x00\">\n10.0.0.1 /home/x/ é€",
		"<script>", "</script>", "<!--", "Contact: x\nExpires: 2030-01-01T00:00:00Z\n-----BEGIN PGP SIGNED MESSAGE-----",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		extractScripts(body)
		for _, fd := range scanLeaks(body, []string{"secretvalue"}) {
			if !utf8.ValidString(fd.Evidence) || len(fd.Evidence) > 400 {
				t.Fatalf("bad quote %q", fd.Evidence)
			}
		}
		parseCSP(string(body))
		parseHSTS(string(body))
		st := &securityTxt{}
		parseSecurityTxt(body, st)
		if strings.Contains(scrub(string(body), []string{"secretvalue"}), "secretvalue") {
			t.Fatalf("secret survived scrubbing")
		}
	})
}
