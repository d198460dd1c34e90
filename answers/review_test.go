package answers

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReviewResponseAndFalsePositivesRoundTrip(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "answers.yaml", `schema: selfassess/answers/v1
checklist: t
controls:
  C-1:
    review_response: {kind: will-fix, date: 2027-01-15, owner: ana}
    false_positives:
      - {fingerprint: "source.secrets:a.py:gitleaks:x", justification: "a test fixture"}
  C-2:
    review_response: {kind: fixed, text: "moved to an HttpOnly cookie"}
`)
	f, err := Load(p)
	require.NoError(t, err)
	assert.Equal(t, &ReviewResponse{Kind: RespWillFix, Date: "2027-01-15", Owner: "ana"}, f.Controls["C-1"].ReviewResponse)
	assert.Equal(t, []FalsePositive{{Fingerprint: "source.secrets:a.py:gitleaks:x", Justification: "a test fixture"}}, f.Controls["C-1"].FalsePositives)
	assert.Equal(t, "moved to an HttpOnly cookie", f.Controls["C-2"].ReviewResponse.Text)

	f.Path = filepath.Join(dir, "saved.yaml")
	require.NoError(t, Save(f))
	g, err := Load(f.Path)
	require.NoError(t, err)
	assert.Equal(t, f.Controls["C-1"].ReviewResponse, g.Controls["C-1"].ReviewResponse, "saving keeps the response")
	assert.Equal(t, f.Controls["C-1"].FalsePositives, g.Controls["C-1"].FalsePositives, "and the claims")
}

func TestReviewResponseErrorsArePositioned(t *testing.T) {
	p := write(t, t.TempDir(), "answers.yaml", `schema: selfassess/answers/v1
checklist: t
controls:
  C-1:
    review_response: {kind: later}
  C-2:
    review_response: {kind: will-fix}
  C-3:
    false_positives:
      - {fingerprint: x}
`)
	_, err := Load(p)
	var errs *Errors
	require.ErrorAs(t, err, &errs)
	assert.Equal(t, []string{
		p + `:5:29: controls.C-1.review_response.kind: "later" is not one of fixed, will-fix, disputed, answered`,
		p + `:7:22: controls.C-2.review_response.date: will-fix needs the date it will be fixed by`,
		p + `:10:9: controls.C-3.false_positives[0].justification: required: why the finding is not real`,
	}, errs.Lines())
}
