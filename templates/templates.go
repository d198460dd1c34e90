// Package templates holds the embedded Markdown templates (text/template).
// `--template-dir DIR` overrides them with files of the same names.
package templates

import "embed"

// FS holds report.md.tmpl and changes.md.tmpl.
//
//go:embed *.tmpl
var FS embed.FS
