package httpprobe

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/selfassess/selfassess/probes"
)

type webhookFamily struct{ limits *hostLimits }

// NewWebhookFamily returns the webhook.* probe family (targets of kind webhook).
func NewWebhookFamily() probes.Family { return &webhookFamily{limits: newHostLimits()} }

func (*webhookFamily) Name() string                 { return "webhook" }
func (*webhookFamily) IDs() []string                { return []string{"webhook.signature"} }
func (*webhookFamily) Applies(t probes.Target) bool { return t.Kind == probes.KindWebhook }

func (w *webhookFamily) Run(ctx context.Context, t probes.Target, ids []string, cfg probes.Config) []probes.Result {
	cfg = cfg.Defaults()
	start := time.Now()
	u, err := url.Parse(t.Value)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" {
		return allError(t, ids, "not an http(s) URL")
	}
	// The user's auth headers are for their app, not for a webhook receiver
	// (a provider would not send them), so they are not sent here.
	cfg.Headers = nil
	ctx, cancel := context.WithTimeout(ctx, familyLimit(cfg))
	defer cancel()
	c := newClient(u, cfg, w.limits)
	defer c.close()
	r := probeWebhook(ctx, c, u, cfg.Now(), cfg.Params("webhook.signature").Ints("webhook.signature", "reject_status"))
	r.Target = t.Value
	r.DurationMS = time.Since(start).Milliseconds()
	return []probes.Result{r}
}

// webhookEvent is a realistic, obviously synthetic payment event.
func webhookEvent(now time.Time) []byte {
	id := randomHex(8)
	b, _ := json.Marshal(map[string]any{
		"id": "evt_selfassess_" + id, "type": "payment.succeeded", "created": now.Unix(), "livemode": false,
		"data": map[string]any{"object": map[string]any{
			"id": "pay_selfassess_" + id, "object": "payment", "amount": 100, "currency": "EUR", "status": "succeeded",
			"description": "selfassess signature check: this event is not real and must be rejected",
		}},
	})
	return b
}

// wrongSignatures sets the signature headers of the common schemes to
// well-formed but wrong values, so whichever one the receiver checks fails.
func wrongSignatures(now time.Time) http.Header {
	mac := randomHex(32)
	ts := strconv.FormatInt(now.Unix(), 10)
	return http.Header{
		"X-Signature":         {mac},
		"X-Webhook-Signature": {"sha256=" + mac},
		"X-Hub-Signature-256": {"sha256=" + mac},
		"X-Finhub-Signature":  {"t=" + ts + ",v1=" + mac},
		"X-Fincept-Signature": {mac},
		"X-Fincode-Signature": {mac},
		"X-Turris-Signature":  {"sha256=" + mac},
		"Stripe-Signature":    {"t=" + ts + ",v1=" + mac},
		"Webhook-Id":          {"msg_selfassess_" + randomHex(6)},
		"Webhook-Timestamp":   {ts},
		"Webhook-Signature":   {"v1," + mac},
		"X-Timestamp":         {ts},
	}
}

type webhookAttempt struct {
	Name   string `json:"name"`
	Status int    `json:"status,omitempty"`
	Error  string `json:"error,omitempty"`
}

func probeWebhook(ctx context.Context, c *client, u *url.URL, now time.Time, rejectStatus []int) probes.Result {
	res := probes.Result{ID: "webhook.signature"}
	loc := redactURL(u)
	var attempts []webhookAttempt
	for _, a := range []struct {
		name string
		sig  http.Header
	}{{"unsigned", nil}, {"wrong signature", wrongSignatures(now)}} {
		h := http.Header{"Content-Type": {"application/json"}}
		for k, v := range a.sig {
			h[k] = v
		}
		r, err := c.do(ctx, request{Method: http.MethodPost, URL: u, Header: h, Body: webhookEvent(now)})
		at := webhookAttempt{Name: a.name}
		f := probes.Finding{Rule: "webhook-" + map[string]string{"unsigned": "unsigned", "wrong signature": "wrong-signature"}[a.name], Location: loc}
		switch {
		case err != nil:
			at.Error = err.Error()
			f.Status, f.Message = probes.Error, a.name+" event: "+err.Error()
		case r.StatusCode >= 200 && r.StatusCode < 300:
			at.Status = r.StatusCode
			f.Status, f.Message = probes.Fail, fmt.Sprintf("%s event accepted (HTTP %d)", a.name, r.StatusCode)
		case slices.Contains(rejectStatus, r.StatusCode):
			at.Status = r.StatusCode
			f.Status, f.Message = probes.Pass, fmt.Sprintf("%s event rejected (HTTP %d)", a.name, r.StatusCode)
		case r.StatusCode == 404 || r.StatusCode == 405 || isRedirect(r.StatusCode):
			at.Status = r.StatusCode
			f.Status, f.Message = probes.Error, fmt.Sprintf("%s event: HTTP %d: is this the webhook URL?", a.name, r.StatusCode)
		default:
			at.Status = r.StatusCode
			f.Status, f.Message = probes.Warn, fmt.Sprintf("%s event not accepted, but answered HTTP %d (expected %s)", a.name, r.StatusCode, orList(rejectStatus))
		}
		if at.Status != 0 {
			f.Evidence = fmt.Sprintf("HTTP %d", at.Status)
		}
		attempts = append(attempts, at)
		res.Findings = append(res.Findings, f)
	}
	res.Observed = map[string]any{"url": loc, "event_type": "payment.succeeded", "attempts": attempts}
	res.Status = worst(res.Findings, probes.Pass)
	switch res.Status {
	case probes.Pass:
		res.Summary = fmt.Sprintf("unsigned and wrongly signed events rejected (HTTP %d, %d)", attempts[0].Status, attempts[1].Status)
	default:
		var msgs []string
		for _, f := range res.Findings {
			if f.Status == res.Status {
				msgs = append(msgs, f.Message)
			}
		}
		res.Summary = joinSemi(msgs)
	}
	return res
}

// orList writes statuses as "400, 401 or 403".
func orList(codes []int) string {
	s := make([]string, len(codes))
	for i, c := range codes {
		s[i] = strconv.Itoa(c)
	}
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

func joinSemi(s []string) string {
	out := ""
	for i, m := range s {
		if i > 0 {
			out += "; "
		}
		out += m
	}
	return out
}
