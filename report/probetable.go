package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/selfassess/selfassess/internal/safetext"
	"github.com/selfassess/selfassess/probes"
)

// WriteCatalogue lists the probe ids, what each checks and the parameters
// a checklist (or --with) may set, with their defaults: a table, or JSON
// when format is "json".
func WriteCatalogue(w io.Writer, format string) error {
	if format == "json" {
		return writeProbeJSON(w, struct {
			Probes []probes.Descriptor `json:"probes"`
		}{probes.Catalogue})
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
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

// WriteProbeResults writes `selfassess probe`'s results: a table of each
// result and its failing, warning or erroring findings, or JSON when
// format is "json".
func WriteProbeResults(w io.Writer, format string, results []probes.Result) error {
	if format == "json" {
		return writeProbeJSON(w, struct {
			Probes []probes.Result `json:"probes"`
		}{results})
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET\tPROBE\tSTATUS\tSUMMARY")
	for _, r := range results {
		// names and values from targets and trees may hold escape codes
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", safetext.Quote(r.Target), r.ID, r.Status, safetext.Quote(tableLine(r.Summary)))
		for _, f := range r.Findings {
			if f.Status == probes.Fail || f.Status == probes.Warn || f.Status == probes.Error {
				loc := ""
				if f.Location != "" {
					loc = " (" + safetext.Quote(f.Location) + ")"
				}
				fmt.Fprintf(tw, "\t\t\t  %s: %s%s\n", f.Status, safetext.Quote(tableLine(f.Message)), loc)
			}
		}
	}
	return tw.Flush() // tabwriter keeps the first write error
}

// tableLine keeps a message on its table row: line breaks become "; ".
func tableLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(strings.TrimSpace(s), "\n", "; ")), " ")
}

func writeProbeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
