package cmd

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/probes/tlsprobe"
)

// probeFlags are the probe options shared by `probe` and `run`; their
// rules are probes.Options'.
type probeFlags struct {
	probes.Options
}

func (f *probeFlags) bind(fs *pflag.FlagSet) {
	d := probes.DefaultOptions()
	fs.StringVar(&f.CAFile, "ca-file", "", "trust the CA certificates in this PEM `FILE` as well as the system roots")
	fs.StringVar(&f.ClientCert, "client-cert", "", "present the PEM client certificate in `FILE` to servers that ask for one (mutual TLS)")
	fs.StringVar(&f.ClientKey, "client-key", "", "the PEM private key for --client-cert, from a `FILE` only you can read")
	f.Timeout = d.Timeout
	fs.Var((*durationFlag)(&f.Timeout), "timeout", "time limit for each connection or request (with a unit: 5s, 500ms, 1m)")
	fs.IntVar(&f.Concurrency, "concurrency", d.Concurrency, "targets probed at once")
	fs.IntVar(&f.PerHost, "per-host", d.PerHost, "connections at once to one host")
	fs.StringSliceVar(&f.Only, "only", nil, "run only probes matching these `PATTERNS` (e.g. tls.*,http.cookies)")
	fs.StringArrayVar(&f.HeaderEnv, "header-env", nil, "add the request header held in environment `VAR` (\"Name: value\"); repeatable")
	fs.IntVar(&f.Burst, "burst", 0, "http.rate-limit: send up to `N` requests (max 200) and expect a 429")
	fs.Int64Var(&f.MaxBody, "max-body", d.MaxBody, "bytes read from one HTTP response body")
	fs.DurationVar(&f.RateLimit, "rate-limit", 0, "minimum gap between two requests to one host")
	fs.IntVar(&f.Budget, "budget", d.Budget, "HTTP requests to one host per run, at most")
	fs.IntVar(&f.History, "history", d.History, "source.secrets: also scan the newest `N` commits of the checked-out branch (0: none)")
	fs.IntVar(&f.MaxScripts, "max-scripts", d.MaxScripts, "same-origin scripts fetched per page")
	fs.Int64Var(&f.MaxJSBytes, "max-js-bytes", d.MaxJSBytes, "script bytes fetched per target")
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
	cfg, err := f.Options.Config(ios.Getenv)
	if err != nil {
		return cfg, err
	}
	cfg.ClientCert, err = tlsprobe.LoadClientCert(f.ClientCert, f.ClientKey)
	return cfg, err
}

// warnPlainHTTP warns, before anything runs, about http:// targets.
func warnPlainHTTP(w io.Writer, ts []probes.Target) {
	for _, m := range probes.PlainHTTPWarnings(ts) {
		fmt.Fprintf(w, "selfassess: warning: %s\n", m)
	}
}

// hintPrivateCA says what to do about an untrusted certificate.
func hintPrivateCA(w io.Writer, results []probes.Result, caFile string) {
	if h := probes.PrivateCAHint(results, caFile); h != "" {
		fmt.Fprintf(w, "selfassess: hint: %s\n", h)
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
