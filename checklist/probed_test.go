package checklist

import "testing"

func TestProbedControls(t *testing.T) {
	cl := &Checklist{Sections: []Section{
		{Controls: []Control{{ID: "A", Probes: []string{"tls.versions"}}, {ID: "B"}}},
		{Controls: []Control{{ID: "C", Probes: []string{"http.hsts", "http.cookies"}}}},
	}}
	if n := cl.ProbedControls(); n != 2 {
		t.Errorf("ProbedControls = %d, want 2", n)
	}
	if n := (&Checklist{}).ProbedControls(); n != 0 {
		t.Errorf("empty: %d", n)
	}
}
