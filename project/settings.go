package project

import (
	"path/filepath"
	"slices"
	"strings"

	"github.com/selfassess/selfassess/checklist"
)

// Missing names the settings a project cannot do without that c leaves
// empty, as selfassess.yaml keys, in the order init asks for them.
func (c *Config) Missing() []string {
	var missing []string
	for _, m := range []struct{ key, val string }{{"organisation", c.Organisation},
		{"integration", c.Integration}, {"checklist", c.Checklist}} {
		if strings.TrimSpace(m.val) == "" {
			missing = append(missing, m.key)
		}
	}
	if len(c.Contacts) == 0 {
		missing = append(missing, "contacts")
	}
	return missing
}

// RelativeTo rewrites the paths in c, typed relative to the current
// directory, as relative to the directory of the settings file at file:
// that is how Load reads them back. A built-in checklist ID is not a path.
func (c *Config) RelativeTo(file string) {
	rel := func(p string) string { return relativeToFile(file, p) }
	c.Source, c.Answers, c.Exceptions, c.Output, c.SignKey =
		rel(c.Source), rel(c.Answers), rel(c.Exceptions), rel(c.Output), rel(c.SignKey)
	if !slices.Contains(checklist.BuiltinIDs(), c.Checklist) {
		c.Checklist = rel(c.Checklist)
	}
}

// relativeToFile rewrites p, relative to the current directory, as relative
// to the directory of the file at path; absolute and ~/ paths are kept, and
// so is a key pasted in place of a path, for the config check to refuse.
func relativeToFile(path, p string) string {
	if p == "" || filepath.IsAbs(p) || strings.HasPrefix(p, "~/") || IsKeyMaterial(p) {
		return p
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return p
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	if r, err := filepath.Rel(dir, abs); err == nil {
		return r
	}
	return abs
}
