// Package probes defines the probe contract (families, targets, results),
// the catalogue of probe ids, the runner and redaction. It knows nothing of
// flags or terminals.
package probes

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"time"
)

// Status of one probe result.
type Status string

const (
	Pass    Status = "pass"
	Fail    Status = "fail"
	Warn    Status = "warn"
	Info    Status = "info"
	Error   Status = "error"
	Skipped Status = "skipped"
)

// Rank orders statuses by badness for aggregation: fail > error > warn > info > pass > skipped.
func (s Status) Rank() int {
	switch s {
	case Fail:
		return 5
	case Error:
		return 4
	case Warn:
		return 3
	case Info:
		return 2
	case Pass:
		return 1
	}
	return 0
}

// TargetKind says what a target is.
type TargetKind string

const (
	KindURL     TargetKind = "url"     // a deployed https:// (or http://) URL
	KindSource  TargetKind = "source"  // a local source tree (--source)
	KindWebhook TargetKind = "webhook" // a webhook endpoint (--webhook-url)
)

// Target is one thing the user named. Probes touch nothing else.
type Target struct {
	Kind TargetKind `json:"kind"`
	// Value is the URL or directory exactly as the user gave it.
	Value string `json:"value"`
	// Name, when set, is how results and messages name the target: a
	// source tree by its repository and folder, not by a path on the
	// team's machine (see Options.Targets).
	Name string `json:"name,omitempty"`
}

func (t Target) String() string { return t.Value }

// Result is one probe's outcome for one target; results.json's probes[] entries.
type Result struct {
	ID      string `json:"id"`
	Target  string `json:"target"`
	Status  Status `json:"status"`
	Summary string `json:"summary"`
	// Observed holds the probe's facts (JSON-marshalable; secrets redacted).
	Observed any `json:"observed"` // null when none (results.json contract)
	// Findings are the individual problems (or notes) behind Status.
	Findings   []Finding `json:"findings,omitempty"`
	DurationMS int64     `json:"duration_ms"`
	// Params are the thresholds the probe ran with (every declared
	// parameter, defaults included); absent for probes without parameters.
	// A probe run with two parameter sets gives two results.
	Params Params `json:"params,omitempty"`
}

// Finding is one observation worth a line in the report.
type Finding struct {
	Status Status `json:"status"`
	// Rule names the check, e.g. "hsts-max-age" or "gitleaks:aws-access-token".
	Rule    string `json:"rule"`
	Message string `json:"message"`
	// Location is a URL, or FILE:LINE for source findings (File and Line set too).
	Location string `json:"location,omitempty"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	// Evidence is the matched text, already redacted.
	Evidence string `json:"evidence,omitempty"`
}

// DefaultHistory is how many commits the git-history secret scan reads by default.
const DefaultHistory = 1000

// Config holds every probe option. Zero values get defaults from Defaults().
type Config struct {
	Timeout     time.Duration // per connection / request
	Concurrency int           // targets×families at once, over the whole run
	PerHost     int           // connections at once to one host
	RateLimit   time.Duration // minimum gap between new requests/connections to one host
	MaxBody     int64         // bytes read from one HTTP response body
	MaxScripts  int           // served scripts followed per page
	MaxJSBytes  int64         // total script bytes per target
	Budget      int           // HTTP requests per host per run
	Burst       int           // http.rate-limit opt-in burst (0 = off, max 200)
	// History is how many commits of the checked-out branch source.secrets
	// reads in a git checkout (0 = DefaultHistory, negative = none).
	History int

	RootCAs *x509.CertPool // nil = system roots (unless Trust is set)
	// Trust, when set, replaces RootCAs: the system roots plus --ca-file's
	// certificates, the system ones loaded only if needed. Verify through
	// Config.VerifyCert, never RootCAs alone.
	Trust  *Trust
	CAFile string

	// ClientCert is presented when a server asks for a client certificate
	// (--client-cert/--client-key, mutual-TLS targets); nil = none.
	ClientCert *tls.Certificate

	// Headers are extra request headers (from --header-env); their values are secret.
	Headers http.Header

	// Only selects probe ids by pattern ("tls.*"); empty = all.
	Only []string

	// ParamSets are the distinct parameter sets each probe id runs with
	// (from the checklist's controls); each set gets its own result (a
	// RoundsFamily judges one observation by every set, other families run
	// once per set). An id without sets runs once, with With[id].
	ParamSets map[string][]Params
	// With is the parameter set of each probe id for one family run
	// (missing names take their defaults); families read it through
	// Config.Params. The runner sets it from ParamSets.
	With map[string]Params

	// Now is the clock (tests fix it); nil = time.Now.
	Now func() time.Time

	// Progress, when set, is called as probes start and finish. It must be safe
	// for concurrent use.
	Progress func(Event)

	// Hosts holds the per-host connection slots (PerHost each) that all
	// families share; Defaults creates it, so one Run shares one.
	Hosts *HostSlots
}

// Event reports progress to the caller (the cmd layer prints it).
type Event struct {
	Target string
	Family string
	Done   bool
	// Results are set when Done.
	Results []Result
}

// Defaults fills zero fields with sensible, polite defaults.
func (c Config) Defaults() Config {
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 8
	}
	if c.PerHost <= 0 {
		c.PerHost = 8
	}
	if c.MaxBody <= 0 {
		c.MaxBody = 2 << 20
	}
	if c.MaxScripts <= 0 {
		c.MaxScripts = 20
	}
	if c.MaxJSBytes <= 0 {
		c.MaxJSBytes = 8 << 20
	}
	if c.Budget <= 0 {
		c.Budget = 300
	}
	if c.History == 0 {
		c.History = DefaultHistory
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Hosts == nil {
		c.Hosts = NewHostSlots(c.PerHost)
	}
	return c
}

// Family is a group of probes that share work per target (one TLS
// enumeration, one HTTP fetch, one source walk).
type Family interface {
	// Name is the family prefix: "tls", "http", "js", "source", "webhook".
	Name() string
	// IDs are the catalogue ids this family produces.
	IDs() []string
	// Applies reports whether the family probes this kind of target.
	Applies(t Target) bool
	// Run returns one Result per selected id, never panics, and honours ctx
	// and cfg.Timeout. Problems with the target are Results with Status Error.
	Run(ctx context.Context, t Target, ids []string, cfg Config) []Result
}
