package checklist

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/selfassess/selfassess/internal/input"
	"github.com/selfassess/selfassess/probes"
)

// decodeProbes reads a control's probes list: each entry is a probe id, or
// a mapping {id: ..., with: {...}} whose parameters are checked against the
// probe catalogue (unknown name, wrong type, value out of range) where they
// are written.
func (d *decoder) decodeProbes(n *yaml.Node, ctl *Control, path string) {
	d.pos[path] = position{n.Line, n.Column}
	d.nodes++
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, "expected a list, got %s", input.KindName(n))
		return
	}
	ctl.Probes = make([]string, len(n.Content))
	for i, item := range n.Content {
		ip := fmt.Sprintf("%s[%d]", path, i)
		d.pos[ip] = position{item.Line, item.Column}
		d.nodes++
		if d.nodes > maxNodes {
			return
		}
		if item.Kind == yaml.AliasNode && item.Alias != nil {
			item = item.Alias
		}
		switch item.Kind {
		case yaml.ScalarNode:
			if tag := item.ShortTag(); tag != "!!str" {
				d.fail(item, ip, "expected a probe id or {id: ..., with: {...}}, got %s", input.KindName(item))
				continue
			}
			ctl.Probes[i] = item.Value
		case yaml.MappingNode:
			d.decodeProbeRef(item, ctl, i, ip)
		default:
			d.fail(item, ip, "expected a probe id or {id: ..., with: {...}}, got %s", input.KindName(item))
		}
	}
}

func (d *decoder) decodeProbeRef(n *yaml.Node, ctl *Control, i int, path string) {
	var idNode, withNode *yaml.Node
	seen := map[string]*yaml.Node{}
	for k := 0; k+1 < len(n.Content); k += 2 {
		key, val := n.Content[k], n.Content[k+1]
		kp := joinPath(path, key.Value)
		d.pos[kp] = position{val.Line, val.Column}
		if first, dup := seen[key.Value]; dup {
			d.report(key, kp, "field %q is set twice (first at %d:%d)", key.Value, first.Line, first.Column)
			continue
		}
		seen[key.Value] = key
		switch key.Value {
		case "id":
			idNode = val
		case "with":
			withNode = val
		default:
			msg := fmt.Sprintf("unknown field %q", key.Value)
			if s := suggest(key.Value, []string{"id", "with"}); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else {
				msg += "; allowed: id, with"
			}
			d.fail(key, kp, "%s", msg)
		}
	}
	if idNode == nil {
		d.fail(n, path, "a probe with parameters needs an id: {id: http.hsts, with: {...}}")
		return
	}
	if idNode.Kind != yaml.ScalarNode || idNode.ShortTag() != "!!str" {
		d.fail(idNode, path+".id", "expected a probe id, got %s", input.KindName(idNode))
		return
	}
	id := idNode.Value
	ctl.Probes[i] = id
	if withNode == nil {
		return
	}
	wp := path + ".with"
	if withNode.Kind == yaml.ScalarNode && withNode.ShortTag() == "!!null" {
		return
	}
	if withNode.Kind != yaml.MappingNode {
		d.fail(withNode, wp, "expected a mapping of parameters, got %s", input.KindName(withNode))
		return
	}
	desc, known := probes.Lookup(id)
	if !known {
		return // validation reports the unknown id; its parameters cannot be checked
	}
	set := probes.Params{}
	seenParam := map[string]*yaml.Node{}
	for k := 0; k+1 < len(withNode.Content); k += 2 {
		key, val := withNode.Content[k], withNode.Content[k+1]
		pp := joinPath(wp, key.Value)
		d.pos[pp] = position{val.Line, val.Column}
		if first, dup := seenParam[key.Value]; dup {
			d.report(key, pp, "parameter %q is set twice (first at %d:%d)", key.Value, first.Line, first.Column)
			continue
		}
		seenParam[key.Value] = key
		decl, ok := probes.LookupParam(id, key.Value)
		if !ok {
			d.fail(key, pp, "%s", unknownParam(desc, key.Value))
			continue
		}
		v, at, err := paramValue(decl, val)
		if err != nil {
			d.fail(at, pp, "%v", err)
			continue
		}
		set[key.Value] = v
	}
	if len(set) > 0 {
		if ctl.With == nil {
			ctl.With = map[string]probes.Params{}
		}
		ctl.With[id] = set
	}
}

// unknownParam explains a parameter name the probe does not declare.
func unknownParam(desc probes.Descriptor, name string) string {
	if len(desc.Params) == 0 {
		return fmt.Sprintf("probe %s takes no parameters", desc.ID)
	}
	names := probes.ParamNames(desc.ID)
	msg := fmt.Sprintf("unknown parameter %q for %s", name, desc.ID)
	if s := suggest(name, names); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg + "; its parameters: " + strings.Join(names, ", ")
}

// paramValue converts a YAML value to the parameter's Go type, strictly
// (a quoted "365" is not a number, 1.2 is not a string), then checks it.
// The node returned is where a problem is (a list's item, or the value).
func paramValue(p probes.Param, n *yaml.Node) (any, *yaml.Node, error) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	scalar := func(tag string) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == tag }
	var v any
	switch p.Type {
	case probes.ParamInt:
		var i int
		if !scalar("!!int") || n.Decode(&i) != nil {
			return nil, n, fmt.Errorf("expected a whole number, got %s", input.KindName(n))
		}
		v = i
	case probes.ParamBool:
		var b bool
		if !scalar("!!bool") || n.Decode(&b) != nil {
			return nil, n, fmt.Errorf("expected true or false, got %s", input.KindName(n))
		}
		v = b
	case probes.ParamString:
		if !scalar("!!str") {
			return nil, n, fmt.Errorf("expected a string, got %s (quote it)", input.KindName(n))
		}
		v = n.Value
	case probes.ParamStrings:
		if n.Kind != yaml.SequenceNode {
			return nil, n, fmt.Errorf("expected a list of strings, got %s", input.KindName(n))
		}
		list := make([]string, 0, len(n.Content))
		for _, item := range n.Content {
			if item.Kind != yaml.ScalarNode || item.ShortTag() != "!!str" {
				return nil, item, fmt.Errorf("expected a list of strings, got %s in it (quote it)", input.KindName(item))
			}
			list = append(list, item.Value)
		}
		v = list
	case probes.ParamInts:
		if n.Kind != yaml.SequenceNode {
			return nil, n, fmt.Errorf("expected a list of whole numbers, got %s", input.KindName(n))
		}
		list := make([]int, 0, len(n.Content))
		for _, item := range n.Content {
			var i int
			if item.Kind != yaml.ScalarNode || item.ShortTag() != "!!int" || item.Decode(&i) != nil {
				return nil, item, fmt.Errorf("expected a list of whole numbers, got %s in it", input.KindName(item))
			}
			list = append(list, i)
		}
		v = list
	}
	v, err := p.Check(v)
	return v, n, err
}

// probeEntry is a probes entry with parameters, as written in YAML.
type probeEntry struct {
	ID   string        `yaml:"id" json:"id"`
	With probes.Params `yaml:"with" json:"with"`
}

// probeEntries are the control's probes as written: an id, or {id, with}.
func (ctl Control) probeEntries() []any {
	out := make([]any, len(ctl.Probes))
	for i, id := range ctl.Probes {
		if w := ctl.With[id]; len(w) > 0 {
			out[i] = probeEntry{ID: id, With: w}
		} else {
			out[i] = id
		}
	}
	return out
}

// controlFields is Control without its methods, for the marshallers.
type controlFields Control

// MarshalJSON writes probes with parameters as {id, with}.
func (ctl Control) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		controlFields
		Probes []any `json:"probes,omitempty"`
	}{controlFields(ctl), ctl.probeEntries()})
}

// MarshalYAML writes probes with parameters as {id, with}, so that
// `checklist show --format yaml` loads back as the same checklist.
func (ctl Control) MarshalYAML() (any, error) {
	var n yaml.Node
	if err := n.Encode(controlFields(ctl)); err != nil {
		return nil, err
	}
	if len(ctl.With) == 0 {
		return &n, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "probes" {
			var p yaml.Node
			if err := p.Encode(ctl.probeEntries()); err != nil {
				return nil, err
			}
			n.Content[i+1] = &p
		}
	}
	return &n, nil
}

// UnmarshalYAML lets plain yaml.v3 decoding (KnownFields included) read a
// control whose probes carry parameters; checklist.Parse does not use it.
// The control is re-decoded strictly with its probes as plain ids, then
// the probes list is read as Parse reads it.
func (ctl *Control) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: a control is a mapping", n.Line)
	}
	var probesNode *yaml.Node
	clone := *n
	clone.Content = nil
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "probes" {
			probesNode = n.Content[i+1]
			continue
		}
		clone.Content = append(clone.Content, n.Content[i], n.Content[i+1])
	}
	raw, err := yaml.Marshal(&clone)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	var f controlFields
	if err := dec.Decode(&f); err != nil {
		return fmt.Errorf("control at line %d: %w", n.Line, err)
	}
	*ctl = Control(f)
	if probesNode != nil {
		d := &decoder{pos: positions{}, failed: map[string]bool{}}
		d.decodeProbes(probesNode, ctl, "probes")
		if len(d.errs) > 0 {
			return errors.New(d.errs[0].Error())
		}
	}
	return nil
}
