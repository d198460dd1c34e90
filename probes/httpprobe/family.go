// Package httpprobe checks HTTP responses and served JavaScript of a
// target, and webhook signature enforcement.
package httpprobe

import (
	"context"

	"github.com/selfassess/selfassess/probes"
)

// STUB: replaced by the real prober.

type family struct{}

// NewFamily returns the http.* and js.* probe family.
func NewFamily() probes.Family { return family{} }

func (family) Name() string { return "http" }
func (family) IDs() []string {
	return []string{"http.redirect", "http.hsts", "http.headers", "http.cookies", "http.banners", "http.cors", "http.error-leak", "http.rate-limit", "http.security-txt", "js.secrets", "js.token-storage", "js.token-in-url"}
}
func (family) Applies(t probes.Target) bool { return t.Kind == probes.KindURL }
func (family) Run(ctx context.Context, t probes.Target, ids []string, cfg probes.Config) []probes.Result {
	var out []probes.Result
	for _, id := range ids {
		out = append(out, probes.Result{ID: id, Target: t.Value, Status: probes.Skipped, Summary: "not implemented"})
	}
	return out
}

type webhookFamily struct{ family }

// NewWebhookFamily returns the webhook.* probe family (targets of kind webhook).
func NewWebhookFamily() probes.Family { return webhookFamily{} }

func (webhookFamily) Name() string                 { return "webhook" }
func (webhookFamily) IDs() []string                { return []string{"webhook.signature"} }
func (webhookFamily) Applies(t probes.Target) bool { return t.Kind == probes.KindWebhook }
