package report

import (
	"bytes"
	"encoding/json"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/internal/oscaltest"
	"github.com/selfassess/selfassess/internal/synthetic"
)

func validateOSCAL(t *testing.T, name string, b []byte) {
	t.Helper()
	if err := oscaltest.Validate(b); err != nil {
		t.Errorf("%s does not validate against OSCAL %s: %v", name, OSCALVersion, err)
	}
}

// TestOSCALValidatesAgainstNISTSchema renders a not-ready assessment holding
// every control status, and a ready one with nothing open, and validates
// all three documents against NIST's schema for the declared version.
func TestOSCALValidatesAgainstNISTSchema(t *testing.T) {
	require.Equal(t, oscaltest.Version, OSCALVersion, "validate against the version the files declare")
	ready := synthetic.Results(30)
	for i := range ready.Controls {
		ready.Controls[i].Status = assessment.ControlPass
	}
	for name, r := range map[string]*assessment.Results{"not ready": load(t), "ready": ready} {
		t.Run(name, func(t *testing.T) {
			files, err := OSCAL(r, Options{Date: date})
			require.NoError(t, err)
			require.Len(t, files, 3)
			for f, b := range files {
				validateOSCAL(t, f, b)
				var doc map[string]map[string]any
				require.NoError(t, json.Unmarshal(b, &doc))
				for _, v := range doc {
					assert.Equal(t, OSCALVersion, v["metadata"].(map[string]any)["oscal-version"], f)
				}
			}
		})
	}
}

// TestOSCALSchemaCatchesMistakes keeps the validation honest: a document
// with a finding state OSCAL does not define must be refused.
func TestOSCALSchemaCatchesMistakes(t *testing.T) {
	files, err := OSCAL(load(t), Options{Date: date})
	require.NoError(t, err)
	bad := bytes.Replace(files[OSCALResultsFile], []byte(`"state": "not-satisfied"`), []byte(`"state": "failed"`), 1)
	require.NotEqual(t, files[OSCALResultsFile], bad)
	assert.Error(t, oscaltest.Validate(bad))
}

func TestOSCALContent(t *testing.T) {
	r := load(t)
	files, err := OSCAL(r, Options{Date: date})
	require.NoError(t, err)
	var ar struct {
		AR struct {
			ImportAP struct{ Href string } `json:"import-ap"`
			Results  []struct {
				Observations []struct {
					Methods  []string
					Evidence []struct {
						Href  string
						Props []struct{ Name, Value string }
					} `json:"relevant-evidence"`
				}
				Findings []struct {
					Target struct {
						TargetID string `json:"target-id"`
						Status   struct{ State, Reason string }
					}
					Props []struct{ Name, Value string }
				}
				Risks []struct {
					Title, Status, Deadline string
				}
			}
		} `json:"assessment-results"`
	}
	require.NoError(t, json.Unmarshal(files[OSCALResultsFile], &ar))
	assert.Equal(t, OSCALPlanFile, ar.AR.ImportAP.Href)
	res := ar.AR.Results[0]
	methods := map[string]int{}
	for _, o := range res.Observations {
		for _, m := range o.Methods {
			methods[m]++
		}
		for _, e := range o.Evidence {
			assert.Equal(t, "evidence/data-flow.pdf", e.Href)
			assert.Equal(t, "sha256", e.Props[0].Name)
		}
	}
	assert.Positive(t, methods["INTERVIEW"], "answers are INTERVIEW observations")
	assert.Positive(t, methods["EXAMINE"], "evidence files are EXAMINE observations")
	assert.Positive(t, methods["TEST"], "probe results are TEST observations")
	require.Len(t, res.Findings, len(r.Controls))
	for i, f := range res.Findings {
		c := r.Controls[i]
		assert.Equal(t, c.ID, f.Target.TargetID)
		assert.Equal(t, OSCALStatus(c.Status).State, f.Target.Status.State, c.ID)
		assert.Contains(t, f.Props, struct{ Name, Value string }{"status", string(c.Status)})
	}
	risky := 0
	for _, c := range r.Controls {
		if OSCALStatus(c.Status).Risk != "" {
			risky++
		}
	}
	assert.Len(t, res.Risks, risky)
	var poam struct {
		P struct {
			Items []struct{ Title string } `json:"poam-items"`
		} `json:"plan-of-action-and-milestones"`
	}
	require.NoError(t, json.Unmarshal(files[OSCALPOAMFile], &poam))
	assert.Len(t, poam.P.Items, risky, "one POA&M item per control carrying a risk")
}

// TestOSCALStatusMapping is the README's table.
func TestOSCALStatusMapping(t *testing.T) {
	for s, want := range map[assessment.ControlStatus]oscalStatus{
		"pass":           {"satisfied", "pass", ""},
		"not_applicable": {"satisfied", "other", ""},
		"fail":           {"not-satisfied", "fail", "open"},
		"partial":        {"not-satisfied", "other", "open"},
		"error":          {"not-satisfied", "other", "investigating"},
		"excepted":       {"not-satisfied", "fail", "deviation-approved"},
		"not_tested":     {"not-satisfied", "other", ""},
	} {
		assert.Equal(t, want, OSCALStatus(s), s)
	}
}

// TestOSCALDeterministic: the same results give byte-identical files, with
// v5 UUIDs.
func TestOSCALDeterministic(t *testing.T) {
	a, err := OSCAL(load(t), Options{Date: date})
	require.NoError(t, err)
	b, err := OSCAL(load(t), Options{Date: date})
	require.NoError(t, err)
	assert.Equal(t, a, b)
	v5 := regexp.MustCompile(`"uuid": "[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"`)
	assert.Positive(t, len(v5.FindAll(a[OSCALResultsFile], -1)))
	other := load(t)
	other.Project.Organisation = "Another Org"
	c, err := OSCAL(other, Options{Date: date})
	require.NoError(t, err)
	assert.NotEqual(t, a[OSCALResultsFile], c[OSCALResultsFile])
}
