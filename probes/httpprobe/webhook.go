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
	return w.RunRounds(ctx, t, []probes.Round{{IDs: ids, With: cfg.With}}, cfg)[0]
}

// RunRounds sends the two events once and judges their answers by each
// round's reject_status.
func (w *webhookFamily) RunRounds(ctx context.Context, t probes.Target, rounds []probes.Round, cfg probes.Config) [][]probes.Result {
	cfg = cfg.Defaults()
	start := time.Now()
	u, bad := targetURL(t, rounds)
	if bad != nil {
		return bad
	}
	out := make([][]probes.Result, len(rounds))
	// The user's auth headers are for their app, not for a webhook receiver
	// (a provider would not send them), so they are not sent here.
	cfg.Headers = nil
	ctx, cancel := context.WithTimeout(ctx, familyLimit(cfg))
	defer cancel()
	c := newClient(u, cfg, w.limits)
	defer c.close()
	attempts := sendWebhook(ctx, c, u, cfg.Now())
	for k, r := range rounds {
		p := r.Params("webhook.signature")
		res := judgeWebhook(redactURL(u), attempts, p.Ints("webhook.signature", "reject_status"))
		res.Target = t.Value
		res.DurationMS = time.Since(start).Milliseconds()
		out[k] = []probes.Result{res}
	}
	return out
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

// sendWebhook posts the event unsigned, then with wrong signatures.
func sendWebhook(ctx context.Context, c *client, u *url.URL, now time.Time) []webhookAttempt {
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
		if err != nil {
			at.Error = err.Error()
		} else {
			at.Status = r.StatusCode
		}
		attempts = append(attempts, at)
	}
	return attempts
}

// judgeWebhook judges the answers to the two events by the statuses the
// checklist accepts as a rejection.
func judgeWebhook(loc string, attempts []webhookAttempt, rejectStatus []int) probes.Result {
	res := probes.Result{ID: "webhook.signature"}
	for _, at := range attempts {
		f := probes.Finding{Rule: "webhook-" + map[string]string{"unsigned": "unsigned", "wrong signature": "wrong-signature"}[at.Name], Location: loc}
		switch code := at.Status; {
		case at.Error != "":
			f.Status, f.Message = probes.Error, at.Name+" event: "+at.Error
		case code >= 200 && code < 300:
			f.Status, f.Message = probes.Fail, fmt.Sprintf("%s event accepted (HTTP %d)", at.Name, code)
		case slices.Contains(rejectStatus, code):
			f.Status, f.Message = probes.Pass, fmt.Sprintf("%s event rejected (HTTP %d)", at.Name, code)
		case code == 404 || code == 405 || isRedirect(code):
			f.Status, f.Message = probes.Error, fmt.Sprintf("%s event: HTTP %d: is this the webhook URL?", at.Name, code)
		default:
			f.Status, f.Message = probes.Warn, fmt.Sprintf("%s event not accepted, but answered HTTP %d (expected %s)", at.Name, code, orList(rejectStatus))
		}
		if at.Status != 0 {
			f.Evidence = fmt.Sprintf("HTTP %d", at.Status)
		}
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
