package assessment_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/probes/httpprobe"
	"github.com/selfassess/selfassess/probes/sourceprobe"
)

const twoHSTSControls = `schema: selfassess/checklist/v1
id: two
title: Two thresholds
version: "1"
provider: {name: P}
sections:
  - id: s
    title: S
    controls:
      - id: DEFAULT-HSTS
        title: HSTS at the default threshold
        requirement: HSTS.
        severity: high
        probes: [http.hsts]
      - id: FX-NET-HTTPS-ONLY
        title: HSTS for a year
        requirement: HSTS for at least a year.
        severity: high
        probes:
          - id: http.hsts
            with: {min_max_age_days: 365}
`

// One real server sends HSTS for 182 days. The probe runs once per
// parameter set; the control that keeps the default (180 days) passes, the
// one that asks for 365 fails, and its evidence names the threshold.
func TestTwoControlsTwoThresholdsOneServer(t *testing.T) {
	const maxAge = 182 * 86400
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", fmt.Sprintf("max-age=%d", maxAge))
		fmt.Fprintln(w, "ok")
	}))
	defer srv.Close()

	cl, err := checklist.Parse("two.yaml", []byte(twoHSTSControls))
	require.NoError(t, err)
	cfg := probes.Config{Timeout: 5 * time.Second, RootCAs: srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs,
		Only: []string{"http.hsts"}, ParamSets: cl.ProbeParamSets()}
	results := probes.Run(context.Background(), []probes.Family{httpprobe.NewFamily()},
		[]probes.Target{{Kind: probes.KindURL, Value: srv.URL}}, cfg)

	require.Len(t, results, 2, "one http.hsts result per distinct parameter set")
	assert.Equal(t, probes.Pass, results[0].Status, results[0].Summary)
	assert.Equal(t, 180, results[0].Params["min_max_age_days"])
	assert.Equal(t, probes.Fail, results[1].Status, results[1].Summary)
	assert.Equal(t, 365, results[1].Params["min_max_age_days"])

	res := assessment.Evaluate(cl, answers.New("", "two"), results, nil, assessment.Options{})
	byID := map[string]assessment.Control{}
	for _, c := range res.Controls {
		byID[c.ID] = c
	}
	assert.Equal(t, assessment.ControlPass, byID["DEFAULT-HSTS"].Status)
	assert.Equal(t, assessment.ControlFail, byID["FX-NET-HTTPS-ONLY"].Status)
	assert.Equal(t, probes.Params{"min_max_age_days": 365}, byID["FX-NET-HTTPS-ONLY"].ProbeParams["http.hsts"])
	var lines []string
	for _, e := range byID["FX-NET-HTTPS-ONLY"].Evidence {
		lines = append(lines, e.Message)
	}
	assert.Contains(t, lines, "HSTS max-age 182 days < 365 required (min_max_age_days=365 set by FX-NET-HTTPS-ONLY)")
	for _, e := range byID["DEFAULT-HSTS"].Evidence {
		assert.NotContains(t, e.Message, "365", "the default control is judged by its own run only")
	}
}

// A result of another parameter set never stands in for the control's own:
// without it the control's probe did not run.
func TestControlIgnoresResultsOfOtherParameters(t *testing.T) {
	cl, err := checklist.Parse("two.yaml", []byte(twoHSTSControls))
	require.NoError(t, err)
	def := probes.Result{ID: "http.hsts", Target: "https://a.test", Status: probes.Pass, Summary: "HSTS max-age 200 days",
		Params: probes.Resolve("http.hsts", nil)}
	res := assessment.Evaluate(cl, answers.New("", "two"), []probes.Result{def}, nil, assessment.Options{})
	assert.Equal(t, assessment.ControlPass, res.Controls[0].Status)
	assert.Equal(t, assessment.ControlNotTested, res.Controls[1].Status)
	assert.Contains(t, res.Controls[1].Evidence[0].Message, "probe not run with this control's parameters (min_max_age_days=365)")
}

// Fincept says: "Add to .gitignore: .env .env.local config.json secrets.*
// *.key". A repository that does exactly that passes FX-KEY-GITIGNORE
// (defect 4); one that leaves out config.json fails; and a secret file
// present and not ignored fails whatever the list says.
func TestFinceptGitignoreFiveEntries(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	cl, err := checklist.Builtin("fincept")
	require.NoError(t, err)
	ctl, _ := cl.Control("FX-KEY-GITIGNORE")
	require.NotNil(t, ctl)
	ans := answers.New("", "fincept")
	ans.Controls["FX-KEY-GITIGNORE"] = &answers.Control{Answers: map[string]any{"all-repos": true}}

	five := ".env\n.env.local\nconfig.json\nsecrets.*\n*.key\n"
	tests := []struct {
		name      string
		gitignore string
		extra     map[string]string // untracked files
		want      assessment.ControlStatus
	}{
		{"exactly the five entries", five, nil, assessment.ControlPass},
		{"the five, with an ignored .env present", five, map[string]string{".env": "FINCEPT_API_KEY=fk_live_abcdefghijklmnop\n"}, assessment.ControlPass},
		{"config.json left out", ".env\n.env.local\nsecrets.*\n*.key\n", nil, assessment.ControlFail},
		{"a secret file present and not ignored", five, map[string]string{".env.production": "FINCEPT_API_KEY=x\n"}, assessment.ControlFail},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := gitTree(t, map[string]string{
				".gitignore": tc.gitignore,
				"main.go":    "package main\n\nimport \"os\"\n\nvar key = os.Getenv(\"FINCEPT_API_KEY\")\n",
			})
			for name, body := range tc.extra {
				require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600))
			}
			results := probes.Run(context.Background(), []probes.Family{sourceprobe.NewFamily()},
				[]probes.Target{{Kind: probes.KindSource, Value: dir}},
				probes.Config{Only: []string{"source.gitignore"}, ParamSets: cl.ProbeParamSets()})
			res := assessment.Evaluate(cl, ans, results, nil, assessment.Options{})
			for _, c := range res.Controls {
				if c.ID == "FX-KEY-GITIGNORE" {
					var ev []string
					for _, e := range c.Evidence {
						ev = append(ev, string(e.Status)+": "+e.Message)
					}
					assert.Equal(t, tc.want, c.Status, strings.Join(ev, "\n"))
				}
			}
		})
	}

	// The same five-entry tree under the default list (id_rsa, credentials.json
	// and .env.*.local required too) fails: the parameters made the difference.
	dir := gitTree(t, map[string]string{".gitignore": five, "main.go": "package main\n"})
	r := sourceprobe.Scan(context.Background(), dir, []string{"source.gitignore"})
	require.Len(t, r, 1)
	assert.Equal(t, probes.Fail, r[0].Status, r[0].Summary)
}

// gitTree writes files into a new git repository and commits them.
func gitTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600))
	}
	for _, args := range [][]string{
		{"init", "-q"},
		{"add", "."},
		{"-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "-q", "-m", "init"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "git %v: %s", args, out)
	}
	return dir
}
