package report

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/assessment"
)

// The terminal diff: a control that now passes, a finding resolved and
// one still open with its due date.
func TestChangesTable(t *testing.T) {
	old, cur := withRound(t), withRound(t)
	cur.Controls[0].Status = assessment.ControlPass
	cur.Tracked = cur.Tracked[1:2] // the first finding is gone; the overdue one stays
	var b strings.Builder
	require.NoError(t, ChangesTable(&b, assessment.Diff(old, cur)))
	out := b.String()
	assert.Regexp(t, `(?m)^newly passing +FH-AUTH-1 +critical +FAIL +PASS +`, out)
	assert.Contains(t, out, "finding resolved  source.token-storage:web/auth.js:token-in-web-storage (FH-AUTH-1)\n")
	assert.Contains(t, out, "finding overdue  source.token-storage:web/legacy.js:token-in-web-storage (FH-AUTH-1, due 2026-10-15)\n")

	b.Reset()
	require.NoError(t, ChangesTable(&b, assessment.Diff(old, old)))
	assert.Contains(t, b.String(), "no control changed status")
}
