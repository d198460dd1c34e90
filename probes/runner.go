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
// parameter set (a probe runs once per distinct set in cfg.ParamSets).
func Run(ctx context.Context, families []Family, targets []Target, cfg Config) []Result {
	cfg = cfg.Defaults()
	type job struct {
		t   Target
		f   Family
		ids []string
		cfg Config
	}
	var jobs []job
	for _, t := range targets {
		for _, f := range families {
			if !f.Applies(t) {
				continue
			}
			// Round k runs every id that has a k-th distinct parameter set,
			// so ids without extra sets share the family's first run.
			var rounds [][]string
			var with []map[string]Params
			for _, id := range f.IDs() {
				if !Match(cfg.Only, id) {
					continue
				}
				for k, set := range cfg.paramSets(id) {
					if k == len(rounds) {
						rounds = append(rounds, nil)
						with = append(with, map[string]Params{})
					}
					rounds[k] = append(rounds[k], id)
					with[k][id] = set
				}
			}
			for k, ids := range rounds {
				jc := cfg
				jc.With = with[k]
				jobs = append(jobs, job{t, f, ids, jc})
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
			results[i] = runFamily(ctx, j.f, j.t, j.ids, j.cfg)
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

// runFamily runs one family and guarantees one result per id, even if the
// family panics or forgets one: a probe bug is an error result, not a crash.
func runFamily(ctx context.Context, f Family, t Target, ids []string, cfg Config) (rs []Result) {
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			rs = nil
			for _, id := range ids {
				rs = append(rs, Result{ID: id, Target: t.Value, Status: Error,
					Summary: fmt.Sprintf("internal error in %s probes: %v", f.Name(), r)})
			}
		}
		// results name the target without the secrets its URL may hold
		display := DisplayTarget(t)
		got := map[string]bool{}
		for i := range rs {
			got[rs[i].ID] = true
			rs[i].Target = display
			rs[i].Params = Resolve(rs[i].ID, cfg.With[rs[i].ID])
		}
		for _, id := range ids {
			if !got[id] {
				rs = append(rs, Result{ID: id, Target: display, Status: Error, Summary: "probe produced no result",
					DurationMS: time.Since(start).Milliseconds(), Params: Resolve(id, cfg.With[id])})
			}
		}
	}()
	return f.Run(ctx, t, ids, cfg)
}
