// Package indent writes values as indented JSON or YAML (two spaces), the
// machine-readable forms of the commands' listings.
package indent

import (
	"encoding/json"
	"io"

	"go.yaml.in/yaml/v3"
)

// JSON writes v as JSON indented by two spaces, with a final newline.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// YAML writes v as a YAML document indented by two spaces.
func YAML(w io.Writer, v any) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return enc.Close()
}
