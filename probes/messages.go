package probes

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/selfassess/selfassess/internal/safetext"
)

// PlainHTTPWarnings warns about http:// targets, to be said before
// anything runs: the TLS probes have nothing to check there and the
// controls they verify come out not tested.
func PlainHTTPWarnings(ts []Target) []string {
	var out []string
	for _, t := range ts {
		if t.Kind != KindURL {
			continue
		}
		u, err := url.Parse(t.Value)
		if err != nil || u.Scheme != "http" {
			continue
		}
		https := *u
		https.Scheme = "https"
		out = append(out, fmt.Sprintf("%s is plain http://: the TLS checks are skipped and the controls they verify will be not tested; did you mean %s?",
			RedactURL(u), RedactURL(&https)))
	}
	return out
}

// PrivateCAHint says what to do when a target's certificate is not
// trusted and no --ca-file was given (a staging site behind a private CA
// looks exactly like that); "" when it does not apply.
func PrivateCAHint(results []Result, caFile string) string {
	if caFile != "" {
		return ""
	}
	for _, r := range results {
		text := r.Summary
		for _, f := range r.Findings {
			text += "\n" + f.Message
		}
		if strings.Contains(text, "not trusted") || strings.Contains(text, "unknown authority") {
			return r.Target + ": the certificate is not trusted here; if the target uses a private CA, pass --ca-file CA.pem (or ca_file: in selfassess.yaml)"
		}
	}
	return ""
}

// ProgressLine is the line `probe` and `run` print when a family finishes
// with a target: its worst status.
func ProgressLine(e Event) string {
	worst := Skipped
	for _, r := range e.Results {
		if r.Status.Rank() > worst.Rank() {
			worst = r.Status
		}
	}
	// target names come from the user and from trees: no escape codes
	return fmt.Sprintf("probed %s: %s checks %s", safetext.Quote(e.Target), e.Family, worst)
}

// AnyFailed reports whether a result failed or erred: `probe` exits 1 then.
func AnyFailed(results []Result) bool {
	for _, r := range results {
		if r.Status == Fail || r.Status == Error {
			return true
		}
	}
	return false
}
