package probes

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestRedactTarget: the one function every writer of a target uses; a
// query token never shows, a directory is left alone (issue 10.3).
func TestRedactTarget(t *testing.T) {
	token := "Query" + "S3cretK3y123"
	for _, c := range []struct{ in, want string }{
		{"https://host/?api_key=" + token + "&x=1", "https://host/?api_key=" + Redact(token) + "&x=1"},
		{"https://host/path", "https://host/path"},
		{"./src", "./src"},
		{"http://u:p4ssw0rd@host/", "http://host/"},
	} {
		if got := RedactTarget(c.in); got != c.want {
			t.Errorf("RedactTarget(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

type echoObserved struct {
	Headers map[string]string `json:"headers"`
	Nested  []struct {
		Value string `json:"value"`
	} `json:"nested"`
}

// TestRunRedactsUserSecretsEverywhere: a credential the user gave (a
// --header-env value, a cookie in it, a target's query token) that a
// target echoes back is redacted in every field of every result, whatever
// the probe, before results or progress events leave the runner (10.4).
func TestRunRedactsUserSecretsEverywhere(t *testing.T) {
	bearer := "HdrS3cret" + "Tok3nABCDEF123"
	cookie := "c00k1eV4l" + "ueZq8Wm2Kx9"
	query := "Query" + "S3cretK3y123"
	echo := func(tg Target, ids []string) []Result {
		o := echoObserved{Headers: map[string]string{"Server": "hostile/1.2.3 Bearer " + bearer}}
		o.Nested = append(o.Nested, struct {
			Value string `json:"value"`
		}{"sid=" + cookie + " key=" + query})
		return []Result{{ID: ids[0], Status: Fail, Summary: "echo " + bearer, Observed: o,
			Findings: []Finding{{Status: Fail, Rule: "echo", Message: "saw " + cookie, Evidence: "Server: hostile/1.2.3 Bearer " + bearer, Location: "x?k=" + query}}}}
	}
	fams := []Family{fakeFamily{name: "http", ids: []string{"http.banners"}, kind: KindURL, run: echo}}
	var events []Event
	cfg := Config{
		Headers:  http.Header{"Authorization": {"Bearer " + bearer}, "Cookie": {"theme=dark; sid=" + cookie}},
		Progress: func(e Event) { events = append(events, e) },
	}
	rs := Run(context.Background(), fams, []Target{{Kind: KindURL, Value: "https://host/?api_key=" + query + "&x=1"}}, cfg)
	out, err := json.Marshal(struct {
		R []Result
		E []Event
	}{rs, events})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{bearer, cookie, query} {
		if strings.Contains(string(out), s) {
			t.Errorf("%s left in clear: %s", s, out)
		}
	}
	if !strings.Contains(string(out), "hostile/1.2.3") || !strings.Contains(string(out), "***") {
		t.Errorf("redaction lost the text around the secret: %s", out)
	}
	// observed keeps its shape (the JSON of a redacted copy)
	var back []map[string]any
	b, _ := json.Marshal(rs)
	_ = json.Unmarshal(b, &back)
	if _, ok := back[0]["observed"].(map[string]any)["headers"].(map[string]any)["Server"]; !ok {
		t.Errorf("observed lost its fields: %s", b)
	}
}
