package input

import (
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Errorf reports a problem at node n of an input file; field is the
// setting's path (controls.FH-1.decision).
type Errorf func(n *yaml.Node, field, format string, a ...any)

// Deref follows YAML aliases to the node they name.
func Deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// JoinPath is a field's path below path ("" at the top).
func JoinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Entries walks the mapping n at path, calling each with every key's field
// path, key and value (aliases followed). A node that is not a mapping and
// a duplicate key are reported; it returns false for a non-mapping.
func Entries(n *yaml.Node, path string, errf Errorf, each func(field string, k, v *yaml.Node)) bool {
	n = Deref(n)
	if n.Kind != yaml.MappingNode {
		errf(n, path, "expected a mapping, got %s", KindName(n))
		return false
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], Deref(n.Content[i+1])
		field := JoinPath(path, k.Value)
		if seen[k.Value] {
			errf(k, field, "duplicate key")
			continue
		}
		seen[k.Value] = true
		each(field, k, v)
	}
	return true
}

// Fields is Entries over a mapping of known keys: each key goes to its
// handler, and an unknown key is reported with the known ones.
func Fields(n *yaml.Node, path string, errf Errorf, known map[string]func(k, v *yaml.Node)) bool {
	return Entries(n, path, errf, func(field string, k, v *yaml.Node) {
		h, ok := known[k.Value]
		if !ok {
			errf(k, field, "unknown field (known: %s)", strings.Join(slices.Sorted(maps.Keys(known)), ", "))
			return
		}
		h(k, v)
	})
}
