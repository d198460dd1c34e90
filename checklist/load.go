package checklist

import "errors"

// STUB: replaced by the loader (strict YAML with positions, validation).

// Parse decodes and validates a checklist; name is used in error positions.
func Parse(name string, data []byte) (*Checklist, error) { return nil, errors.New("not implemented") }

// Load reads and parses a checklist file.
func Load(path string) (*Checklist, error) { return nil, errors.New("not implemented") }

// Resolve loads a built-in by id, or else a file by path.
func Resolve(idOrPath string) (*Checklist, error) { return nil, errors.New("not implemented") }
