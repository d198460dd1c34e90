package assessment

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/input"
	"github.com/selfassess/selfassess/probes"
)

// CI mode lists each control it cannot evaluate with what is missing:
// the questions, and the evidence a passing answer needs.
func TestRequireAnswered(t *testing.T) {
	cl := &checklist.Checklist{ID: "t", Sections: []checklist.Section{{ID: "s", Controls: []checklist.Control{
		{ID: "A", Questions: []checklist.Question{{ID: "mfa", Type: checklist.Confirm}, {ID: "how", Type: checklist.Text}}},
		{ID: "B", Questions: []checklist.Question{{ID: "tls", Type: checklist.Confirm, Pass: &checklist.PassCriteria{Equals: ptr(true)}}},
			Evidence: []checklist.Evidence{{ID: "policy", Required: true}}},
		{ID: "C", Questions: []checklist.Question{{ID: "ok", Type: checklist.Confirm}}},
	}}}}
	f := answers.New("answers.yaml", "t")
	f.Controls["A"] = &answers.Control{Answers: map[string]any{"mfa": true}}
	f.Controls["B"] = &answers.Control{Answers: map[string]any{"tls": true}}
	f.Controls["C"] = &answers.Control{Answers: map[string]any{"ok": true}}

	lines, err := RequireAnswered(cl, f, now)
	assert.Equal(t, []string{"unanswered: A (how)", "unanswered: B (evidence policy)"}, lines)
	assert.EqualError(t, err, "2 of 3 controls are not answered in answers.yaml")
	var p *input.Problem
	require.True(t, errors.As(err, &p))
	assert.Contains(t, p.Hint, "--allow-unanswered")

	// an honest "no" needs no evidence; with every question answered, nothing is missing
	f.Controls["A"].Answers["how"] = "TOTP"
	f.Controls["B"].Answers["tls"] = false
	lines, err = RequireAnswered(cl, f, now)
	assert.NoError(t, err)
	assert.Empty(t, lines)
}

// The run's metadata: URLs redacted, a source tree through SourceRef, UTC times.
func TestStamp(t *testing.T) {
	r := &Results{}
	paris := time.FixedZone("CET", 3600)
	run := Run{Tool: Tool{Name: "selfassess", Version: "1.2"}, Project: Project{Organisation: "Acme"},
		Targets: []probes.Target{{Kind: probes.KindURL, Value: "https://u:secret@a.test/"}, {Kind: probes.KindSource, Value: "src"}},
		Started: time.Date(2026, 12, 4, 10, 0, 0, 0, paris), Finished: time.Date(2026, 12, 4, 10, 5, 0, 0, paris)}
	r.Stamp(run)
	assert.Equal(t, "selfassess", r.Tool.Name)
	assert.Equal(t, "Acme", r.Project.Organisation)
	require.Len(t, r.Targets, 2)
	assert.NotContains(t, r.Targets[0], "secret")
	assert.Equal(t, "src", r.Targets[1])
	assert.Equal(t, time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC), r.StartedAt)
	assert.Equal(t, time.UTC, r.FinishedAt.Location())

	run.SourceRef = func(dir string) string { return dir + " (git abc123)" }
	run.Targets = nil
	r.Stamp(run)
	assert.Equal(t, []string{}, r.Targets, "no targets is an empty list, not null")
	run.Targets = []probes.Target{{Kind: probes.KindSource, Value: "src"}}
	r.Stamp(run)
	assert.Equal(t, []string{"src (git abc123)"}, r.Targets)
}
