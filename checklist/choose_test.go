package checklist

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/internal/input"
)

// Errors name whichever chose the checklist; a file with problems keeps
// its positioned list (the caller prints every line).
func TestChoose(t *testing.T) {
	ids := BuiltinIDs()
	require.NotEmpty(t, ids)
	cl, err := Choose(ids[0], "--checklist")
	require.NoError(t, err)
	assert.Equal(t, ids[0], cl.ID)

	var p *input.Problem
	_, err = Choose("", "--checklist")
	require.True(t, errors.As(err, &p))
	assert.EqualError(t, err, "no checklist chosen")
	assert.Contains(t, p.Hint, ids[0])

	_, err = Choose("nope", "selfassess.yaml: checklist")
	require.True(t, errors.As(err, &p))
	assert.EqualError(t, err, `selfassess.yaml: checklist: "nope" is neither a built-in checklist nor a file`)
	assert.Contains(t, p.Hint, "built-in checklists: "+ids[0])

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("schema: selfassess/checklist/v1\nid: x\n"), 0o644))
	_, err = Choose(bad, "--checklist")
	var errs *Errors
	assert.ErrorAs(t, err, &errs)
	assert.False(t, errors.As(err, &p), "a file's problems are listed, not one Problem")
}

func TestParseFailOn(t *testing.T) {
	for in, want := range map[string]Severity{"critical": Critical, "HIGH": High, "Medium": Medium, "low": Low} {
		got, err := ParseFailOn(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "info", "hi gh"} {
		_, err := ParseFailOn(in)
		assert.EqualError(t, err, `--fail-on must be critical, high, medium or low, got "`+in+`"`)
		assert.True(t, errors.As(err, new(*input.Problem)))
	}
}
