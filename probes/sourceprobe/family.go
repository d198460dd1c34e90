// Package sourceprobe scans a local source tree for secrets and unsafe
// token, TLS and logging practices.
package sourceprobe

import (
	"context"

	"github.com/selfassess/selfassess/probes"
)

// STUB: replaced by the real prober.

type family struct{}

// NewFamily returns the source.* probe family.
func NewFamily() probes.Family { return family{} }

func (family) Name() string { return "source" }
func (family) IDs() []string {
	return []string{"source.secrets", "source.gitignore", "source.token-storage", "source.token-in-url", "source.tls-verification", "source.secret-logging", "source.ci-secrets", "source.plain-http"}
}
func (family) Applies(t probes.Target) bool { return t.Kind == probes.KindSource }
func (family) Run(ctx context.Context, t probes.Target, ids []string, cfg probes.Config) []probes.Result {
	var out []probes.Result
	for _, id := range ids {
		out = append(out, probes.Result{ID: id, Target: t.Value, Status: probes.Skipped, Summary: "not implemented"})
	}
	return out
}
