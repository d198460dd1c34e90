package cmd

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/selfassess/selfassess/internal/input"
	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/probes/tlsprobe"
	"github.com/selfassess/selfassess/project"
)

// probeFlags are the probe options shared by `probe` and `run`.
type probeFlags struct {
	CAFile      string
	ClientCert  string
	ClientKey   string
	Timeout     time.Duration
	Concurrency int
	PerHost     int
	Only        []string
	HeaderEnv   []string
	Burst       int
	MaxBody     int64
	RateLimit   time.Duration
	Budget      int
	MaxScripts  int
	MaxJSBytes  int64
	History     int
	Source      string
	WebhookURL  string
}

func (f *probeFlags) bind(fs *pflag.FlagSet) {
	fs.StringVar(&f.CAFile, "ca-file", "", "trust the CA certificates in this PEM `FILE` as well as the system roots")
	fs.StringVar(&f.ClientCert, "client-cert", "", "present the PEM client certificate in `FILE` to servers that ask for one (mutual TLS)")
	fs.StringVar(&f.ClientKey, "client-key", "", "the PEM private key for --client-cert, from a `FILE` only you can read")
	f.Timeout = 10 * time.Second
	fs.Var((*durationFlag)(&f.Timeout), "timeout", "time limit for each connection or request (with a unit: 5s, 500ms, 1m)")
	fs.IntVar(&f.Concurrency, "concurrency", 8, "targets probed at once")
	fs.IntVar(&f.PerHost, "per-host", 8, "connections at once to one host")
	fs.StringSliceVar(&f.Only, "only", nil, "run only probes matching these `PATTERNS` (e.g. tls.*,http.cookies)")
	fs.StringArrayVar(&f.HeaderEnv, "header-env", nil, "add the request header held in environment `VAR` (\"Name: value\"); repeatable")
	fs.IntVar(&f.Burst, "burst", 0, "http.rate-limit: send up to `N` requests (max 200) and expect a 429")
	fs.Int64Var(&f.MaxBody, "max-body", 2<<20, "bytes read from one HTTP response body")
	fs.DurationVar(&f.RateLimit, "rate-limit", 0, "minimum gap between two requests to one host")
	fs.IntVar(&f.Budget, "budget", 300, "HTTP requests to one host per run, at most")
	fs.IntVar(&f.History, "history", probes.DefaultHistory, "source.secrets: also scan the newest `N` commits of the checked-out branch (0: none)")
	fs.IntVar(&f.MaxScripts, "max-scripts", 20, "same-origin scripts fetched per page")
	fs.Int64Var(&f.MaxJSBytes, "max-js-bytes", 8<<20, "script bytes fetched per target")
	fs.StringVar(&f.Source, "source", "", "also scan the source tree in `DIR`")
	fs.StringVar(&f.WebhookURL, "webhook-url", "", "check that the webhook endpoint at `URL` rejects unsigned events")
}

// fromConfig takes selfassess.yaml's probe settings for the flags not given.
func (f *probeFlags) fromConfig(cfg *projectConfig, changed func(string) bool) {
	if !changed("source") && cfg.Source != "" {
		f.Source = cfg.Source
	}
	if !changed("webhook-url") && cfg.WebhookURL != "" {
		f.WebhookURL = cfg.WebhookURL
	}
	if !changed("history") && cfg.History != nil {
		f.History = *cfg.History
	}
	if !changed("ca-file") && cfg.CAFile != "" {
		f.CAFile = cfg.CAFile
	}
}

// config turns the flags into a probes.Config, reading secrets from the environment.
func (f *probeFlags) config(ios *IOStreams) (probes.Config, error) {
	cfg := probes.Config{Timeout: f.Timeout, Concurrency: f.Concurrency, PerHost: f.PerHost,
		Only: f.Only, Burst: f.Burst, MaxBody: f.MaxBody, CAFile: f.CAFile,
		RateLimit: f.RateLimit, Budget: f.Budget, MaxScripts: f.MaxScripts, MaxJSBytes: f.MaxJSBytes}
	if f.Timeout <= 0 {
		return cfg, usageErr("", "--timeout must be positive, got %s", f.Timeout)
	}
	if f.Concurrency < 1 || f.Concurrency > 256 {
		return cfg, usageErr("", "--concurrency must be between 1 and 256, got %d", f.Concurrency)
	}
	if f.PerHost < 1 || f.PerHost > 64 {
		return cfg, usageErr("", "--per-host must be between 1 and 64, got %d", f.PerHost)
	}
	if f.Burst < 0 || f.Burst > 200 {
		return cfg, usageErr("", "--burst must be between 0 and 200, got %d", f.Burst)
	}
	if f.MaxBody < 1024 {
		return cfg, usageErr("", "--max-body must be at least 1024 bytes, got %d", f.MaxBody)
	}
	if f.RateLimit < 0 || f.RateLimit > time.Minute {
		return cfg, usageErr("", "--rate-limit must be between 0s and 1m, got %s", f.RateLimit)
	}
	if f.Budget < 1 || f.Budget > 100000 {
		return cfg, usageErr("", "--budget must be between 1 and 100000, got %d", f.Budget)
	}
	if f.MaxScripts < 1 || f.MaxScripts > 1000 {
		return cfg, usageErr("", "--max-scripts must be between 1 and 1000, got %d", f.MaxScripts)
	}
	if f.MaxJSBytes < 1024 {
		return cfg, usageErr("", "--max-js-bytes must be at least 1024 bytes, got %d", f.MaxJSBytes)
	}
	if cfg.History = f.History; f.History == 0 {
		cfg.History = -1 // off (0 in probes.Config is the default)
	} else if f.History < 0 || f.History > project.MaxHistory {
		return cfg, usageErr("", "--history must be between 0 (no history scan) and %d commits, got %d", project.MaxHistory, f.History)
	}
	for _, p := range f.Only {
		for _, part := range strings.Split(p, ",") {
			if part = strings.TrimSpace(part); part != "" && !matchesAny(part) {
				return cfg, usageErr("run 'selfassess probe --list' to see the probe ids", "--only %q matches no probe", part)
			}
		}
	}
	if f.CAFile != "" {
		pem, err := readCAFile(f.CAFile)
		if err != nil {
			return cfg, usageErr("", "--ca-file: %v", err)
		}
		// the system roots load later, and only if a chain needs them
		trust, err := probes.NewTrust(pem)
		if err != nil {
			return cfg, usageErr("the file must hold PEM \"CERTIFICATE\" blocks", "--ca-file %s: no certificates found", f.CAFile)
		}
		cfg.Trust = trust
	}
	if f.ClientCert != "" || f.ClientKey != "" {
		c, err := tlsprobe.LoadClientCert(f.ClientCert, f.ClientKey)
		if err != nil {
			var ce *tlsprobe.ClientCertError
			if errors.As(err, &ce) {
				return cfg, usageErr(ce.Hint, "%s", ce.Error())
			}
			return cfg, usageErr("", "%v", err)
		}
		cfg.ClientCert = c
	}
	var err error
	cfg.Headers, err = f.headers(ios)
	return cfg, err
}

// headers reads --header-env: each variable holds "Name: value" lines.
func (f *probeFlags) headers(ios *IOStreams) (http.Header, error) {
	if len(f.HeaderEnv) == 0 {
		return nil, nil
	}
	h := http.Header{}
	for _, name := range f.HeaderEnv {
		v := ios.Getenv(name)
		if v == "" {
			return nil, usageErr("set it to a header line such as \"Authorization: Bearer …\"", "--header-env %s: the environment variable is empty or unset", name)
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
				return nil, usageErr("the format is \"Name: value\", one header per line", "--header-env %s: not a header line", name)
			}
			h.Add(k, strings.TrimSpace(val))
		}
	}
	return h, nil
}

func matchesAny(pattern string) bool {
	for _, d := range probes.Catalogue {
		if probes.Match([]string{pattern}, d.ID) {
			return true
		}
	}
	return false
}

// targets validates URL arguments and adds the source and webhook targets.
func (f *probeFlags) targets(urls []string) ([]probes.Target, error) {
	var ts []probes.Target
	for _, raw := range urls {
		if err := checkURL(raw); err != nil {
			return nil, usageErr("targets look like https://app.example.com", "target %q: %v", shownURL(raw), err)
		}
		ts = append(ts, probes.Target{Kind: probes.KindURL, Value: raw})
	}
	if f.Source != "" {
		st, err := os.Stat(f.Source)
		const hint = "give the folder of the integration's source code (a checkout), e.g. --source ."
		if errors.Is(err, fs.ErrNotExist) {
			return nil, usageErr(hint, "--source %s: no such folder", f.Source)
		}
		if err != nil {
			return nil, usageErr(hint, "--source: %v", pathErr(err))
		}
		if !st.IsDir() {
			return nil, usageErr(hint, "--source %s: is a file, not a folder", f.Source)
		}
		ts = append(ts, probes.Target{Kind: probes.KindSource, Value: f.Source})
	}
	if f.WebhookURL != "" {
		if err := checkURL(f.WebhookURL); err != nil {
			return nil, usageErr("", "--webhook-url %q: %v", shownURL(f.WebhookURL), err)
		}
		ts = append(ts, probes.Target{Kind: probes.KindWebhook, Value: f.WebhookURL})
	}
	return ts, nil
}

// warnPlainHTTP warns, before anything runs, about http:// targets: the
// TLS probes have nothing to check there and the controls they verify come
// out not tested.
func warnPlainHTTP(w io.Writer, ts []probes.Target) {
	for _, t := range ts {
		if t.Kind != probes.KindURL {
			continue
		}
		u, err := url.Parse(t.Value)
		if err != nil || u.Scheme != "http" {
			continue
		}
		https := *u
		https.Scheme = "https"
		fmt.Fprintf(w, "selfassess: warning: %s is plain http://: the TLS checks are skipped and the controls they verify will be not tested; did you mean %s?\n",
			probes.RedactURL(u), probes.RedactURL(&https))
	}
}

// hintPrivateCA says what to do when a target's certificate is not
// trusted and no --ca-file was given: a staging site behind a private CA
// looks exactly like that.
func hintPrivateCA(w io.Writer, results []probes.Result, caFile string) {
	if caFile != "" {
		return
	}
	for _, r := range results {
		text := r.Summary
		for _, f := range r.Findings {
			text += "\n" + f.Message
		}
		if strings.Contains(text, "not trusted") || strings.Contains(text, "unknown authority") {
			fmt.Fprintf(w, "selfassess: hint: %s: the certificate is not trusted here; if the target uses a private CA, pass --ca-file CA.pem (or ca_file: in selfassess.yaml)\n", r.Target)
			return
		}
	}
}

// durationFlag is a time.Duration flag whose error says to add a unit
// ("5" is refused by time.ParseDuration with "missing unit").
type durationFlag time.Duration

func (d *durationFlag) String() string { return time.Duration(*d).String() }
func (d *durationFlag) Type() string   { return "duration" }
func (d *durationFlag) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		if _, nerr := strconv.ParseFloat(s, 64); nerr == nil {
			return fmt.Errorf("a duration needs a unit: %ss, %sms or %sm", s, s, s)
		}
		return errors.New("not a duration: use a number with a unit, e.g. 5s, 500ms, 1m")
	}
	*d = durationFlag(v)
	return nil
}

// maxCAFile bounds --ca-file: a CA bundle is kilobytes (the whole system
// bundle is about 200 KiB); /dev/zero or a disk image would never end.
const maxCAFile = 4 << 20

func readCAFile(path string) ([]byte, error) {
	return input.ReadFile(path, maxCAFile)
}

// shownURL is raw as an error may show it: without a password or token.
func shownURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return probes.RedactURL(u)
}

// checkURL is the rule selfassess.yaml applies to targets, for --target too.
func checkURL(raw string) error { return project.CheckURL(raw) }
