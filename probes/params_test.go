package probes

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every declared parameter has a default of its type that passes its own
// checks, and a meaning to show in --list and the README.
func TestCatalogueParamsAreWellFormed(t *testing.T) {
	for _, d := range Catalogue {
		for _, p := range d.Params {
			assert.NotEmpty(t, p.Meaning, "%s.%s", d.ID, p.Name)
			v, err := p.Check(p.Default)
			assert.NoError(t, err, "%s.%s default", d.ID, p.Name)
			assert.Equal(t, p.Default, v, "%s.%s default is normalised", d.ID, p.Name)
		}
	}
}

func TestParamParseAndCheck(t *testing.T) {
	hsts, _ := LookupParam("http.hsts", "min_max_age_days")
	v, err := hsts.Parse("365")
	require.NoError(t, err)
	assert.Equal(t, 365, v)
	_, err = hsts.Parse("1y")
	assert.EqualError(t, err, `expected an integer, got "1y"`)
	_, err = hsts.Parse("0")
	assert.EqualError(t, err, "0 is out of range: 1 to 3650")

	same, _ := LookupParam("http.cookies", "samesite")
	v, err = same.Parse("lax, STRICT,lax")
	require.NoError(t, err)
	assert.Equal(t, []string{"Lax", "Strict"}, v, "enum spelling, duplicates dropped")
	_, err = same.Parse("")
	assert.EqualError(t, err, "expected at least one value")

	rej, _ := LookupParam("webhook.signature", "reject_status")
	v, err = rej.Parse("401")
	require.NoError(t, err)
	assert.Equal(t, []int{401}, v)
	_, err = rej.Parse("200")
	assert.EqualError(t, err, "200 is out of range: 400 to 599")

	req, _ := LookupParam("source.gitignore", "required")
	v, err = req.Parse("")
	require.NoError(t, err)
	assert.Equal(t, []string{}, v, "an empty value is an empty list")
}

func TestParamsKeyIgnoresSpelledOutDefaults(t *testing.T) {
	assert.Equal(t, ParamsKey("http.hsts", nil), ParamsKey("http.hsts", Params{"min_max_age_days": 180}))
	assert.NotEqual(t, ParamsKey("http.hsts", nil), ParamsKey("http.hsts", Params{"min_max_age_days": 365}))
	assert.Equal(t, "", ParamsKey("http.cors", nil), "a probe without parameters")
	// values read back from results.json (float64, []any) give the same key
	assert.Equal(t, ParamsKey("webhook.signature", Params{"reject_status": []int{401}}),
		ParamsKey("webhook.signature", Params{"reject_status": []any{float64(401)}}))
	assert.Equal(t, Params{"min_max_age_days": 365, "include_subdomains": false, "preload": false},
		Resolve("http.hsts", Params{"min_max_age_days": 365}))
}

// The runner runs a family once per distinct parameter set: ids without
// extra sets ride along in the first run only, and each result carries the
// parameters it was judged by.
func TestRunOncePerParameterSet(t *testing.T) {
	var mu sync.Mutex
	var runs [][]string
	fam := fakeFamily{name: "http", ids: []string{"http.hsts", "http.cookies", "http.cors"}, kind: KindURL,
		run: func(tg Target, ids []string) []Result {
			mu.Lock()
			runs = append(runs, ids)
			mu.Unlock()
			return passAll(tg, ids)
		}}
	var seen sync.Map
	fam2 := withConfig{fam, func(ids []string, cfg Config) {
		for _, id := range ids {
			seen.Store(id+"="+ParamsKey(id, cfg.With[id]), cfg.Params(id))
		}
	}}
	cfg := Config{ParamSets: map[string][]Params{
		"http.hsts": {nil, {"min_max_age_days": 365}, {"min_max_age_days": 180}}, // the third is the first again
	}}
	rs := Run(context.Background(), []Family{fam2}, []Target{{Kind: KindURL, Value: "https://a.example"}}, cfg)
	var got []string
	for _, r := range rs {
		got = append(got, r.ID+" "+FormatValue(r.Params["min_max_age_days"]))
	}
	assert.Equal(t, []string{"http.hsts 180", "http.hsts 365", "http.cookies <nil>", "http.cors <nil>"}, got)
	assert.Len(t, runs, 2)
	assert.Equal(t, 365, rs[1].Params["min_max_age_days"])
	p, ok := seen.Load("http.hsts=" + ParamsKey("http.hsts", Params{"min_max_age_days": 365}))
	require.True(t, ok, "the family saw the second set in cfg.With")
	assert.Equal(t, 365, p.(Params).Int("http.hsts", "min_max_age_days"))
}

// withConfig lets a test see the Config a family is run with.
type withConfig struct {
	fakeFamily
	see func(ids []string, cfg Config)
}

func (w withConfig) Run(ctx context.Context, t Target, ids []string, cfg Config) []Result {
	w.see(ids, cfg)
	return w.fakeFamily.Run(ctx, t, ids, cfg)
}

// roundsFamily observes once and judges by every round (RoundsFamily).
type roundsFamily struct {
	fakeFamily
	calls  *atomic.Int32
	rounds func(rounds []Round) [][]Result
}

func (f roundsFamily) RunRounds(ctx context.Context, t Target, rounds []Round, cfg Config) [][]Result {
	f.calls.Add(1)
	return f.rounds(rounds)
}

// A RoundsFamily is run once per target whatever the number of parameter
// sets; each round's results carry that round's parameters, a result the
// family forgets in a later round is an error, and a panic makes every
// round's results errors.
func TestRunRoundsOncePerTarget(t *testing.T) {
	var calls atomic.Int32
	var mu sync.Mutex
	var gotRounds []Round
	fam := roundsFamily{fakeFamily: fakeFamily{name: "http", ids: []string{"http.hsts", "http.cookies", "http.cors"}, kind: KindURL}, calls: &calls,
		rounds: func(rounds []Round) [][]Result {
			mu.Lock()
			gotRounds = rounds
			mu.Unlock()
			out := make([][]Result, len(rounds))
			for k, r := range rounds {
				for _, id := range r.IDs {
					if k == 2 && id == "http.cookies" {
						continue // forgotten
					}
					out[k] = append(out[k], Result{ID: id, Status: Pass, Summary: FormatValue(r.With[id]["min_max_age_days"])})
				}
			}
			return out
		}}
	cfg := Config{ParamSets: map[string][]Params{
		"http.hsts":    {nil, {"min_max_age_days": 365}, {"min_max_age_days": 730}},
		"http.cookies": {nil, {"httponly": "all"}, {"samesite": []string{"Strict"}}},
	}}
	rs := Run(context.Background(), []Family{fam}, []Target{{Kind: KindURL, Value: "https://a.example"}, {Kind: KindURL, Value: "https://b.example"}}, cfg)
	assert.EqualValues(t, 2, calls.Load(), "one call per target")
	require.Len(t, gotRounds, 3)
	assert.Equal(t, []string{"http.hsts", "http.cookies", "http.cors"}, gotRounds[0].IDs)
	assert.Equal(t, []string{"http.hsts", "http.cookies"}, gotRounds[1].IDs)
	var got []string
	for _, r := range rs[:7] {
		got = append(got, r.ID+" "+string(r.Status)+" "+FormatValue(r.Params["min_max_age_days"])+" "+r.Summary)
	}
	assert.Equal(t, []string{
		"http.hsts pass 180 <nil>", "http.hsts pass 365 365", "http.hsts pass 730 730",
		"http.cookies pass <nil> <nil>", "http.cookies pass <nil> <nil>", "http.cookies error <nil> probe produced no result",
		"http.cors pass <nil> <nil>",
	}, got)
	assert.Equal(t, []string{"Strict"}, rs[5].Params["samesite"], "the forgotten result still names its round's parameters")
	assert.Len(t, rs, 14)

	fam.rounds = func([]Round) [][]Result { panic("boom") }
	rs = Run(context.Background(), []Family{fam}, []Target{{Kind: KindURL, Value: "https://a.example"}}, cfg)
	require.Len(t, rs, 7)
	for _, r := range rs {
		assert.Equal(t, Error, r.Status)
		assert.Contains(t, r.Summary, "internal error in http probes: boom")
	}
}
