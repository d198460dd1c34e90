package report

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/internal/synthetic"
	"github.com/selfassess/selfassess/probes"
)

// A probe run with two parameter sets gives two observations with their
// own UUIDs, and each control's finding links only the run of its own set.
func TestOSCALProbeRunsPerParameterSet(t *testing.T) {
	r := synthetic.Results(2)
	r.Controls = r.Controls[:2]
	target := "https://app.example.test"
	r.Probes = []probes.Result{
		{ID: "http.hsts", Target: target, Status: probes.Pass, Summary: "HSTS max-age 182 days", Params: probes.Resolve("http.hsts", nil)},
		{ID: "http.hsts", Target: target, Status: probes.Fail, Summary: "HSTS max-age 182 days < 365 required",
			Params: probes.Resolve("http.hsts", probes.Params{"min_max_age_days": 365})},
	}
	r.Controls[0].ProbeRefs, r.Controls[0].ProbeParams = []string{"http.hsts"}, nil
	r.Controls[1].ProbeRefs = []string{"http.hsts"}
	r.Controls[1].ProbeParams = map[string]probes.Params{"http.hsts": {"min_max_age_days": 365}}
	files, err := OSCAL(r, Options{Date: date})
	require.NoError(t, err)
	validateOSCAL(t, OSCALResultsFile, files[OSCALResultsFile])

	var ar struct {
		AR struct {
			Results []struct {
				Observations []struct{ UUID, Description string }
				Findings     []struct {
					Related []struct {
						UUID string `json:"observation-uuid"`
					} `json:"related-observations"`
				}
			}
		} `json:"assessment-results"`
	}
	require.NoError(t, json.Unmarshal(files[OSCALResultsFile], &ar))
	res := ar.AR.Results[0]
	desc := map[string]string{}
	for _, o := range res.Observations {
		_, dup := desc[o.UUID]
		assert.False(t, dup, "observation UUID %s used twice", o.UUID)
		desc[o.UUID] = o.Description
	}
	linked := func(i int) []string {
		var out []string
		for _, rel := range res.Findings[i].Related {
			if d := desc[rel.UUID]; len(d) > 4 && d[:4] == "HSTS" {
				out = append(out, d)
			}
		}
		return out
	}
	assert.Equal(t, []string{"HSTS max-age 182 days"}, linked(0))
	assert.Equal(t, []string{"HSTS max-age 182 days < 365 required"}, linked(1))
}
