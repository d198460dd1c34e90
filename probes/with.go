package probes

import (
	"strings"

	"github.com/selfassess/selfassess/internal/input"
)

// ParseWith reads --with probe.param=value settings into per-probe
// parameters; a later setting of the same parameter wins.
func ParseWith(settings []string) (map[string]Params, error) {
	const hint = "run 'selfassess probe --list' to see each probe's parameters"
	var with map[string]Params
	for _, raw := range settings {
		key, value, ok := strings.Cut(raw, "=")
		dot := strings.LastIndexByte(key, '.')
		if !ok || dot <= 0 || dot == len(key)-1 {
			return nil, input.Problemf("the form is --with probe.param=value, e.g. --with http.hsts.min_max_age_days=365", "--with %q: not probe.param=value", raw)
		}
		id, name := key[:dot], key[dot+1:]
		desc, known := Lookup(id)
		if !known {
			return nil, input.Problemf(hint, "--with %s: unknown probe id %q", key, id)
		}
		decl, ok := LookupParam(id, name)
		if !ok {
			if len(desc.Params) == 0 {
				return nil, input.Problemf(hint, "--with %s: probe %s takes no parameters", key, id)
			}
			return nil, input.Problemf(hint, "--with %s: unknown parameter %q; %s takes %s", key, name, id, strings.Join(ParamNames(id), ", "))
		}
		v, err := decl.Parse(value)
		if err != nil {
			return nil, input.Problemf(hint, "--with %s: %v", key, err)
		}
		if with == nil {
			with = map[string]Params{}
		}
		if with[id] == nil {
			with[id] = Params{}
		}
		with[id][name] = v
	}
	return with, nil
}
