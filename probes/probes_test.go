package probes

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeFamily is a stand-in family: the runner's behaviour (ordering,
// concurrency bound, panic and omission recovery) is what is under test.
type fakeFamily struct {
	name     string
	ids      []string
	kind     TargetKind
	run      func(t Target, ids []string) []Result
	inFlight *atomic.Int32
	maxSeen  *atomic.Int32
	// overlap: each run waits (up to a second) until this many are in
	// flight, so a runner that allows them reaches the bound for sure.
	overlap int32
}

func (f fakeFamily) Name() string          { return f.name }
func (f fakeFamily) IDs() []string         { return f.ids }
func (f fakeFamily) Applies(t Target) bool { return t.Kind == f.kind }
func (f fakeFamily) Run(ctx context.Context, t Target, ids []string, cfg Config) []Result {
	if f.inFlight != nil {
		n := f.inFlight.Add(1)
		defer f.inFlight.Add(-1)
		for {
			m := f.maxSeen.Load()
			if n <= m || f.maxSeen.CompareAndSwap(m, n) {
				break
			}
		}
		for deadline := time.Now().Add(time.Second); f.inFlight.Load() < f.overlap && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(5 * time.Millisecond) // overlap with siblings if the bound allowed it
	}
	return f.run(t, ids)
}

func passAll(t Target, ids []string) []Result {
	var rs []Result
	for i := len(ids) - 1; i >= 0; i-- { // reversed on purpose: the runner orders
		rs = append(rs, Result{ID: ids[i], Target: t.Value, Status: Pass})
	}
	return rs
}

func TestRunOrdersByTargetThenCatalogue(t *testing.T) {
	fams := []Family{
		fakeFamily{name: "http", ids: []string{"http.hsts", "http.redirect"}, kind: KindURL, run: passAll},
		fakeFamily{name: "tls", ids: []string{"tls.certificate", "tls.versions"}, kind: KindURL, run: passAll},
		fakeFamily{name: "source", ids: []string{"source.secrets"}, kind: KindSource, run: passAll},
	}
	targets := []Target{{Kind: KindURL, Value: "https://b.example"}, {Kind: KindSource, Value: "."}, {Kind: KindURL, Value: "https://a.example"}}
	rs := Run(context.Background(), fams, targets, Config{})
	var got []string
	for _, r := range rs {
		got = append(got, r.Target+" "+r.ID)
	}
	want := []string{
		"https://b.example tls.versions", "https://b.example tls.certificate", "https://b.example http.redirect", "https://b.example http.hsts",
		". source.secrets",
		"https://a.example tls.versions", "https://a.example tls.certificate", "https://a.example http.redirect", "https://a.example http.hsts",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("order:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestRunOnlySelectsAndSkipsIdleFamilies(t *testing.T) {
	called := atomic.Int32{}
	fams := []Family{
		fakeFamily{name: "tls", ids: []string{"tls.versions", "tls.ciphers"}, kind: KindURL, run: func(t Target, ids []string) []Result {
			called.Add(1)
			return passAll(t, ids)
		}},
		fakeFamily{name: "http", ids: []string{"http.hsts"}, kind: KindURL, run: func(t Target, ids []string) []Result {
			panic("http family must not run when --only selects none of its ids")
		}},
	}
	rs := Run(context.Background(), fams, []Target{{Kind: KindURL, Value: "https://x.example"}}, Config{Only: []string{"tls.ver*"}})
	if len(rs) != 1 || rs[0].ID != "tls.versions" || called.Load() != 1 {
		t.Fatalf("got %+v (tls family called %d times)", rs, called.Load())
	}
}

func TestRunTurnsPanicsAndMissingResultsIntoErrors(t *testing.T) {
	fams := []Family{
		fakeFamily{name: "tls", ids: []string{"tls.versions", "tls.ciphers"}, kind: KindURL, run: func(t Target, ids []string) []Result {
			return []Result{{ID: "tls.versions", Status: Pass}} // forgets tls.ciphers and the target
		}},
		fakeFamily{name: "http", ids: []string{"http.hsts"}, kind: KindURL, run: func(Target, []string) []Result {
			panic("boom")
		}},
	}
	rs := Run(context.Background(), fams, []Target{{Kind: KindURL, Value: "https://x.example"}}, Config{})
	byID := map[string]Result{}
	for _, r := range rs {
		byID[r.ID] = r
	}
	if r := byID["tls.versions"]; r.Status != Pass || r.Target != "https://x.example" {
		t.Errorf("tls.versions = %+v, want pass with the target filled in", r)
	}
	if r := byID["tls.ciphers"]; r.Status != Error || !strings.Contains(r.Summary, "no result") {
		t.Errorf("tls.ciphers = %+v, want an error result", r)
	}
	if r := byID["http.hsts"]; r.Status != Error || !strings.Contains(r.Summary, "boom") {
		t.Errorf("http.hsts = %+v, want an error result naming the panic", r)
	}
}

func TestRunBoundsConcurrency(t *testing.T) {
	var inFlight, maxSeen atomic.Int32
	fams := []Family{fakeFamily{name: "tls", ids: []string{"tls.versions"}, kind: KindURL, run: passAll, inFlight: &inFlight, maxSeen: &maxSeen, overlap: 3}}
	var targets []Target
	for i := 0; i < 12; i++ {
		targets = append(targets, Target{Kind: KindURL, Value: "https://h" + strings.Repeat("x", i) + ".example"})
	}
	rs := Run(context.Background(), fams, targets, Config{Concurrency: 3})
	if len(rs) != 12 {
		t.Fatalf("%d results, want 12", len(rs))
	}
	// the bound is kept and reached: a runner that ran one job at a time
	// (or ignored the bound) fails here
	if m := maxSeen.Load(); m != 3 {
		t.Fatalf("max in flight %d, want 3 (Concurrency)", m)
	}
}

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		patterns []string
		id       string
		want     bool
	}{
		{nil, "tls.versions", true},
		{[]string{"tls.*"}, "tls.versions", true},
		{[]string{"tls.*"}, "http.hsts", false},
		{[]string{"http.cookies,tls.*"}, "http.cookies", true},
		{[]string{" http.hsts "}, "http.hsts", true},
		{[]string{"http.error-leak"}, "http.error-leak", true},
		{[]string{"js"}, "js.secrets", false},
	} {
		if got := Match(c.patterns, c.id); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.patterns, c.id, got, c.want)
		}
	}
}

func TestCatalogueIDsAreUniqueAndNamespaced(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range Catalogue {
		if seen[d.ID] {
			t.Errorf("duplicate probe id %s", d.ID)
		}
		seen[d.ID] = true
		if !strings.HasPrefix(d.ID, d.Family+".") {
			t.Errorf("%s is not in its family namespace %q", d.ID, d.Family)
		}
		if d.Title == "" || d.Checks == "" {
			t.Errorf("%s lacks a title or description", d.ID)
		}
	}
	if !Known("tls.versions") || Known("tls.nope") {
		t.Error("Known disagrees with the catalogue")
	}
}

func TestRedact(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		// keys joined from pieces: secret scanners (ours included) skip this file
		{"fk_" + "user_Hy8s9dQ2kLm3nP4", "fk_user***"},
		{"fk_" + "user_Hy8s9dQ2kLm3nP4xYz7wV6uT5", "fk_user_Hy***"},
		{"short", "***"},
		{"", ""},
		{"a" + strings.Repeat("é", 9), "aéé***"}, // 19 bytes: a cut at byte 6 would split a rune
	} {
		if got := Redact(c.in); got != c.want {
			t.Errorf("Redact(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	secret := "Bearer sk_" + "live_0123456789abcdef"
	out := RedactIn("Authorization: "+secret+" was sent", secret)
	if strings.Contains(out, "0123456789abcdef") || !strings.Contains(out, "***") {
		t.Errorf("RedactIn left the secret: %q", out)
	}
}

// TestRunNamesTargetsWithoutSecrets: a token in a target's query string
// (webhook URLs carry them) never reaches results or progress events.
func TestRunNamesTargetsWithoutSecrets(t *testing.T) {
	token := "wh" + "tok_Zq8Wm2Kx9Lp4Rt7Yv1"
	fams := []Family{
		fakeFamily{name: "http", ids: []string{"http.hsts"}, kind: KindURL, run: passAll},
		fakeFamily{name: "webhook", ids: []string{"webhook.signature"}, kind: KindWebhook, run: func(Target, []string) []Result { return nil }},
		fakeFamily{name: "source", ids: []string{"source.secrets"}, kind: KindSource, run: passAll},
	}
	targets := []Target{{Kind: KindURL, Value: "https://a.example/?access_token=" + token + "&page=2"}, {Kind: KindWebhook, Value: "https://h.example/hook?token=" + token}, {Kind: KindSource, Value: "./src"}}
	var mu sync.Mutex
	var events []string
	rs := Run(context.Background(), fams, targets, Config{Progress: func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e.Target)
	}})
	var got []string
	for _, r := range rs {
		got = append(got, r.Target)
	}
	want := []string{"https://a.example/?access_token=" + Redact(token) + "&page=2", "https://h.example/hook?token=" + Redact(token), "./src"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("targets %q, want %q", got, want)
	}
	if all := strings.Join(events, " "); strings.Contains(all, token) || len(events) != 6 {
		t.Errorf("progress events %q", events)
	}
}
