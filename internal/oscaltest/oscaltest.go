// Package oscaltest validates documents against NIST's OSCAL JSON schema, for
// tests only: the schema (oscal_complete_schema-1.1.3.json, NIST's release
// file, unchanged; see SCHEMA-README.md) is embedded here so no production
// binary carries it.
package oscaltest

import (
	"bytes"
	_ "embed"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Version is the OSCAL release of the embedded schema.
const Version = "1.1.3"

//go:embed oscal_complete_schema-1.1.3.json
var schemaJSON []byte

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("oscal-complete-schema.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("oscal-complete-schema.json")
})

// Validate reports whether b is a valid OSCAL document of any model.
func Validate(b []byte) error {
	s, err := compiled()
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return err
	}
	return s.Validate(inst)
}
