// Package tlsprobe enumerates what a TLS server accepts with raw
// ClientHellos: versions, cipher suites, certificate.
package tlsprobe

import (
	"context"

	"github.com/selfassess/selfassess/probes"
)

// STUB: replaced by the real prober.

type family struct{}

// NewFamily returns the tls.* probe family.
func NewFamily() probes.Family { return family{} }

func (family) Name() string                 { return "tls" }
func (family) IDs() []string                { return []string{"tls.versions", "tls.ciphers", "tls.certificate"} }
func (family) Applies(t probes.Target) bool { return t.Kind == probes.KindURL }
func (family) Run(ctx context.Context, t probes.Target, ids []string, cfg probes.Config) []probes.Result {
	var out []probes.Result
	for _, id := range ids {
		out = append(out, probes.Result{ID: id, Target: t.Value, Status: probes.Skipped, Summary: "not implemented"})
	}
	return out
}
