package cmd

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/project"
)

func TestInitInteractiveAsksAndWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "selfassess.yaml")
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	// organisation, integration, contacts, checklist (accessible select: the
	// option number; 1 is finhub), targets, source (none)
	code := MainWith([]string{"init", "--config", path},
		terminalIO("Acme Ltd\nAcme Checkout\nsecurity@acme.example\n1\nhttps://checkout.acme.example\n\n", out, errOut))
	require.Equal(t, ExitOK, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	cfg, err := project.Parse(path, b)
	require.NoError(t, err)
	assert.Equal(t, "Acme Ltd", cfg.Organisation)
	assert.Equal(t, "Acme Checkout", cfg.Integration)
	assert.Equal(t, []string{"security@acme.example"}, cfg.Contacts)
	assert.Equal(t, "finhub", cfg.Checklist)
	assert.Equal(t, []string{"https://checkout.acme.example"}, cfg.Targets)
	assert.Empty(t, cfg.Source)

	// interrupted (input ends): nothing written
	path2 := filepath.Join(t.TempDir(), "selfassess.yaml")
	code = MainWith([]string{"init", "--config", path2}, terminalIO("Acme Ltd\n", out, errOut))
	assert.Equal(t, ExitUsage, code)
	assert.NoFileExists(t, path2)
}
