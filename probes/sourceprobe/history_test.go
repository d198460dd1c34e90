package sourceprobe

import (
	"context"
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
	dir, added, stillThere := historyRepo(t)
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

// Issue 12.19: --history N bounds the scan to the newest N commits;
// --history 0 (a negative Config.History) turns it off.
func TestHistoryScanBound(t *testing.T) {
	dir, added, _ := historyRepo(t)
	run := func(history int) probes.Result {
		rs := NewFamily().Run(context.Background(), probes.Target{Kind: probes.KindSource, Value: dir}, []string{idSecrets}, probes.Config{History: history})
		require.Len(t, rs, 1)
		return rs[0]
	}
	for _, c := range []struct {
		history, commits int
		removedFound     bool
		note             string
	}{
		{0, 4, true, ""},  // the default, 1,000
		{3, 3, true, ""},  // the key was added 3 commits back
		{2, 2, false, ""}, // and is older than the last 2
		{-1, 0, false, "history scan off: only the checked-out tree was scanned"},
	} {
		r := run(c.history)
		obs := r.Observed.(observed)
		assert.Equal(t, c.commits, obs.HistoryCommits, "history %d", c.history)
		assert.Equal(t, c.note, obs.HistoryNote, "history %d", c.history)
		removed := false
		for _, f := range r.Findings {
			if f.File == "config.py" {
				removed = true
				assert.Contains(t, f.Message, added)
			}
		}
		assert.Equal(t, c.removedFound, removed, "history %d: %+v", c.history, r.Findings)
		assert.Equal(t, probes.Fail, r.Status, "the key at HEAD is found either way")
	}
}

// historyRepo is a checkout whose second commit added an AWS key that the
// third removed, and whose fourth added a GitHub token still at HEAD; it
// returns the commits that added each key.
func historyRepo(t *testing.T) (dir, added, stillThere string) {
	requireGit(t)
	dir = t.TempDir()
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
	added = git("rev-parse", "--short=12", "HEAD")
	write("config.py", "import os\nAWS_ID = os.environ[\"AWS_ID\"]\n")
	git("commit", "-qm", "move the key to the environment")
	write("deploy.sh", "export GH="+plantedGitHub+"\n")
	git("commit", "-qm", "deploy")
	stillThere = git("rev-parse", "--short=12", "HEAD")
	return dir, added, stillThere
}

func assertNoSecret(t *testing.T, r probes.Result, secrets ...string) {
	t.Helper()
	b, err := json.Marshal(r)
	require.NoError(t, err)
	for _, s := range secrets {
		assert.NotContains(t, string(b), s[4:])
	}
}
