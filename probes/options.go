package probes

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/selfassess/selfassess/internal/gitref"
	"github.com/selfassess/selfassess/internal/input"
)

// MaxHistory bounds History (--history, selfassess.yaml's history:): git
// log reads that many commits at most.
const MaxHistory = 100000

// maxCAFile bounds --ca-file: a CA bundle is kilobytes (the whole system
// bundle is about 200 KiB); /dev/zero or a disk image would never end.
const maxCAFile = 4 << 20

// Options are the probe settings as the user gives them (flags, or
// selfassess.yaml), before they are checked; Config and Targets check
// them. Errors are *input.Problem naming the flag.
type Options struct {
	CAFile      string
	ClientCert  string
	ClientKey   string
	Timeout     time.Duration
	Concurrency int
	PerHost     int
	Only        []string
	// HeaderEnv names environment variables that hold "Name: value" lines.
	HeaderEnv  []string
	Burst      int
	MaxBody    int64
	RateLimit  time.Duration
	Budget     int
	MaxScripts int
	MaxJSBytes int64
	// History is the commits source.secrets reads; 0 turns the scan off.
	History    int
	Source     string
	WebhookURL string
}

// DefaultOptions are the options when the user sets none: Config's
// defaults, and the default history scan.
func DefaultOptions() Options {
	d := Config{}.Defaults()
	return Options{Timeout: d.Timeout, Concurrency: d.Concurrency, PerHost: d.PerHost, MaxBody: d.MaxBody,
		Budget: d.Budget, MaxScripts: d.MaxScripts, MaxJSBytes: d.MaxJSBytes, History: DefaultHistory}
}

// Config checks the options and turns them into a Config: the ranges,
// the --only patterns, the --ca-file certificates and the --header-env
// headers, read through getenv. The client certificate is left to the
// caller (tlsprobe.LoadClientCert).
func (o Options) Config(getenv func(string) string) (Config, error) {
	cfg := Config{Timeout: o.Timeout, Concurrency: o.Concurrency, PerHost: o.PerHost,
		Only: o.Only, Burst: o.Burst, MaxBody: o.MaxBody, CAFile: o.CAFile,
		RateLimit: o.RateLimit, Budget: o.Budget, MaxScripts: o.MaxScripts, MaxJSBytes: o.MaxJSBytes}
	if err := o.checkRanges(); err != nil {
		return cfg, err
	}
	if cfg.History = o.History; o.History == 0 {
		cfg.History = -1 // off (0 in Config is the default)
	}
	if err := checkOnly(o.Only); err != nil {
		return cfg, err
	}
	if o.CAFile != "" {
		pem, err := input.ReadFile(o.CAFile, maxCAFile)
		if err != nil {
			return cfg, input.Problemf("", "--ca-file: %v", err)
		}
		// the system roots load later, and only if a chain needs them
		trust, err := NewTrust(pem)
		if err != nil {
			return cfg, input.Problemf("the file must hold PEM \"CERTIFICATE\" blocks", "--ca-file %s: no certificates found", o.CAFile)
		}
		cfg.Trust = trust
	}
	var err error
	cfg.Headers, err = HeadersFromEnv(o.HeaderEnv, getenv)
	return cfg, err
}

// checkRanges bounds every numeric option, naming its flag.
func (o Options) checkRanges() error {
	switch {
	case o.Timeout <= 0:
		return input.Problemf("", "--timeout must be positive, got %s", o.Timeout)
	case o.Concurrency < 1 || o.Concurrency > 256:
		return input.Problemf("", "--concurrency must be between 1 and 256, got %d", o.Concurrency)
	case o.PerHost < 1 || o.PerHost > 64:
		return input.Problemf("", "--per-host must be between 1 and 64, got %d", o.PerHost)
	case o.Burst < 0 || o.Burst > 200:
		return input.Problemf("", "--burst must be between 0 and 200, got %d", o.Burst)
	case o.MaxBody < 1024:
		return input.Problemf("", "--max-body must be at least 1024 bytes, got %d", o.MaxBody)
	case o.RateLimit < 0 || o.RateLimit > time.Minute:
		return input.Problemf("", "--rate-limit must be between 0s and 1m, got %s", o.RateLimit)
	case o.Budget < 1 || o.Budget > 100000:
		return input.Problemf("", "--budget must be between 1 and 100000, got %d", o.Budget)
	case o.MaxScripts < 1 || o.MaxScripts > 1000:
		return input.Problemf("", "--max-scripts must be between 1 and 1000, got %d", o.MaxScripts)
	case o.MaxJSBytes < 1024:
		return input.Problemf("", "--max-js-bytes must be at least 1024 bytes, got %d", o.MaxJSBytes)
	case o.History < 0 || o.History > MaxHistory:
		return input.Problemf("", "--history must be between 0 (no history scan) and %d commits, got %d", MaxHistory, o.History)
	}
	return nil
}

// checkOnly refuses an --only pattern that matches no probe id: a typo
// would otherwise run nothing and look like a pass.
func checkOnly(patterns []string) error {
	for _, p := range patterns {
		for _, part := range strings.Split(p, ",") {
			if part = strings.TrimSpace(part); part != "" && !matchesAny(part) {
				return input.Problemf("run 'selfassess probe --list' to see the probe ids", "--only %q matches no probe", part)
			}
		}
	}
	return nil
}

func matchesAny(pattern string) bool {
	for _, d := range Catalogue {
		if Match([]string{pattern}, d.ID) {
			return true
		}
	}
	return false
}

// HeadersFromEnv reads --header-env: each variable holds "Name: value"
// lines. The values are secrets: no error shows them.
func HeadersFromEnv(names []string, getenv func(string) string) (http.Header, error) {
	if len(names) == 0 {
		return nil, nil
	}
	h := http.Header{}
	for _, name := range names {
		v := getenv(name)
		if v == "" {
			return nil, input.Problemf("set it to a header line such as \"Authorization: Bearer …\"", "--header-env %s: the environment variable is empty or unset", name)
		}
		for _, line := range strings.Split(v, "\n") {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			k, val, ok := strings.Cut(line, ":")
			k = strings.TrimSpace(k)
			if !ok || k == "" || strings.ContainsAny(k, " \t") {
				// never echo the value: it is a secret
				return nil, input.Problemf("the format is \"Name: value\", one header per line", "--header-env %s: not a header line", name)
			}
			h.Add(k, strings.TrimSpace(val))
		}
	}
	return h, nil
}

// Targets checks the URL arguments and adds the source and webhook
// targets. The source tree is named by its repository and folder (never
// its local path, nor its commit, which changes every review round).
func (o Options) Targets(ctx context.Context, urls []string) ([]Target, error) {
	var ts []Target
	for _, raw := range urls {
		if err := CheckURL(raw); err != nil {
			return nil, input.Problemf("targets look like https://app.example.com", "target %q: %v", shownURL(raw), err)
		}
		ts = append(ts, Target{Kind: KindURL, Value: raw})
	}
	if o.Source != "" {
		if err := checkSource(o.Source); err != nil {
			return nil, err
		}
		ts = append(ts, Target{Kind: KindSource, Value: o.Source, Name: gitref.Name(ctx, o.Source)})
	}
	if o.WebhookURL != "" {
		if err := CheckURL(o.WebhookURL); err != nil {
			return nil, input.Problemf("", "--webhook-url %q: %v", shownURL(o.WebhookURL), err)
		}
		ts = append(ts, Target{Kind: KindWebhook, Value: o.WebhookURL})
	}
	return ts, nil
}

// checkSource wants --source to be a folder that exists.
func checkSource(dir string) error {
	const hint = "give the folder of the integration's source code (a checkout), e.g. --source ."
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return input.Problemf(hint, "--source %s: no such folder", dir)
	case err != nil:
		return input.Problemf(hint, "--source: %v", input.PathErr(err))
	case !st.IsDir():
		return input.Problemf(hint, "--source %s: is a file, not a folder", dir)
	}
	return nil
}

// CheckURL accepts an http(s) URL with a host and no credentials in it
// (credentials go through --header-env, so they stay out of files).
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("not a URL")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return fmt.Errorf("scheme must be https or http")
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("no host")
	}
	if u.User != nil {
		return fmt.Errorf("credentials in URLs are not accepted; use --header-env")
	}
	return nil
}

// shownURL is raw as an error may show it: without a password or token.
func shownURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return RedactURL(u)
}
