package checklist

import "errors"

// STUB: replaced by the loader (strict YAML with positions, validation).

// Parse decodes and validates a checklist; name is used in error positions.
func Parse(name string, data []byte) (*Checklist, error) { return nil, errors.New("not implemented") }

// Load reads and parses a checklist file.
func Load(path string) (*Checklist, error) { return nil, errors.New("not implemented") }

// Builtin returns a built-in checklist by id (finhub, fincode, turris, fincept, baseline).
func Builtin(id string) (*Checklist, error) { return nil, errors.New("not implemented") }

// BuiltinIDs lists the built-in checklist ids.
func BuiltinIDs() []string { return nil }

// Resolve loads a built-in by id, or else a file by path.
func Resolve(idOrPath string) (*Checklist, error) { return nil, errors.New("not implemented") }
