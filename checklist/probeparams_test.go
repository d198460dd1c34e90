package checklist

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/selfassess/selfassess/probes"
)

// withProbes is minimal with its probes list replaced by lines (indented
// under `probes:`, starting at line 14).
func withProbes(lines ...string) string {
	return strings.Replace(minimal, "        probes: [tls.versions]\n",
		"        probes:\n"+strings.Join(lines, "\n")+"\n", 1)
}

func TestProbeParamsLoad(t *testing.T) {
	doc := withProbes(
		"          - tls.versions",
		"          - id: http.hsts",
		"            with: {min_max_age_days: 365, include_subdomains: true}",
		"          - id: source.gitignore",
		`            with: {required: [".env", ".env.local", "config.json", "secrets.*", "*.key"]}`,
		"          - id: webhook.signature",
		"            with: {reject_status: [401]}",
		"          - {id: http.cookies, with: {samesite: [lax, strict]}}",
		"          - {id: http.cors}",
	)
	cl, err := Parse("p.yaml", []byte(doc))
	require.NoError(t, err)
	ctl, _ := cl.Control("C-1")
	assert.Equal(t, []string{"tls.versions", "http.hsts", "source.gitignore", "webhook.signature", "http.cookies", "http.cors"}, ctl.Probes)
	assert.Equal(t, probes.Params{"min_max_age_days": 365, "include_subdomains": true}, ctl.ProbeParams("http.hsts"))
	assert.Equal(t, []string{".env", ".env.local", "config.json", "secrets.*", "*.key"}, ctl.ProbeParams("source.gitignore")["required"])
	assert.Equal(t, []int{401}, ctl.ProbeParams("webhook.signature")["reject_status"])
	// enum values are stored in the catalogue's spelling
	assert.Equal(t, []string{"Lax", "Strict"}, ctl.ProbeParams("http.cookies")["samesite"])
	assert.Nil(t, ctl.ProbeParams("tls.versions"))
	assert.Nil(t, ctl.ProbeParams("http.cors"))
	assert.NoError(t, compileSchema(t).Validate(yamlToJSON(t, []byte(doc))), "the schema accepts what Parse accepts")
}

func TestProbeParamsErrorsArePositioned(t *testing.T) {
	doc := withProbes(
		"          - id: http.hsts",
		"            with: {min_max_age: 365, include_subdomains: yes please}",
		"          - id: webhook.signature",
		`            with: {reject_status: 401}`,
		"          - {id: tls.versions, with: {min_version: TLS1.5}}",
		"          - {id: http.cors, with: {strict: true}}",
		"          - {id: source.gitignore, with: {required: [.env, 7]}}",
		"          - {id: http.hsts2, with: {min_max_age_days: 1}}",
		"          - {with: {preload: true}}",
		"          - {id: tls.ciphers, wiht: {}}",
		"          - {id: tls.certificate, with: {expiry_warn_days: \"30\"}}",
	)
	_, err := Parse("p.yaml", []byte(doc))
	p := "p.yaml:%s: sections[0].controls[0].probes"
	want := []string{
		sprintf(p, "16:20") + `[0].with.min_max_age: unknown parameter "min_max_age" for http.hsts; its parameters: min_max_age_days, include_subdomains, preload`,
		sprintf(p, "16:58") + `[0].with.include_subdomains: expected true or false, got the string "yes please"`,
		sprintf(p, "18:35") + `[1].with.reject_status: expected a list of whole numbers, got the number 401`,
		sprintf(p, "19:52") + `[2].with.min_version: "TLS1.5" is not one of TLS1.0, TLS1.1, TLS1.2, TLS1.3`,
		sprintf(p, "20:36") + `[3].with.strict: probe http.cors takes no parameters`,
		sprintf(p, "21:60") + `[4].with.required: expected a list of strings, got the number 7 in it (quote it)`,
		sprintf(p, "22:13") + `[5]: unknown probe id "http.hsts2" (did you mean "http.hsts"?); 'selfassess probe --list' shows the probe ids`,
		sprintf(p, "23:13") + `[6]: a probe with parameters needs an id: {id: http.hsts, with: {...}}`,
		sprintf(p, "24:31") + `[7].wiht: unknown field "wiht" (did you mean "with"?)`,
		sprintf(p, "25:60") + `[8].with.expiry_warn_days: expected a whole number, got the string "30"`,
	}
	assert.Equal(t, want, errorLines(t, err))
}

func sprintf(format, at string) string { return strings.Replace(format, "%s", at, 1) }

func TestProbeParamsValidatedInCode(t *testing.T) {
	cl := &Checklist{Schema: SchemaID, ID: "c", Title: "T", Version: "1", Provider: Provider{Name: "P"},
		Sections: []Section{{ID: "s", Title: "S", Controls: []Control{{ID: "C", Title: "T", Requirement: "R", Severity: High,
			Probes: []string{"http.hsts"},
			With: map[string]probes.Params{
				"http.hsts":   {"min_max_age_days": 0, "colour": "blue"},
				"tls.ciphers": {"allowed_classes": []string{"strong"}},
			}}}}}}
	err := Validate(cl)
	require.Error(t, err)
	var errs *Errors
	require.ErrorAs(t, err, &errs)
	assert.Equal(t, []string{
		`sections[0].controls[0].probes[0].with.colour: unknown parameter "colour" for http.hsts; its parameters: min_max_age_days, include_subdomains, preload`,
		`sections[0].controls[0].probes[0].with.min_max_age_days: 0 is out of range: 1 to 3650`,
		`sections[0].controls[0].probes: parameters are set for probe "tls.ciphers", which the control does not list`,
	}, errs.Lines())
}

// The parameter sets the controls ask for, each distinct set once: the
// defaults written out equal no parameters at all.
func TestProbeParamSets(t *testing.T) {
	doc := strings.Replace(withProbes(
		"          - {id: http.hsts, with: {min_max_age_days: 365}}",
	), "      - id: C-1\n", `      - id: C-0
        title: T0
        requirement: R
        severity: low
        probes: [http.hsts, tls.versions]
      - id: C-2
        title: T2
        requirement: R
        severity: low
        probes: [{id: http.hsts, with: {min_max_age_days: 180}}, {id: tls.versions, with: {min_version: TLS1.3}}]
      - id: C-1
`, 1)
	cl, err := Parse("p.yaml", []byte(doc))
	require.NoError(t, err)
	sets := cl.ProbeParamSets()
	assert.Equal(t, []probes.Params{nil, {"min_max_age_days": 365}}, sets["http.hsts"])
	assert.Equal(t, []probes.Params{nil, {"min_version": "TLS1.3"}}, sets["tls.versions"])
}

// show --format json/yaml writes the probes as they were written: an id, or
// {id, with}.
func TestControlMarshalKeepsParams(t *testing.T) {
	cl, err := Parse("p.yaml", []byte(withProbes(
		"          - tls.versions",
		"          - {id: http.hsts, with: {min_max_age_days: 365}}",
	)))
	require.NoError(t, err)
	ctl, _ := cl.Control("C-1")
	j, err := json.Marshal(ctl)
	require.NoError(t, err)
	assert.Contains(t, string(j), `"probes":["tls.versions",{"id":"http.hsts","with":{"min_max_age_days":365}}]`)
	y, err := yaml.Marshal(ctl)
	require.NoError(t, err)
	assert.Contains(t, string(y), "probes:\n    - tls.versions\n    - id: http.hsts\n      with:\n        min_max_age_days: 365\n")
	// and what it writes loads back the same
	again, err := Parse("again.yaml", []byte(strings.Replace(minimal, "      - id: C-1\n        title: T\n        requirement: R\n        severity: high\n        probes: [tls.versions]\n",
		"      - "+strings.ReplaceAll(strings.TrimSpace(string(y)), "\n", "\n        ")+"\n", 1)))
	require.NoError(t, err)
	ctl2, _ := again.Control("C-1")
	assert.Equal(t, ctl.With, ctl2.With)
}
