package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/selfassess/selfassess/internal/safetext"
	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/probes/all"
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
		if err := printCatalogue(o.ios, o.format); err != nil {
			return runtimeErr("", "writing output: %v", err)
		}
		return nil
	}
	cfg, err := o.flags.config(o.ios)
	if err != nil {
		return err
	}
	if cfg.With, err = parseWith(o.with); err != nil {
		return err
	}
	targets, err := o.flags.targets(o.targets)
	if err != nil {
		return err
	}
	warnPlainHTTP(o.ios.ErrOut, targets)
	if len(targets) == 0 {
		return usageErr("name a URL, or use --source DIR or --webhook-url URL", "nothing to probe")
	}
	if ctx == nil {
		ctx = context.Background()
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
	if o.format == "json" {
		enc := json.NewEncoder(o.ios.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			Probes []probes.Result `json:"probes"`
		}{results}); err != nil {
			return runtimeErr("", "writing output: %v", err)
		}
	} else if err := printProbeTable(o.ios, results); err != nil {
		return runtimeErr("", "writing output: %v", err)
	}
	hintPrivateCA(o.ios.ErrOut, results, o.flags.CAFile)
	for _, r := range results {
		if r.Status == probes.Fail || r.Status == probes.Error {
			return errGate
		}
	}
	return nil
}

// printCatalogue lists the probe ids, what each checks and the parameters
// a checklist (or --with) may set, with their defaults.
func printCatalogue(ios *IOStreams, format string) error {
	if format == "json" {
		enc := json.NewEncoder(ios.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Probes []probes.Descriptor `json:"probes"`
		}{probes.Catalogue})
	}
	tw := tabwriter.NewWriter(ios.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCHECKS")
	for _, d := range probes.Catalogue {
		fmt.Fprintf(tw, "%s\t%s\n", d.ID, d.Checks)
		for _, p := range d.Params {
			typ := string(p.Type)
			if len(p.Enum) > 0 {
				typ += ": " + strings.Join(p.Enum, "|")
			}
			fmt.Fprintf(tw, "\t  with %s (%s, default %s): %s\n", p.Name, typ, probes.FormatValue(p.Default), p.Meaning)
		}
	}
	return tw.Flush() // tabwriter keeps the first write error
}

// parseWith reads --with probe.param=value flags into per-probe parameters;
// a later flag for the same parameter wins.
func parseWith(flags []string) (map[string]probes.Params, error) {
	const hint = "run 'selfassess probe --list' to see each probe's parameters"
	var with map[string]probes.Params
	for _, raw := range flags {
		key, value, ok := strings.Cut(raw, "=")
		dot := strings.LastIndexByte(key, '.')
		if !ok || dot <= 0 || dot == len(key)-1 {
			return nil, usageErr("the form is --with probe.param=value, e.g. --with http.hsts.min_max_age_days=365", "--with %q: not probe.param=value", raw)
		}
		id, name := key[:dot], key[dot+1:]
		desc, known := probes.Lookup(id)
		if !known {
			return nil, usageErr(hint, "--with %s: unknown probe id %q", key, id)
		}
		decl, ok := probes.LookupParam(id, name)
		if !ok {
			if len(desc.Params) == 0 {
				return nil, usageErr(hint, "--with %s: probe %s takes no parameters", key, id)
			}
			return nil, usageErr(hint, "--with %s: unknown parameter %q; %s takes %s", key, name, id, strings.Join(probes.ParamNames(id), ", "))
		}
		v, err := decl.Parse(value)
		if err != nil {
			return nil, usageErr(hint, "--with %s: %v", key, err)
		}
		if with == nil {
			with = map[string]probes.Params{}
		}
		if with[id] == nil {
			with[id] = probes.Params{}
		}
		with[id][name] = v
	}
	return with, nil
}

func printProbeTable(ios *IOStreams, results []probes.Result) error {
	tw := tabwriter.NewWriter(ios.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET\tPROBE\tSTATUS\tSUMMARY")
	for _, r := range results {
		// names and values from targets and trees may hold escape codes
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", safetext.Quote(r.Target), r.ID, r.Status, safetext.Quote(oneLine(r.Summary)))
		for _, f := range r.Findings {
			if f.Status == probes.Fail || f.Status == probes.Warn || f.Status == probes.Error {
				loc := ""
				if f.Location != "" {
					loc = " (" + safetext.Quote(f.Location) + ")"
				}
				fmt.Fprintf(tw, "\t\t\t  %s: %s%s\n", f.Status, safetext.Quote(oneLine(f.Message)), loc)
			}
		}
	}
	return tw.Flush() // tabwriter keeps the first write error
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
		fmt.Fprintln(ios.ErrOut, progressLine(e))
	}
}

// progressLine is the line `probe` and `run` print when a family finishes
// with a target: its worst status.
func progressLine(e probes.Event) string {
	worst := probes.Skipped
	for _, r := range e.Results {
		if r.Status.Rank() > worst.Rank() {
			worst = r.Status
		}
	}
	return fmt.Sprintf("probed %s: %s checks %s", safetext.Quote(e.Target), e.Family, worst)
}
