package demo

import (
	"crypto/tls"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/checklist"
)

// The bundled demo answers must give the same result whenever the demo
// runs: their dates are moved next to the run's "now". The fincept fixture
// has a date answer with a 90-day maximum age; years later it fails as
// written and passes once freshened.
func TestDemoDatesDoNotGoStale(t *testing.T) {
	cl, err := checklist.Builtin("fincept")
	if err != nil {
		t.Fatal(err)
	}
	later := time.Date(2035, 6, 1, 0, 0, 0, 0, time.UTC)
	failingAnswers := func(ans *answers.File) []string {
		var out []string
		for _, c := range assessment.Evaluate(cl, ans, nil, nil, assessment.Options{Now: later}).Controls {
			for _, e := range c.Evidence {
				if e.Kind == "answer" && e.Status == assessment.ReasonFail {
					out = append(out, c.ID+" "+e.Source)
				}
			}
		}
		return out
	}
	load := func() *answers.File {
		ans, err := answers.LoadFor(filepath.Join("..", "..", "testdata", "answers", "fincept-ready.yaml"), cl)
		if err != nil {
			t.Fatal(err)
		}
		return ans
	}
	stale := load()
	assert.Equal(t, []string{"FX-ACCOUNT-KEY-ROTATION development-last-rotated", "FX-ACCOUNT-KEY-ROTATION production-last-rotated"},
		failingAnswers(stale), "the fixture's dates are old by 2035")
	assert.False(t, FreshenDates(cl, &answers.File{Controls: map[string]*answers.Control{}}, later), "nothing to change")

	fresh := load()
	fresh.Controls["FX-ACCOUNT-KEY-ROTATION"].Due = "2020-01-01"
	assert.True(t, FreshenDates(cl, fresh, later))
	assert.Empty(t, failingAnswers(fresh))
	assert.Equal(t, "2035-05-02", fresh.Controls["FX-ACCOUNT-KEY-ROTATION"].Answers["production-last-rotated"])
	assert.Equal(t, "2035-09-29", fresh.Controls["FX-ACCOUNT-KEY-ROTATION"].Due)
}

// Start writes the inputs, serves both sites with a certificate only the
// demo trusts, and Close removes everything.
func TestStartServesBothSitesAndCleansUp(t *testing.T) {
	d, err := Start(time.Now())
	require.NoError(t, err)
	for _, p := range []string{d.Answers.Path, filepath.Join(d.Source)} {
		_, err := os.Stat(p)
		require.NoError(t, err, p)
	}
	require.NoError(t, answers.Validate(d.Answers, d.Checklist), "bundled answers fit the checklist")

	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: d.Targets.Roots}}}
	get := func(url string) *http.Response {
		t.Helper()
		r, err := client.Get(url)
		require.NoError(t, err)
		r.Body.Close()
		return r
	}
	good, flawed := get(d.Targets.Good), get(d.Targets.Flawed)
	assert.NotEmpty(t, good.Header.Get("Strict-Transport-Security"))
	assert.Empty(t, flawed.Header.Get("Strict-Transport-Security"))
	assert.True(t, strings.HasPrefix(flawed.Header.Get("Server"), "Apache/"))
	_, err = http.Get(d.Targets.Good)
	assert.Error(t, err, "the demo CA is not trusted outside the demo")
	assert.Contains(t, string(d.Targets.CAPEM), "BEGIN CERTIFICATE")

	d.Close()
	_, err = os.Stat(d.Answers.Path)
	assert.ErrorIs(t, err, os.ErrNotExist, "inputs removed")
	_, err = client.Get(d.Targets.Good)
	assert.Error(t, err, "sites stopped")
}
