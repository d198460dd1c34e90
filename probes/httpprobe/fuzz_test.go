package httpprobe

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzPageParsers feeds arbitrary server bytes to everything that parses
// them: script extraction, leak scanning with quoting, CSP (headers and
// <meta>), HSTS, the other security headers, SRI subresources and
// security.txt. None may panic; quotes stay short, valid UTF-8.
//
//	go test -run '^$' -fuzz FuzzPageParsers -fuzztime 1m ./probes/httpprobe/
func FuzzPageParsers(f *testing.F) {
	for _, seed := range []string{
		flawedPage, goodPage, leakyJS,
		"Traceback (most recent call last):\n  File \"/var/www/a.py\", line 1\n",
		"\xff\xfe<script src=\"\x00\">\n10.0.0.1 /home/x/ é€",
		"<script>", "</script>", "<!--",
		`<head><meta http-equiv="Content-Security-Policy" content="default-src 'self'"><link rel=stylesheet href=//x/a.css integrity="sha384-AAAA md5-x"></head>`,
		"max-age=1; includeSubDomains, max-age=\"2\"", "Contact: x\nExpires: 2030-01-01T00:00:00Z\n-----BEGIN PGP SIGNED MESSAGE-----",
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
		if h := parseHSTS(string(body)); h.Valid && h.MaxAge < 0 {
			t.Fatalf("valid HSTS without max-age: %+v", h)
		}
		// the page as a response: meta CSP, subresources (js.sri), every header reading
		u, _ := url.Parse("https://example.com/")
		r := &response{URL: u, StatusCode: 200, Body: body, Header: http.Header{"Content-Type": {"text/html"},
			"Content-Security-Policy": {string(body)}, "X-Frame-Options": {string(body)}, "Referrer-Policy": {string(body)}}}
		probeHeaders(r, []*response{r}, nil, 0)
		probeSRI(r, nil, 0)
		st := &securityTxt{}
		parseSecurityTxt(body, st)
		if strings.Contains(scrub(string(body), []string{"secretvalue"}), "secretvalue") {
			t.Fatalf("secret survived scrubbing")
		}
	})
}
