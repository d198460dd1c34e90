package checklist

import "errors"

// STUB: replaced by the embedded built-in checklists.

// Builtin returns a built-in checklist by id (finhub, fincode, turris, fincept, baseline).
func Builtin(id string) (*Checklist, error) { return nil, errors.New("not implemented") }

// BuiltinIDs lists the built-in checklist ids.
func BuiltinIDs() []string { return nil }
