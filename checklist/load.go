package checklist

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/selfassess/selfassess/internal/input"
)

// MaxFileSize bounds a checklist file; the built-ins are a few dozen KiB.
const MaxFileSize = 4 << 20

// maxNodes bounds the YAML nodes decoded, aliases expanded, so a small file
// cannot expand into a huge document ("billion laughs").
const maxNodes = 200_000

// Parse decodes and validates a checklist; name is used in error positions
// and becomes Checklist.File. Every problem of the file is reported at once
// as *Errors.
func Parse(name string, data []byte) (*Checklist, error) {
	fail := func(line, col int, format string, a ...any) error {
		return &Errors{List: []FieldError{{File: name, Line: line, Col: col, Msg: fmt.Sprintf(format, a...)}}}
	}
	if len(data) > MaxFileSize {
		return nil, fail(1, 1, "the file is %d bytes; a checklist may be at most %d", len(data), MaxFileSize)
	}
	root, err := parseYAML(data)
	if err != nil {
		var se *input.SyntaxError
		if errors.As(err, &se) {
			return nil, fail(se.Line, se.Col, "%s", se.Msg)
		}
		return nil, fail(1, 1, "%v", err)
	}
	if root == nil {
		return nil, fail(1, 1, "the file is empty; a checklist starts with `schema: %s`", SchemaID)
	}

	cl := &Checklist{}
	d := &decoder{file: name, pos: positions{}, failed: map[string]bool{}}
	d.decode(root, reflect.ValueOf(cl).Elem(), "")
	cl.pos = d.pos
	if d.nodes > maxNodes {
		// the model is a fragment; validating it would only add noise
		return nil, &Errors{List: []FieldError{{File: name, Line: d.bomb.line, Col: d.bomb.col, Path: d.bombPath,
			Msg: fmt.Sprintf("the document expands to more than %d YAML nodes (too many aliases?)", maxNodes)}}}
	}

	list := d.errs
	for _, fe := range validate(cl) {
		if !d.failedAt(fe.Path) {
			list = append(list, fe)
		}
	}
	if len(list) > 0 {
		for i := range list {
			list[i].File = name
		}
		SortErrors(list)
		return nil, &Errors{List: list}
	}
	sum := sha256.Sum256(data)
	cl.File, cl.SHA256, cl.Raw = name, hex.EncodeToString(sum[:]), bytes.Clone(data)
	return cl, nil
}

// Load reads and parses a checklist file.
func Load(path string) (*Checklist, error) {
	data, err := input.ReadFile(path, MaxFileSize)
	if err != nil {
		return nil, fmt.Errorf("cannot read checklist: %w", err)
	}
	return Parse(path, data)
}

// Resolve loads a built-in by id, or else a file by path. A name that is
// neither gives a *NotFoundError whose Hint lists the built-in ids.
func Resolve(idOrPath string) (*Checklist, error) {
	ids := BuiltinIDs()
	if slices.Contains(ids, idOrPath) {
		return Builtin(idOrPath)
	}
	_, err := os.Stat(idOrPath)
	if errors.Is(err, fs.ErrNotExist) && !looksLikePath(idOrPath) {
		return nil, &NotFoundError{Name: idOrPath, Builtins: ids}
	}
	return Load(idOrPath)
}

// looksLikePath tells a mistyped file name (error: no such file) from a
// mistyped built-in id (error: here are the ids).
func looksLikePath(s string) bool {
	ext := strings.ToLower(filepath.Ext(s))
	return strings.ContainsAny(s, `/\`) || ext == ".yaml" || ext == ".yml"
}

// parseYAML parses exactly one YAML document and returns its root node
// (nil for an empty document).
func parseYAML(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, input.ToSyntaxError(data, err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		line, col := extra.Line, extra.Column
		if len(extra.Content) > 0 {
			line, col = extra.Content[0].Line, extra.Content[0].Column
		}
		return nil, &input.SyntaxError{Line: line, Col: col, Msg: "a checklist file holds exactly one YAML document; found a second one"}
	case !errors.Is(err, io.EOF):
		return nil, input.ToSyntaxError(data, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return nil, nil
	}
	return root, nil
}

// positions maps a field path ("sections[0].controls[2].severity") to where
// its value starts in the file.
type positions map[string]position

type position struct{ line, col int }

// at returns the position of path, or of its nearest recorded parent (a
// missing field is reported at the mapping that lacks it).
func (p positions) at(path string) position {
	for {
		if pos, ok := p[path]; ok {
			return pos
		}
		if path == "" {
			return position{}
		}
		path = parentPath(path)
	}
}

// decoder maps YAML nodes onto the model strictly: unknown fields, duplicate
// keys and wrong types are errors, and decoding goes on after each one so
// that a single run reports them all.
type decoder struct {
	file   string
	pos    positions
	errs   []FieldError
	failed map[string]bool // paths that had decoding errors
	nodes  int
	// bomb is where decoding stopped after maxNodes nodes.
	bomb     position
	bombPath string
}

// fail reports a value that could not be decoded at path.
func (d *decoder) fail(n *yaml.Node, path, format string, a ...any) {
	d.failed[path] = true
	d.report(n, path, format, a...)
}

// report records a problem without marking path as undecoded.
func (d *decoder) report(n *yaml.Node, path, format string, a ...any) {
	d.errs = append(d.errs, FieldError{Line: n.Line, Col: n.Column, Path: path, Msg: fmt.Sprintf(format, a...)})
}

// failedAt reports whether path or one of its parents failed to decode, so
// validation does not repeat the problem as, say, "is required".
func (d *decoder) failedAt(path string) bool {
	for {
		if d.failed[path] {
			return true
		}
		if path == "" {
			return false
		}
		path = parentPath(path)
	}
}

// parentPath strips the last field or index: a.b[2] -> a.b -> a -> "".
func parentPath(path string) string {
	if i := strings.LastIndexAny(path, ".["); i >= 0 {
		return path[:i]
	}
	return ""
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	d.pos[path] = position{n.Line, n.Column}
	d.nodes++
	if d.nodes == maxNodes+1 {
		d.bomb, d.bombPath = position{n.Line, n.Column}, path
	}
	if d.nodes > maxNodes {
		return
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			d.fail(n, path, "unknown alias %q", n.Value)
			return
		}
		// decode the anchored node; problems in it are reported where it is defined
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return // leave the zero value; validation reports required fields
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), path)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.fail(n, path, "expected a list, got %s", input.KindName(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.fail(n, path, "expected a string, got %s", input.KindName(n))
			return
		}
		if tag := n.ShortTag(); tag == "!!bool" || tag == "!!binary" {
			d.fail(n, path, "expected a string, got %s (quote it: %q)", input.KindName(n), n.Value)
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			d.fail(n, path, "expected true or false, got %s", input.KindName(n))
			return
		}
		v.SetBool(b)
	case reflect.Int:
		var i int
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&i) != nil {
			d.fail(n, path, "expected a whole number, got %s", input.KindName(n))
			return
		}
		v.SetInt(int64(i))
	case reflect.Float64:
		var f float64
		tag := n.ShortTag()
		if n.Kind != yaml.ScalarNode || (tag != "!!int" && tag != "!!float") || n.Decode(&f) != nil {
			d.fail(n, path, "expected a number, got %s", input.KindName(n))
			return
		}
		v.SetFloat(f)
	default:
		// The model has no other kinds; a new one must be added here.
		d.fail(n, path, "internal error: cannot decode into %s", v.Type())
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping, got %s", input.KindName(n))
		return
	}
	fields := yamlFields(v.Type())
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		name := key.Value
		keyPath := joinPath(path, name)
		if key.Kind != yaml.ScalarNode {
			d.report(key, path, "field names must be plain strings, got %s", input.KindName(key))
			continue
		}
		if name == "<<" {
			d.report(key, path, "merge keys (<<) are not supported; write the fields out")
			continue
		}
		idx, ok := fields.index[name]
		if !ok {
			msg := fmt.Sprintf("unknown field %q", name)
			if s := suggest(name, fields.names); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else {
				msg += "; allowed: " + strings.Join(fields.names, ", ")
			}
			d.fail(key, keyPath, "%s", msg)
			continue
		}
		if first, dup := seen[name]; dup {
			d.report(key, keyPath, "field %q is set twice (first at %d:%d)", name, first.Line, first.Column)
			continue
		}
		seen[name] = key
		if ctl, ok := v.Addr().Interface().(*Control); ok && name == "probes" {
			d.decodeProbes(val, ctl, keyPath) // ids, or {id, with}
			continue
		}
		d.decode(val, v.Field(idx), keyPath)
	}
}

func joinPath(parent, field string) string {
	if parent == "" {
		return field
	}
	return parent + "." + field
}

// structFields is a struct type's YAML field names, in declaration order.
type structFields struct {
	index map[string]int
	names []string
}

var fieldCache sync.Map // reflect.Type -> *structFields

func yamlFields(t reflect.Type) *structFields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*structFields)
	}
	sf := &structFields{index: map[string]int{}}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || name == "" {
			continue
		}
		sf.index[name] = i
		sf.names = append(sf.names, name)
	}
	fieldCache.Store(t, sf)
	return sf
}
