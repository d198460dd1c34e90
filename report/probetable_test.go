package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/selfassess/selfassess/probes"
)

func TestWriteProbeResultsTable(t *testing.T) {
	rs := []probes.Result{
		{ID: "source.token-storage", Target: "source folder a\x1b]0;x\a (not a git checkout)", Status: probes.Fail, Summary: "one\ntwo",
			Findings: []probes.Finding{
				{Status: probes.Fail, Message: "token in\nweb storage", Location: "web/a.js:2"},
				{Status: probes.Info, Message: "not shown"},
			}},
		{ID: "tls.versions", Target: "https://a.example/", Status: probes.Pass, Summary: "offered: TLS1.3"},
	}
	var b bytes.Buffer
	if err := WriteProbeResults(&b, "table", rs); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"TARGET", "PROBE", "STATUS", "SUMMARY",
		`"source folder a\x1b]0;x\a (not a git checkout)"  source.token-storage  fail    one; two`,
		"fail: token in; web storage (web/a.js:2)",
		"https://a.example/",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "not shown") || strings.ContainsAny(out, "\x1b\a") {
		t.Errorf("table shows an info finding or a raw escape code:\n%s", out)
	}

	b.Reset()
	if err := WriteProbeResults(&b, "json", rs); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Probes []probes.Result `json:"probes"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil || len(doc.Probes) != 2 || doc.Probes[0].Target != rs[0].Target {
		t.Errorf("json: %v %+v", err, doc)
	}
}

func TestWriteCatalogue(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCatalogue(&b, "table"); err != nil {
		t.Fatal(err)
	}
	for _, d := range probes.Catalogue {
		if !strings.Contains(b.String(), d.ID) {
			t.Errorf("the catalogue lacks %s", d.ID)
		}
	}
	if !strings.Contains(b.String(), "with min_max_age_days (integer, default 180):") {
		t.Errorf("no parameter line:\n%s", b.String())
	}
	b.Reset()
	if err := WriteCatalogue(&b, "json"); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Probes []probes.Descriptor `json:"probes"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil || len(doc.Probes) != len(probes.Catalogue) {
		t.Errorf("json: %v, %d probes", err, len(doc.Probes))
	}
}
