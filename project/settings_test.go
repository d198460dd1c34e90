package project

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMissing(t *testing.T) {
	assert.Equal(t, []string{"organisation", "integration", "checklist", "contacts"}, (&Config{Organisation: "  "}).Missing())
	assert.Equal(t, []string{"contacts"}, (&Config{Organisation: "Acme", Integration: "Checkout", Checklist: "finhub"}).Missing())
	assert.Empty(t, (&Config{Organisation: "Acme", Integration: "Checkout", Checklist: "finhub", Contacts: []string{"a@b.example"}}).Missing())
}

// Paths typed relative to the current directory are written relative to
// the settings file, which is how Load reads them back.
func TestRelativeTo(t *testing.T) {
	t.Chdir(t.TempDir())
	abs, err := filepath.Abs("keys/id")
	if err != nil {
		t.Fatal(err)
	}
	c := Config{Checklist: "finhub", Source: ".", Answers: "conf/answers.yaml", Exceptions: "~/exc.yaml",
		Output: "", SignKey: abs}
	c.RelativeTo(filepath.Join("conf", "selfassess.yaml"))
	assert.Equal(t, "finhub", c.Checklist, "a built-in checklist ID is not a path")
	assert.Equal(t, "..", c.Source)
	assert.Equal(t, "answers.yaml", c.Answers)
	assert.Equal(t, "~/exc.yaml", c.Exceptions, "~/ paths are kept")
	assert.Equal(t, "", c.Output, "an unset path stays unset")
	assert.Equal(t, abs, c.SignKey, "absolute paths are kept")

	c = Config{Checklist: "lists/mine.yaml", SignKey: "ssh-ed25519 AAAAC3Nza"}
	c.RelativeTo(filepath.Join("conf", "selfassess.yaml"))
	assert.Equal(t, filepath.Join("..", "lists", "mine.yaml"), c.Checklist)
	assert.Equal(t, "ssh-ed25519 AAAAC3Nza", c.SignKey, "pasted key material is kept for the check to refuse")
}
