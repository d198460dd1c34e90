package answers

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// evidence_with_secrets (the team's per-file opt-in for packing a file that
// holds a secret) loads, names only listed evidence, and survives a save.
func TestEvidenceWithSecretsLoadValidateSave(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "key.pem", "k")
	write(t, dir, "doc.md", "d")
	p := write(t, dir, "answers.yaml", `schema: selfassess/answers/v1
checklist: demo
controls:
  C-2:
    answers:
      uses_cookies: false
    evidence: [doc.md, key.pem]
    evidence_with_secrets: [key.pem, other.pem]
`)
	_, err := LoadFor(p, testChecklist())
	var errs *Errors
	require.ErrorAs(t, err, &errs)
	require.Len(t, errs.List, 1)
	assert.Equal(t, p+":8:38: controls.C-2.evidence_with_secrets[1]: other.pem is not listed under evidence; list each file there, and here only the ones packed although they hold a secret", errs.List[0].Error())

	write(t, dir, "answers.yaml", `schema: selfassess/answers/v1
checklist: demo
controls:
  C-2:
    answers:
      uses_cookies: false
    evidence: [doc.md, key.pem]
    evidence_with_secrets: [key.pem]
`)
	f, err := LoadFor(p, testChecklist())
	require.NoError(t, err)
	c := f.Controls["C-2"]
	assert.True(t, c.AllowsSecret("key.pem"))
	assert.False(t, c.AllowsSecret("doc.md"))
	line, col := f.Pos("controls.C-2.evidence[1]")
	assert.Equal(t, []int{7, 24}, []int{line, col})
	require.NoError(t, Save(f))
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Contains(t, string(b), "evidence_with_secrets:\n      - key.pem\n")
	again, err := LoadFor(p, testChecklist())
	require.NoError(t, err)
	assert.Equal(t, []string{"key.pem"}, again.Controls["C-2"].EvidenceWithSecrets)
}
