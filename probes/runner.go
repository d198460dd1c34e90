package probes

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Run probes every target with every applicable family, at most
// cfg.Concurrency (target, family) pairs at once, and returns the results
// in a stable order: by target as given, then by catalogue order, then by
// parameter set (a probe gives one result per distinct set in
// cfg.ParamSets). A RoundsFamily observes each target once and judges it by
// every set; any other family runs once per set.
func Run(ctx context.Context, families []Family, targets []Target, cfg Config) []Result {
	cfg = cfg.Defaults()
	type job struct {
		t      Target
		f      Family
		rounds []Round
	}
	var jobs []job
	for _, t := range targets {
		for _, f := range families {
			if !f.Applies(t) {
				continue
			}
			// Round k holds every id that has a k-th distinct parameter
			// set, so ids without extra sets are judged in the first only.
			var rounds []Round
			for _, id := range f.IDs() {
				if !Match(cfg.Only, id) {
					continue
				}
				for k, set := range cfg.paramSets(id) {
					if k == len(rounds) {
						rounds = append(rounds, Round{With: map[string]Params{}})
					}
					rounds[k].IDs = append(rounds[k].IDs, id)
					rounds[k].With[id] = set
				}
			}
			if len(rounds) == 0 {
				continue
			}
			if _, ok := f.(RoundsFamily); ok {
				// one observation of the target, judged once per round
				jobs = append(jobs, job{t, f, rounds})
				continue
			}
			for _, r := range rounds {
				jobs = append(jobs, job{t, f, []Round{r}})
			}
		}
	}
	warmRoots(cfg, targets)
	// values the user gave as secrets, redacted wherever a target echoes them
	secrets := userSecrets(cfg.Headers, targets)
	results := make([][]Result, len(jobs))
	sem := make(chan struct{}, cfg.Concurrency)
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if cfg.Progress != nil {
				cfg.Progress(Event{Target: DisplayTarget(j.t), Family: j.f.Name()})
			}
			results[i] = runFamily(ctx, j.f, j.t, j.rounds, cfg)
			for k := range results[i] {
				redactResult(&results[i][k], secrets)
			}
			if cfg.Progress != nil {
				cfg.Progress(Event{Target: DisplayTarget(j.t), Family: j.f.Name(), Done: true, Results: results[i]})
			}
		}()
	}
	wg.Wait()

	order := map[string]int{}
	for i, d := range Catalogue {
		order[d.ID] = i
	}
	targetOrder := map[string]int{}
	for i, t := range targets {
		if _, ok := targetOrder[DisplayTarget(t)]; !ok {
			targetOrder[DisplayTarget(t)] = i
		}
	}
	var out []Result
	for _, rs := range results {
		out = append(out, rs...)
	}
	sort.SliceStable(out, func(a, b int) bool {
		ta, tb := targetOrder[out[a].Target], targetOrder[out[b].Target]
		if ta != tb {
			return ta < tb
		}
		return order[out[a].ID] < order[out[b].ID]
	})
	return out
}

// Round is one judgement of a family's observation of a target: the ids it
// gives results for, and the parameter set of each (With[id]; nil: the
// defaults).
type Round struct {
	IDs  []string
	With map[string]Params
}

// RoundIDs is every id some round names: what a RoundsFamily observes.
func RoundIDs(rounds []Round) map[string]bool {
	want := map[string]bool{}
	for _, r := range rounds {
		for _, id := range r.IDs {
			want[id] = true
		}
	}
	return want
}

// RoundsFamily is a Family that observes a target once and judges that
// observation by several parameter sets, so that a second threshold costs
// the target no connection. RunRounds returns each round's results in
// order: rounds[0] names every selected id, later rounds only the ids with
// another parameter set. The runner prefers it to one Run per round.
type RoundsFamily interface {
	Family
	RunRounds(ctx context.Context, t Target, rounds []Round, cfg Config) [][]Result
}

// runFamily runs one family for the given rounds and guarantees one result
// per id and round, even if the family panics or forgets one: a probe bug
// is an error result, not a crash. Each result carries its round's
// parameters.
func runFamily(ctx context.Context, f Family, t Target, rounds []Round, cfg Config) (out []Result) {
	start := time.Now()
	var got [][]Result
	defer func() {
		panicked := recover()
		display := DisplayTarget(t)
		out = nil
		for k, r := range rounds {
			var rs []Result
			if panicked != nil {
				for _, id := range r.IDs {
					rs = append(rs, Result{ID: id, Status: Error, Summary: fmt.Sprintf("internal error in %s probes: %v", f.Name(), panicked)})
				}
			} else if k < len(got) {
				rs = got[k]
			}
			// results name the target without the secrets its URL may hold
			seen := map[string]bool{}
			for i := range rs {
				seen[rs[i].ID] = true
				rs[i].Target = display
				rs[i].Params = Resolve(rs[i].ID, r.With[rs[i].ID])
			}
			for _, id := range r.IDs {
				if !seen[id] {
					rs = append(rs, Result{ID: id, Target: display, Status: Error, Summary: "probe produced no result",
						DurationMS: time.Since(start).Milliseconds(), Params: Resolve(id, r.With[id])})
				}
			}
			out = append(out, rs...)
		}
	}()
	if rf, ok := f.(RoundsFamily); ok {
		got = rf.RunRounds(ctx, t, rounds, cfg)
		return nil
	}
	for _, r := range rounds {
		c := cfg
		c.With = r.With
		got = append(got, f.Run(ctx, t, r.IDs, c))
	}
	return nil
}
