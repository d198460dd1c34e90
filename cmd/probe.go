package cmd

import (
	"context"
	"errors"
	"fmt"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/probes/all"
	"github.com/selfassess/selfassess/report"
)

type probeOptions struct {
	ios    *IOStreams
	flags  probeFlags
	format string
	// checkFormat refuses an unknown --format.
	checkFormat func() error
	list        bool
	with        []string
	targets     []string
	// families is injectable for tests.
	families []probes.Family
}

func newProbeCmd(ios *IOStreams) *cobra.Command {
	o := &probeOptions{ios: ios}
	c := &cobra.Command{
		Use:   "probe [URL...]",
		Short: "Probe deployed URLs (TLS, HTTP, served JavaScript), a source tree and a webhook",
		Long: `probe runs the automated checks alone, without a checklist or questions:
TLS versions, cipher suites and certificate; HTTP redirect, HSTS, headers,
cookies, banners, CORS, error pages, rate limiting, security.txt and the
JavaScript the pages serve (each URL argument); secrets and risky code in a
source tree (--source); a webhook endpoint's signature checks (--webhook-url).
'selfassess probe --list' names every probe and what it checks.

Exit codes: 0 no probe failed or errored, 1 a probe failed or errored,
2 usage error (bad flag, URL or folder), 3 runtime failure.`,
		Example: `  selfassess probe https://app.example.com
  selfassess probe --only 'tls.*' --format json https://staging.example.com:8443
  selfassess probe --source . --webhook-url https://api.example.com/webhooks
  selfassess probe --with http.hsts.min_max_age_days=365 --with webhook.signature.reject_status=401 https://app.example.com`,
		RunE: func(c *cobra.Command, args []string) error {
			o.targets = args
			return runProbe(c.Context(), o)
		},
	}
	o.flags.bind(c.Flags())
	o.checkFormat = formatFlag(c, &o.format, "output `FORMAT`: table or json", "table", "json")
	c.Flags().BoolVar(&o.list, "list", false, "list the probe ids and their parameters, and exit")
	c.Flags().StringArrayVar(&o.with, "with", nil, "set a probe parameter, `ID.PARAM=VALUE` (lists comma-separated); repeatable")
	return c
}

func runProbe(ctx context.Context, o *probeOptions) error {
	if err := o.checkFormat(); err != nil {
		return err
	}
	if o.list {
		if err := report.WriteCatalogue(o.ios.Out, o.format); err != nil {
			return runtimeErr("", "writing output: %v", err)
		}
		return nil
	}
	cfg, err := o.flags.config(o.ios)
	if err != nil {
		return err
	}
	if cfg.With, err = probes.ParseWith(o.with); err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	targets, err := o.flags.Targets(ctx, o.targets)
	if err != nil {
		return err
	}
	warnPlainHTTP(o.ios.ErrOut, targets)
	if len(targets) == 0 {
		return usageErr("name a URL, or use --source DIR or --webhook-url URL", "nothing to probe")
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if o.format == "table" {
		cfg.Progress = progressPrinter(o.ios)
	}
	fams := o.families
	if fams == nil {
		fams = all.Families()
	}
	defer relaxGC(o.ios.Getenv)()
	results := probes.Run(ctx, fams, targets, cfg)
	if ctx.Err() != nil {
		// Ctrl-C or SIGTERM: the cancelled probes' errors are not findings
		return &ExitError{Code: ExitRuntime, Err: errors.New("interrupted; no results shown")}
	}
	if len(results) == 0 {
		// --only kept no probe that applies to these targets: a run that
		// checked nothing must not look like a pass
		return usageErr("source.* needs --source DIR, webhook.* needs --webhook-url URL, tls.*, http.* and js.* need URLs",
			"--only %q selects no probe for the targets given", strings.Join(cfg.Only, ","))
	}
	if err := report.WriteProbeResults(o.ios.Out, o.format, results); err != nil {
		return runtimeErr("", "writing output: %v", err)
	}
	hintPrivateCA(o.ios.ErrOut, results, o.flags.CAFile)
	if probes.AnyFailed(results) {
		return errGate
	}
	return nil
}

// progressPrinter reports families as they finish, as plain lines on stderr.
func progressPrinter(ios *IOStreams) func(probes.Event) {
	var mu sync.Mutex
	return func(e probes.Event) {
		if !e.Done {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintln(ios.ErrOut, probes.ProgressLine(e))
	}
}
