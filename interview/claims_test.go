package interview

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/answers"
)

func TestClaimsAccessible(t *testing.T) {
	cands := []ClaimCandidate{
		{Fingerprint: "source.secrets:tests/keys.py:gitleaks:generic-api-key", Control: "C-SEC", Message: "generic API key", Location: "tests/keys.py:3"},
		{Fingerprint: "source.plain-http:config/app.yaml:plain-http", Control: "C-TLS", Message: "plain http", Location: "config/app.yaml:2"},
	}
	ans := answers.New("", "t")
	saves := 0
	var out bytes.Buffer
	// choose the first only, then its justification
	err := RunClaims(context.Background(), cands, ans, ResponseOptions{In: strings.NewReader("1\n0\ntest fixture, never deployed\n"), Out: &out, Accessible: true,
		Save: func(*answers.File) error { saves++; return nil }})
	require.NoError(t, err, out.String())
	assert.Equal(t, []answers.FalsePositive{{Fingerprint: cands[0].Fingerprint, Justification: "test fixture, never deployed"}}, ans.Controls["C-SEC"].FalsePositives)
	assert.Nil(t, ans.Controls["C-TLS"])
	assert.Equal(t, 1, saves)

	// Claimed findings are not offered again; claiming nothing changes nothing.
	out.Reset()
	err = RunClaims(context.Background(), cands, ans, ResponseOptions{In: strings.NewReader("0\n"), Out: &out, Accessible: true})
	require.NoError(t, err, out.String())
	assert.NotContains(t, out.String(), "generic API key")
	assert.Contains(t, out.String(), "plain http")
	assert.Nil(t, ans.Controls["C-TLS"])
}
