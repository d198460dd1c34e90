package sourceprobe

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/probes"
)

// Issue 12.19: a key committed and removed since stays in every clone;
// source.secrets reports it with the commit that added it and says to
// rotate it; a key still at HEAD names its commit too.
func TestHistoryScanFindsRemovedSecrets(t *testing.T) {
	requireGit(t)
	dir := t.TempDir()
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@t"}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "git %v: %s", args, out)
		return strings.TrimSpace(string(out))
	}
	write := func(name, content string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
		git("add", name)
	}
	git("init", "-q")
	write("main.go", "package main\n")
	git("commit", "-qm", "init")
	write("config.py", "import os\nAWS_ID = \""+plantedAWS+"\"\n")
	git("commit", "-qm", "add config")
	added := git("rev-parse", "--short=12", "HEAD")
	write("config.py", "import os\nAWS_ID = os.environ[\"AWS_ID\"]\n")
	git("commit", "-qm", "move the key to the environment")
	write("deploy.sh", "export GH="+plantedGitHub+"\n")
	git("commit", "-qm", "deploy")
	stillThere := git("rev-parse", "--short=12", "HEAD")

	r := scanOneProbe(t, dir, idSecrets)
	assert.Equal(t, probes.Fail, r.Status)
	var removed, head *probes.Finding
	for i, f := range r.Findings {
		switch f.File {
		case "config.py":
			removed = &r.Findings[i]
		case "deploy.sh":
			head = &r.Findings[i]
		}
	}
	require.NotNil(t, removed, "the removed key is reported: %+v", r.Findings)
	assert.Equal(t, 2, removed.Line)
	assert.Contains(t, removed.Message, added)
	assert.Contains(t, removed.Message, "rotate")
	assert.Contains(t, removed.Message, "no longer at HEAD")
	require.NotNil(t, head)
	assert.Contains(t, head.Message, stillThere)
	assert.Len(t, r.Findings, 2, "the key still at HEAD is reported once")
	obs := r.Observed.(observed)
	assert.Equal(t, 4, obs.HistoryCommits)
	assertNoSecret(t, r, plantedAWS, plantedGitHub)
}

func assertNoSecret(t *testing.T, r probes.Result, secrets ...string) {
	t.Helper()
	b, err := json.Marshal(r)
	require.NoError(t, err)
	for _, s := range secrets {
		assert.NotContains(t, string(b), s[4:])
	}
}
