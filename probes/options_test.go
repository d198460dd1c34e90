package probes

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/selfassess/selfassess/internal/input"
)

func noEnv(string) string { return "" }

// wantProblem checks that err is the user's fault (exit 2) with this message.
func wantProblem(t *testing.T, name string, err error, want string) {
	t.Helper()
	var p *input.Problem
	if !errors.As(err, &p) {
		t.Errorf("%s: %v is not an *input.Problem", name, err)
		return
	}
	if err.Error() != want {
		t.Errorf("%s: %q, want %q", name, err.Error(), want)
	}
}

func TestDefaultOptionsPass(t *testing.T) {
	d := DefaultOptions()
	cfg, err := d.Config(noEnv)
	if err != nil {
		t.Fatal(err)
	}
	def := Config{}.Defaults()
	if cfg.Timeout != def.Timeout || cfg.Concurrency != def.Concurrency || cfg.MaxBody != def.MaxBody || cfg.History != DefaultHistory {
		t.Errorf("defaults differ from Config.Defaults: %+v", cfg)
	}
}

// Every bound, just inside and just outside, with the flag named.
func TestOptionsRanges(t *testing.T) {
	for _, c := range []struct {
		name string
		set  func(*Options)
		want string // "" = accepted
	}{
		{"timeout 0", func(o *Options) { o.Timeout = 0 }, "--timeout must be positive, got 0s"},
		{"timeout 1ns", func(o *Options) { o.Timeout = 1 }, ""},
		{"concurrency 0", func(o *Options) { o.Concurrency = 0 }, "--concurrency must be between 1 and 256, got 0"},
		{"concurrency 256", func(o *Options) { o.Concurrency = 256 }, ""},
		{"concurrency 257", func(o *Options) { o.Concurrency = 257 }, "--concurrency must be between 1 and 256, got 257"},
		{"per-host 65", func(o *Options) { o.PerHost = 65 }, "--per-host must be between 1 and 64, got 65"},
		{"per-host 0", func(o *Options) { o.PerHost = 0 }, "--per-host must be between 1 and 64, got 0"},
		{"burst 200", func(o *Options) { o.Burst = 200 }, ""},
		{"burst 201", func(o *Options) { o.Burst = 201 }, "--burst must be between 0 and 200, got 201"},
		{"burst -1", func(o *Options) { o.Burst = -1 }, "--burst must be between 0 and 200, got -1"},
		{"max-body 1023", func(o *Options) { o.MaxBody = 1023 }, "--max-body must be at least 1024 bytes, got 1023"},
		{"max-body 1024", func(o *Options) { o.MaxBody = 1024 }, ""},
		{"rate-limit 1m", func(o *Options) { o.RateLimit = time.Minute }, ""},
		{"rate-limit 61s", func(o *Options) { o.RateLimit = 61 * time.Second }, "--rate-limit must be between 0s and 1m, got 1m1s"},
		{"rate-limit -1s", func(o *Options) { o.RateLimit = -time.Second }, "--rate-limit must be between 0s and 1m, got -1s"},
		{"budget 0", func(o *Options) { o.Budget = 0 }, "--budget must be between 1 and 100000, got 0"},
		{"budget 100001", func(o *Options) { o.Budget = 100001 }, "--budget must be between 1 and 100000, got 100001"},
		{"max-scripts 1001", func(o *Options) { o.MaxScripts = 1001 }, "--max-scripts must be between 1 and 1000, got 1001"},
		{"max-scripts 0", func(o *Options) { o.MaxScripts = 0 }, "--max-scripts must be between 1 and 1000, got 0"},
		{"max-js-bytes 1023", func(o *Options) { o.MaxJSBytes = 1023 }, "--max-js-bytes must be at least 1024 bytes, got 1023"},
		{"history -1", func(o *Options) { o.History = -1 }, "--history must be between 0 (no history scan) and 100000 commits, got -1"},
		{"history max", func(o *Options) { o.History = MaxHistory }, ""},
		{"history max+1", func(o *Options) { o.History = MaxHistory + 1 }, "--history must be between 0 (no history scan) and 100000 commits, got 100001"},
		{"only typo", func(o *Options) { o.Only = []string{"tls.*", "http.cookie"} }, `--only "http.cookie" matches no probe`},
		{"only list", func(o *Options) { o.Only = []string{"tls.*, http.cookies"} }, ""},
	} {
		o := DefaultOptions()
		c.set(&o)
		_, err := o.Config(noEnv)
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		wantProblem(t, c.name, err, c.want)
	}
}

func TestOptionsHistoryZeroTurnsTheScanOff(t *testing.T) {
	o := DefaultOptions()
	o.History = 0
	cfg, err := o.Config(noEnv)
	if err != nil || cfg.History >= 0 {
		t.Errorf("history 0: Config.History = %d, %v; want negative (off)", cfg.History, err)
	}
}

func TestOptionsCAFile(t *testing.T) {
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, newCA(t, "Options CA").CertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	o := DefaultOptions()
	o.CAFile = ca
	cfg, err := o.Config(noEnv)
	if err != nil || cfg.Trust == nil || cfg.CAFile != ca {
		t.Fatalf("a PEM CA: trust %v, %v", cfg.Trust, err)
	}
	notPEM := filepath.Join(dir, "x.pem")
	os.WriteFile(notPEM, []byte("hello"), 0o644)
	o.CAFile = notPEM
	_, err = o.Config(noEnv)
	wantProblem(t, "not PEM", err, "--ca-file "+notPEM+": no certificates found")
	o.CAFile = filepath.Join(dir, "nope.pem")
	_, err = o.Config(noEnv)
	var p *input.Problem
	if !errors.As(err, &p) || !strings.HasPrefix(err.Error(), "--ca-file: ") {
		t.Errorf("missing file: %v", err)
	}
}

func TestHeadersFromEnvNeverShowsTheValue(t *testing.T) {
	env := map[string]string{
		"GOOD": "Authorization: Bearer s3cr3t-token-value\n\nX-Tenant:  acme ",
		"BAD":  "Bearer s3cr3t-token-value",
		"BADK": "X Api: s3cr3t-token-value",
	}
	getenv := func(k string) string { return env[k] }
	h, err := HeadersFromEnv([]string{"GOOD"}, getenv)
	if err != nil || h.Get("Authorization") != "Bearer s3cr3t-token-value" || h.Get("X-Tenant") != "acme" || len(h) != 2 {
		t.Errorf("GOOD: %v, %v", h, err)
	}
	if h, err := HeadersFromEnv(nil, getenv); h != nil || err != nil {
		t.Errorf("none: %v, %v", h, err)
	}
	for name, want := range map[string]string{
		"BAD":   "--header-env BAD: not a header line",
		"BADK":  "--header-env BADK: not a header line",
		"UNSET": "--header-env UNSET: the environment variable is empty or unset",
	} {
		_, err := HeadersFromEnv([]string{name}, getenv)
		wantProblem(t, name, err, want)
		var p *input.Problem
		if errors.As(err, &p) && strings.Contains(err.Error()+p.Hint, "s3cr3t") {
			t.Errorf("%s: the error shows the secret value: %v (%s)", name, err, p.Hint)
		}
	}
	// through Config too
	o := DefaultOptions()
	o.HeaderEnv = []string{"GOOD"}
	if cfg, err := o.Config(getenv); err != nil || cfg.Headers.Get("X-Tenant") != "acme" {
		t.Errorf("Config headers: %v, %v", cfg.Headers, err)
	}
}

func TestOptionsTargets(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "app")
	os.Mkdir(src, 0o755)
	file := filepath.Join(dir, "f.txt")
	os.WriteFile(file, nil, 0o644)

	o := Options{Source: src, WebhookURL: "https://h.example/hook"}
	ts, err := o.Targets(ctx, []string{"https://a.example", "http://b.example:8080/x"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 4 || ts[0].Kind != KindURL || ts[1].Kind != KindURL || ts[2].Kind != KindSource || ts[3].Kind != KindWebhook {
		t.Fatalf("targets %+v", ts)
	}
	// the tree keeps its path for the probes, and is shown by its name
	if ts[2].Value != src || DisplayTarget(ts[2]) != "source folder app (not a git checkout)" {
		t.Errorf("source target %+v shown as %q", ts[2], DisplayTarget(ts[2]))
	}
	if none, err := (Options{}).Targets(ctx, nil); err != nil || len(none) != 0 {
		t.Errorf("no targets: %v, %v", none, err)
	}

	const sourceHint = "give the folder of the integration's source code (a checkout), e.g. --source ."
	for _, c := range []struct {
		name string
		o    Options
		urls []string
		want string
		hint string
	}{
		{"ftp", Options{}, []string{"ftp://x.example"}, `target "ftp://x.example": scheme must be https or http`, "targets look like https://app.example.com"},
		{"no host", Options{}, []string{"https://"}, `target "https:": no host`, "targets look like https://app.example.com"},
		{"credentials", Options{}, []string{"https://u:hunter22@x.example/"}, `target "https://x.example/": credentials in URLs are not accepted; use --header-env`, "targets look like https://app.example.com"},
		{"source missing", Options{Source: filepath.Join(dir, "nope")}, nil, "--source " + filepath.Join(dir, "nope") + ": no such folder", sourceHint},
		{"source file", Options{Source: file}, nil, "--source " + file + ": is a file, not a folder", sourceHint},
		{"webhook", Options{WebhookURL: "mailto:x@example.com"}, nil, `--webhook-url "mailto:x@example.com": scheme must be https or http`, ""},
	} {
		_, err := c.o.Targets(ctx, c.urls)
		wantProblem(t, c.name, err, c.want)
		var p *input.Problem
		if errors.As(err, &p) && p.Hint != c.hint {
			t.Errorf("%s: hint %q, want %q", c.name, p.Hint, c.hint)
		}
		if err != nil && strings.Contains(err.Error(), "hunter22") {
			t.Errorf("%s: the password shows: %v", c.name, err)
		}
	}
}
