package assessment

import (
	"encoding/json"
	"testing"

	"github.com/selfassess/selfassess/probes"
)

// sriResults is results.json with one js.sri result per target, as a
// previous run's file holds it (observed is decoded JSON, not a Go type).
func sriResults(t *testing.T, probesJSON string) *Results {
	t.Helper()
	var r Results
	if err := json.Unmarshal([]byte(`{"schema":"selfassess/results/v1","controls":[],"probes":`+probesJSON+`}`), &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

const (
	jquery1   = `{"kind":"script","url":"https://cdn.example.net/jquery-3.7.1.min.js","origin":"https://cdn.example.net","cross_origin":true,"integrity":"sha384-1H217gwSVyLSIfaLxHbE7dRb3v4mYCKbpQvzx0cegeju1MVsGrX5xXxAvs/HgeFs","status":"pass"}`
	jquery2   = `{"kind":"script","url":"https://cdn.example.net/jquery-3.7.1.min.js","origin":"https://cdn.example.net","cross_origin":true,"integrity":"sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC","status":"pass"}`
	appJS     = `{"kind":"script","url":"https://pay.example.com/app.js","origin":"https://pay.example.com","cross_origin":false,"bytes":120,"sha384":"sha384-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","status":"pass"}`
	appJS2    = `{"kind":"script","url":"https://pay.example.com/app.js","origin":"https://pay.example.com","cross_origin":false,"bytes":131,"sha384":"sha384-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB","status":"pass"}`
	styleCSS  = `{"kind":"stylesheet","url":"https://pay.example.com/site.css","origin":"https://pay.example.com","cross_origin":false,"status":"pass","note":"not fetched"}`
	analytics = `{"kind":"script","url":"https://tags.example.org/t.js","origin":"https://tags.example.org","cross_origin":true,"status":"fail"}`
)

func sriProbe(target, resources string) string {
	b, _ := json.Marshal(target)
	return `{"id":"js.sri","target":` + string(b) + `,"status":"pass","summary":"","duration_ms":1,"observed":{"page":` + string(b) +
		`,"inventory_sha256":"x","inline_scripts":0,"resources":[` + resources + `]}}`
}

// PCI DSS 4.0 11.6.1: a change to the page's scripts is shown against the
// previous assessment: added, removed, and changed by integrity or by the
// served file's sha384.
func TestDiffListsScriptInventoryChanges(t *testing.T) {
	const pay, shop, blog = "https://pay.example.com/", "https://shop.example.com/", "https://blog.example.com/"
	old := sriResults(t, `[`+sriProbe(pay, jquery1+","+appJS+","+styleCSS)+`,`+sriProbe(shop, appJS)+`,`+sriProbe(blog, appJS)+`]`)
	cur := sriResults(t, `[`+sriProbe(pay, jquery2+","+appJS2+","+analytics)+`,`+sriProbe(shop, appJS)+
		`,{"id":"js.sri","target":"`+blog+`","status":"error","summary":"fetching: timeout","duration_ms":1,"observed":{"redirects":[]}}]`)
	d := Diff(old, cur)
	want := []ScriptChange{
		{Change: "changed", Target: pay, Kind: "script", URL: "https://cdn.example.net/jquery-3.7.1.min.js",
			OldIntegrity: "sha384-1H217gwSVyLSIfaLxHbE7dRb3v4mYCKbpQvzx0cegeju1MVsGrX5xXxAvs/HgeFs",
			NewIntegrity: "sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC"},
		{Change: "changed", Target: pay, Kind: "script", URL: "https://pay.example.com/app.js",
			OldSHA384: "sha384-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
			NewSHA384: "sha384-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"},
		{Change: "added", Target: pay, Kind: "script", URL: "https://tags.example.org/t.js"},
		{Change: "removed", Target: pay, Kind: "stylesheet", URL: "https://pay.example.com/site.css"},
	}
	if len(d.Scripts) != len(want) {
		t.Fatalf("scripts: got %d changes, want %d: %+v", len(d.Scripts), len(want), d.Scripts)
	}
	for i := range want {
		if d.Scripts[i] != want[i] {
			t.Errorf("change %d:\n got %+v\nwant %+v", i, d.Scripts[i], want[i])
		}
	}
	// the blog's page failed this time: its inventory is not compared, and that is said
	if len(d.ScriptsNotCompared) != 1 || d.ScriptsNotCompared[0] != blog {
		t.Errorf("not compared: %v, want [%s]", d.ScriptsNotCompared, blog)
	}
	if d.Empty() || !d.ControlsUnchanged() {
		t.Errorf("Empty %v, ControlsUnchanged %v: scripts changed, controls did not", d.Empty(), d.ControlsUnchanged())
	}
}

// The run that writes changes.md holds the probe's own Go value, not decoded
// JSON; both compare the same.
func TestDiffScriptInventoryFromGoValues(t *testing.T) {
	type res struct {
		Kind      string `json:"kind"`
		URL       string `json:"url"`
		Integrity string `json:"integrity,omitempty"`
		SHA384    string `json:"sha384,omitempty"`
	}
	type obs struct {
		Resources []res `json:"resources"`
	}
	const pay = "https://pay.example.com/"
	old := sriResults(t, `[`+sriProbe(pay, appJS)+`]`)
	cur := &Results{Probes: []probes.Result{{ID: "js.sri", Target: pay, Status: probes.Pass,
		Observed: &obs{Resources: []res{{Kind: "script", URL: "https://pay.example.com/app.js", SHA384: "sha384-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}}}}}
	if d := Diff(old, cur); len(d.Scripts) != 0 || len(d.ScriptsNotCompared) != 0 || !d.Empty() {
		t.Errorf("same inventory: %+v, not compared %v", d.Scripts, d.ScriptsNotCompared)
	}
	cur.Probes[0].Observed.(*obs).Resources[0].SHA384 = "sha384-CCCC"
	if d := Diff(old, cur); len(d.Scripts) != 1 || d.Scripts[0].Change != "changed" || d.Scripts[0].NewSHA384 != "sha384-CCCC" {
		t.Errorf("changed file: %+v", d.Scripts)
	}
}
