package interview

import (
	"bytes"
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/review"
)

// reviewTUI drives RunReview through a pipe, watching the session's form
// model after every update.
type reviewTUI struct {
	t      *testing.T
	keys   *os.File
	snaps  chan [2]string // step, field
	result chan error
	last   [2]string
	mu     sync.Mutex
	saved  []review.Decisions
}

func startReview(t *testing.T, controls []review.ControlView, claims []review.ClaimView, d *review.Decisions) *reviewTUI {
	t.Helper()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	rt := &reviewTUI{t: t, keys: w, snaps: make(chan [2]string, 100000), result: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	finished := make(chan struct{})
	t.Cleanup(func() {
		cancel()
		<-finished
		r.Close()
		w.Close()
		reviewHook = nil
	})
	reviewHook = func(s *reviewSession) {
		s.observe = func(s *reviewSession) {
			step, field := s.focus()
			select {
			case rt.snaps <- [2]string{step, field}:
			default:
				panic("test snapshot buffer full")
			}
		}
	}
	opts := ReviewOptions{In: r, Out: &bytes.Buffer{}, DefaultDue: func(string) string { return "2027-01-31" },
		Save: func(d *review.Decisions) error {
			b, err := review.MarshalDecisions(d) // what the command writes
			require.NoError(t, err)
			back, err := review.ParseDraft("saved.yaml", b)
			require.NoError(t, err, string(b))
			rt.mu.Lock()
			rt.saved = append(rt.saved, *back)
			rt.mu.Unlock()
			return nil
		}}
	go func() {
		defer close(finished)
		rt.result <- RunReview(ctx, controls, claims, d, opts)
	}()
	return rt
}

func (rt *reviewTUI) at(step, field string) {
	rt.t.Helper()
	timeout := time.After(20 * time.Second) // a deadlock guard, not a speed assertion
	for {
		select {
		case s := <-rt.snaps:
			rt.last = s
			if s[0] == step && s[1] == field {
				return
			}
		case err := <-rt.result:
			rt.t.Fatalf("review ended (%v) while waiting for %s/%s; last %v", err, step, field, rt.last)
		case <-timeout:
			rt.t.Fatalf("timed out waiting for %s/%s; last %v", step, field, rt.last)
		}
	}
}

func (rt *reviewTUI) press(keys ...string) {
	rt.t.Helper()
	for _, k := range keys {
		_, err := rt.keys.WriteString(k)
		require.NoError(rt.t, err)
	}
}

func (rt *reviewTUI) end() error {
	rt.t.Helper()
	select {
	case err := <-rt.result:
		return err
	case <-time.After(20 * time.Second):
		rt.t.Fatalf("review did not end; last %v", rt.last)
		return nil
	}
}

func reviewFixture() ([]review.ControlView, []review.ClaimView) {
	return []review.ControlView{
			{ID: "C-TOK", Title: "Tokens", Severity: "critical", Status: "fail", Needs: true, Details: []string{"Probe source.token-storage [fail]: localStorage"}},
			{ID: "C-KMS", Title: "KMS", Severity: "high", Status: "not_tested", Needs: true},
			{ID: "C-LOG", Title: "Logs", Severity: "medium", Status: "pass"},
			{ID: "C-TLS", Title: "TLS", Severity: "high", Status: "pass"},
		}, []review.ClaimView{
			{Fingerprint: "source.tls-verification:client/http.go:tls-verification:go-insecure-skip-verify", Control: "C-TLS", Justification: "test helper"},
		}
}

func TestReviewFormDecidesAndResumes(t *testing.T) {
	controls, claims := reviewFixture()
	d := &review.Decisions{Schema: review.DecisionsSchemaID}
	rt := startReview(t, controls, claims, d)

	// C-TOK: changes requested, with a finding; severity and due keep their defaults
	rt.at("C-TOK", "decision")
	rt.press(keyDown, keyEnter)
	rt.at("C-TOK", "finding")
	rt.press("tokens reach localStorage", keyEnter)
	rt.at("C-TOK", "severity")
	rt.press(keyEnter)
	rt.at("C-TOK", "due")
	rt.press(keyEnter)
	// C-KMS: then Ctrl-C; C-TOK is saved
	rt.at("C-KMS", "decision")
	rt.press(keyCtrlC)
	require.ErrorIs(t, rt.end(), ErrInterrupted)
	require.Len(t, rt.saved, 1)
	assert.Equal(t, review.ControlDecision{Decision: review.ChangesRequested, Finding: "tokens reach localStorage", Severity: "critical", Due: "2027-01-31"},
		rt.saved[0].Controls["C-TOK"])

	// Resume from what was saved: C-TOK is not asked again.
	resumed := rt.saved[0]
	rt = startReview(t, controls, claims, &resumed)
	rt.at("C-KMS", "decision")
	rt.press(keyDown, keyDown, keyEnter) // question
	rt.at("C-KMS", "question")
	rt.press("Which KMS?", keyEnter)
	// the passing controls in one step
	rt.at("accept-rest", "accept-rest")
	rt.press(keyEnter)
	// the claim: rejected, with the reason
	rt.at(claims[0].Fingerprint, "decision")
	rt.press(keyDown, keyEnter)
	rt.at(claims[0].Fingerprint, "reason")
	rt.press("ships in the binary", keyEnter)
	// overall: changes requested
	rt.at("overall", "decision")
	rt.press(keyEnter)
	require.NoError(t, rt.end())

	final := rt.saved[len(rt.saved)-1]
	assert.Equal(t, review.Accepted, final.Default, "accept all remaining passing controls")
	assert.Equal(t, review.ControlDecision{Decision: review.Question, Question: "Which KMS?"}, final.Controls["C-KMS"])
	assert.Equal(t, "critical", final.Controls["C-TOK"].Severity, "kept from the first session")
	assert.Equal(t, review.FalsePositiveReply{Decision: review.Rejected, Reason: "ships in the binary"}, final.FalsePositives[claims[0].Fingerprint])
	assert.Equal(t, review.OverallChanges, final.Overall.Decision)
	b, err := review.MarshalDecisions(&final)
	require.NoError(t, err)
	_, err = review.ParseDecisions("final.yaml", b)
	require.NoError(t, err, "the completed decisions are a valid decisions file")
}

func TestReviewFormOneByOneAndValidation(t *testing.T) {
	controls, _ := reviewFixture()
	d := &review.Decisions{Schema: review.DecisionsSchemaID, Controls: map[string]review.ControlDecision{
		"C-TOK": {Decision: review.Accepted}, "C-KMS": {Decision: review.Accepted}}}
	rt := startReview(t, controls, nil, d)
	rt.at("accept-rest", "accept-rest")
	rt.press("\x1b[C", keyEnter) // right: "One by one"
	rt.at("C-LOG", "decision")
	rt.press(keyDown, keyEnter)
	rt.at("C-LOG", "finding")
	rt.press(keyEnter) // empty: refused, stays
	rt.press("show the retention setting", keyEnter)
	rt.at("C-LOG", "severity")
	rt.press(keyEnter)
	rt.at("C-LOG", "due")
	rt.press(keyCtrlU, "soon", keyEnter) // not a date: refused
	rt.press(keyCtrlU, "2027-02-28", keyEnter)
	rt.at("C-TLS", "decision")
	rt.press(keyEnter)
	rt.at("overall", "decision")
	rt.press(keyCtrlC)
	require.ErrorIs(t, rt.end(), ErrInterrupted)
	last := rt.saved[len(rt.saved)-1]
	assert.Equal(t, "", last.Default, "one by one: no default")
	assert.Equal(t, review.ControlDecision{Decision: review.ChangesRequested, Finding: "show the retention setting", Severity: "medium", Due: "2027-02-28"}, last.Controls["C-LOG"])
	assert.Equal(t, review.Accepted, last.Controls["C-TLS"].Decision)
}

func TestReviewFormAccessible(t *testing.T) {
	controls, claims := reviewFixture()
	d := &review.Decisions{Schema: review.DecisionsSchemaID}
	var out bytes.Buffer
	var saved []review.Decisions
	in := strings.NewReader(strings.Join([]string{
		"2", "tokens reach localStorage", "1", "", // C-TOK: changes-requested, finding, severity critical, due default
		"1",                        // C-KMS: accepted
		"y",                        // accept all remaining passing controls
		"2", "ships in the binary", // the claim: rejected
		"1", // overall: changes-requested
	}, "\n") + "\n")
	err := RunReview(context.Background(), controls, claims, d, ReviewOptions{In: in, Out: &out, Accessible: true,
		DefaultDue: func(string) string { return "2027-01-31" },
		Save:       func(d *review.Decisions) error { saved = append(saved, *d); return nil }})
	require.NoError(t, err, out.String())
	assert.Contains(t, out.String(), "C-TOK · Tokens · critical · FAIL")
	assert.Contains(t, out.String(), "Probe source.token-storage [fail]: localStorage")
	assert.Equal(t, review.ControlDecision{Decision: review.ChangesRequested, Finding: "tokens reach localStorage", Severity: "critical", Due: "2027-01-31"}, d.Controls["C-TOK"])
	assert.Equal(t, review.Accepted, d.Controls["C-KMS"].Decision)
	assert.Equal(t, review.Accepted, d.Default)
	assert.Equal(t, review.FalsePositiveReply{Decision: review.Rejected, Reason: "ships in the binary"}, d.FalsePositives[claims[0].Fingerprint])
	assert.Equal(t, review.OverallChanges, d.Overall.Decision)
	assert.Len(t, saved, 5, "saved after every step")
}
