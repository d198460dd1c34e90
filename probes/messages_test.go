package probes

import "testing"

func TestPlainHTTPWarnings(t *testing.T) {
	got := PlainHTTPWarnings([]Target{
		{Kind: KindURL, Value: "https://ok.example/"},
		{Kind: KindURL, Value: "http://shop.example:8080/pay?token=abcdefgh12345"},
		{Kind: KindWebhook, Value: "http://hook.example/"}, // webhooks have no TLS probes
		{Kind: KindSource, Value: "http-src"},
	})
	token := Redact("abcdefgh12345") // the URL's credentials never show
	want := "http://shop.example:8080/pay?token=" + token + " is plain http://: the TLS checks are skipped and the controls they verify will be not tested; did you mean https://shop.example:8080/pay?token=" + token + "?"
	if len(got) != 1 || got[0] != want {
		t.Errorf("warnings %q, want [%q]", got, want)
	}
}

func TestPrivateCAHint(t *testing.T) {
	untrusted := []Result{
		{ID: "tls.versions", Target: "https://a.example/", Status: Pass},
		{ID: "tls.certificate", Target: "https://b.example/", Status: Fail, Findings: []Finding{{Status: Fail, Message: "x509: certificate signed by unknown authority"}}},
	}
	if h := PrivateCAHint(untrusted, ""); h != "https://b.example/: the certificate is not trusted here; if the target uses a private CA, pass --ca-file CA.pem (or ca_file: in selfassess.yaml)" {
		t.Errorf("hint %q", h)
	}
	if h := PrivateCAHint(untrusted, "ca.pem"); h != "" {
		t.Errorf("with --ca-file: %q", h)
	}
	if h := PrivateCAHint([]Result{{Target: "x", Summary: "certificate not trusted"}}, ""); h == "" {
		t.Error("a summary saying 'not trusted' gives the hint")
	}
	if h := PrivateCAHint(untrusted[:1], ""); h != "" {
		t.Errorf("trusted: %q", h)
	}
}

func TestProgressLineShowsTheWorstStatusQuoted(t *testing.T) {
	e := Event{Target: "src\x1b]0;x\a", Family: "source", Done: true, Results: []Result{{Status: Pass}, {Status: Error}, {Status: Warn}}}
	if got := ProgressLine(e); got != `probed "src\x1b]0;x\a": source checks error` {
		t.Errorf("ProgressLine = %q", got)
	}
	if got := ProgressLine(Event{Target: "https://a.example/", Family: "tls", Done: true}); got != "probed https://a.example/: tls checks skipped" {
		t.Errorf("no results: %q", got)
	}
}

func TestAnyFailed(t *testing.T) {
	for _, c := range []struct {
		statuses []Status
		want     bool
	}{
		{nil, false},
		{[]Status{Pass, Warn, Info, Skipped}, false},
		{[]Status{Pass, Fail}, true},
		{[]Status{Error, Pass}, true},
	} {
		var rs []Result
		for _, s := range c.statuses {
			rs = append(rs, Result{Status: s})
		}
		if got := AnyFailed(rs); got != c.want {
			t.Errorf("AnyFailed(%v) = %v", c.statuses, got)
		}
	}
}
