package checklist

import (
	"embed"
	"fmt"
	"strings"
)

// builtinFS holds the provider checklists shipped inside the binary.
//
//go:embed builtin/*.yaml
var builtinFS embed.FS

// builtinIDs is the order `checklist list` shows: the four providers, then
// the baseline that unites them.
var builtinIDs = []string{"finhub", "fincode", "turris", "fincept", "baseline"}

// BuiltinIDs lists the built-in checklist ids.
func BuiltinIDs() []string { return append([]string(nil), builtinIDs...) }

// IsBuiltin reports whether id names a built-in checklist.
func IsBuiltin(id string) bool {
	for _, b := range builtinIDs {
		if b == id {
			return true
		}
	}
	return false
}

// BuiltinSource returns the embedded YAML of a built-in checklist.
func BuiltinSource(id string) ([]byte, error) {
	if !IsBuiltin(id) {
		return nil, fmt.Errorf("unknown built-in checklist %q (built-ins: %s)", id, strings.Join(builtinIDs, ", "))
	}
	return builtinFS.ReadFile("builtin/" + id + ".yaml")
}

// Builtin returns a built-in checklist by id (finhub, fincode, turris,
// fincept, baseline), parsed and validated like any file, named
// "builtin:ID" in positions. Each call returns a fresh copy.
func Builtin(id string) (*Checklist, error) {
	data, err := BuiltinSource(id)
	if err != nil {
		return nil, err
	}
	return Parse("builtin:"+id, data)
}
