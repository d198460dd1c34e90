package probes

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/selfassess/selfassess/internal/input"
)

func TestParseWith(t *testing.T) {
	got, err := ParseWith([]string{"http.hsts.min_max_age_days=365", "webhook.signature.reject_status=401,403", "http.hsts.min_max_age_days=400"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Params{"http.hsts": {"min_max_age_days": 400}, "webhook.signature": {"reject_status": []int{401, 403}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseWith = %v, want %v (a later setting wins)", got, want)
	}
	if none, err := ParseWith(nil); none != nil || err != nil {
		t.Errorf("no --with: %v, %v", none, err)
	}
	const hint = "run 'selfassess probe --list' to see each probe's parameters"
	for raw, want := range map[string]string{
		"http.hsts":                         `--with "http.hsts": not probe.param=value`,
		".x=1":                              `--with ".x=1": not probe.param=value`,
		"http.hsts.=1":                      `--with "http.hsts.=1": not probe.param=value`,
		"http.nope.x=1":                     `--with http.nope.x: unknown probe id "http.nope"`,
		"http.banners.x=1":                  `--with http.banners.x: probe http.banners takes no parameters`,
		"http.hsts.max=1":                   `--with http.hsts.max: unknown parameter "max"; http.hsts takes min_max_age_days, include_subdomains, preload`,
		"http.hsts.min_max_age_days=0":      `--with http.hsts.min_max_age_days: 0 is out of range: 1 to 3650`,
		"http.hsts.min_max_age_days=a year": "",
	} {
		_, err := ParseWith([]string{raw})
		var p *input.Problem
		if !errors.As(err, &p) {
			t.Errorf("%s: %v is not an *input.Problem", raw, err)
			continue
		}
		if want != "" && err.Error() != want {
			t.Errorf("%s: %q, want %q", raw, err.Error(), want)
		}
		if form := strings.HasSuffix(want, "not probe.param=value"); p.Hint == "" || !form && p.Hint != hint {
			t.Errorf("%s: hint %q", raw, p.Hint)
		}
	}
}
