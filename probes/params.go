package probes

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// ParamType is the type of a probe parameter's value.
type ParamType string

const (
	ParamInt     ParamType = "integer"
	ParamBool    ParamType = "boolean"
	ParamString  ParamType = "string"
	ParamStrings ParamType = "list of strings"
	ParamInts    ParamType = "list of integers"
)

// Param declares one threshold a checklist may set for a probe (`with:`).
// Its default is the probe's behaviour when nothing is set.
type Param struct {
	Name    string    `json:"name"`
	Type    ParamType `json:"type"`
	Default any       `json:"default"` // int, bool, string, []string or []int
	Meaning string    `json:"meaning"`
	// Enum, when set, lists the values a string (or each list item) may take.
	Enum []string `json:"enum,omitempty"`
	// Min and Max bound an integer or each integer of a list (inclusive).
	Min, Max int `json:"-"`
	// FoldCase compares Enum values without regard to case and stores the
	// Enum's spelling ("lax" → "Lax").
	FoldCase bool `json:"-"`
	// NonEmpty: a list must have at least one item.
	NonEmpty bool `json:"-"`
}

// Params are parameter values by name: int, bool, string, []string or []int.
type Params map[string]any

// LookupParam returns probe id's declaration of parameter name.
func LookupParam(id, name string) (Param, bool) {
	d, ok := Lookup(id)
	if !ok {
		return Param{}, false
	}
	for _, p := range d.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// ParamNames lists probe id's parameter names, in declaration order.
func ParamNames(id string) []string {
	d, _ := Lookup(id)
	names := make([]string, len(d.Params))
	for i, p := range d.Params {
		names[i] = p.Name
	}
	return names
}

// Check validates a value already of the declared Go type (int, bool,
// string, []string, []int) against the enum and bounds, and returns it
// normalised (enum spelling). The message names no parameter: the caller
// knows where the value is.
func (p Param) Check(v any) (any, error) {
	switch p.Type {
	case ParamInt:
		n, ok := v.(int)
		if !ok {
			return nil, fmt.Errorf("expected %s, got %s", p.Type, describeValue(v))
		}
		return n, p.checkInt(n)
	case ParamBool:
		if _, ok := v.(bool); !ok {
			return nil, fmt.Errorf("expected true or false, got %s", describeValue(v))
		}
		return v, nil
	case ParamString:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("expected a string, got %s", describeValue(v))
		}
		return p.checkEnum(s)
	case ParamStrings:
		list, ok := v.([]string)
		if !ok {
			return nil, fmt.Errorf("expected a list of strings, got %s", describeValue(v))
		}
		if p.NonEmpty && len(list) == 0 {
			return nil, fmt.Errorf("expected at least one value")
		}
		out := make([]string, 0, len(list))
		for _, s := range list {
			if strings.TrimSpace(s) == "" {
				return nil, fmt.Errorf("empty value in the list")
			}
			n, err := p.checkEnum(s)
			if err != nil {
				return nil, err
			}
			if !slices.Contains(out, n.(string)) {
				out = append(out, n.(string))
			}
		}
		return out, nil
	case ParamInts:
		list, ok := v.([]int)
		if !ok {
			return nil, fmt.Errorf("expected a list of integers, got %s", describeValue(v))
		}
		if p.NonEmpty && len(list) == 0 {
			return nil, fmt.Errorf("expected at least one value")
		}
		out := make([]int, 0, len(list))
		for _, n := range list {
			if err := p.checkInt(n); err != nil {
				return nil, err
			}
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("internal error: parameter type %q", p.Type)
}

func (p Param) checkInt(n int) error {
	if (p.Min != 0 || p.Max != 0) && (n < p.Min || n > p.Max) {
		return fmt.Errorf("%d is out of range: %d to %d", n, p.Min, p.Max)
	}
	return nil
}

func (p Param) checkEnum(s string) (any, error) {
	if len(p.Enum) == 0 {
		return s, nil
	}
	for _, e := range p.Enum {
		if s == e || (p.FoldCase && strings.EqualFold(s, e)) {
			return e, nil
		}
	}
	return nil, fmt.Errorf("%q is not one of %s", s, strings.Join(p.Enum, ", "))
}

// Parse reads a value from the command line (`--with id.name=value`):
// lists are comma-separated, an empty value is an empty list.
func (p Param) Parse(s string) (any, error) {
	var v any
	switch p.Type {
	case ParamInt:
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("expected an integer, got %q", s)
		}
		v = n
	case ParamBool:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("expected true or false, got %q", s)
		}
		v = b
	case ParamString:
		v = s
	case ParamStrings:
		list := []string{}
		if strings.TrimSpace(s) != "" {
			for _, part := range strings.Split(s, ",") {
				list = append(list, strings.TrimSpace(part))
			}
		}
		v = list
	case ParamInts:
		list := []int{}
		if strings.TrimSpace(s) != "" {
			for _, part := range strings.Split(s, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(part))
				if err != nil {
					return nil, fmt.Errorf("expected comma-separated integers, got %q", s)
				}
				list = append(list, n)
			}
		}
		v = list
	}
	return p.Check(v)
}

func describeValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing"
	case string:
		return fmt.Sprintf("the string %q", x)
	case bool:
		return fmt.Sprintf("the boolean %t", x)
	case int, float64:
		return fmt.Sprintf("the number %v", x)
	case []string, []int, []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprintf("%T", v)
}

// Resolve returns probe id's full parameter set: every declared parameter,
// from set where given, else its default. Unknown names in set are dropped
// (the checklist and the command line reject them before this). A probe
// without parameters resolves to nil.
func Resolve(id string, set Params) Params {
	d, ok := Lookup(id)
	if !ok || len(d.Params) == 0 {
		return nil
	}
	out := make(Params, len(d.Params))
	for _, p := range d.Params {
		if v, ok := set[p.Name]; ok {
			out[p.Name] = v
		} else {
			out[p.Name] = p.Default
		}
	}
	return out
}

// ParamsKey identifies a resolved parameter set of probe id: two sets with
// the same effective values (defaults included) have the same key, so a
// probe is judged once per distinct key. "" for probes without parameters.
func ParamsKey(id string, set Params) string {
	r := Resolve(id, set)
	if r == nil {
		return ""
	}
	b, _ := json.Marshal(r) // map keys are sorted; values are plain
	return string(b)
}

// Int returns an integer parameter (the declared default when absent).
func (p Params) Int(id, name string) int {
	n, _ := p.value(id, name).(int)
	return n
}

// Bool returns a boolean parameter.
func (p Params) Bool(id, name string) bool {
	b, _ := p.value(id, name).(bool)
	return b
}

// String returns a string parameter.
func (p Params) String(id, name string) string {
	s, _ := p.value(id, name).(string)
	return s
}

// Strings returns a list-of-strings parameter.
func (p Params) Strings(id, name string) []string {
	s, _ := p.value(id, name).([]string)
	return s
}

// Ints returns a list-of-integers parameter.
func (p Params) Ints(id, name string) []int {
	s, _ := p.value(id, name).([]int)
	return s
}

func (p Params) value(id, name string) any {
	if v, ok := p[name]; ok {
		return v
	}
	d, _ := LookupParam(id, name)
	return d.Default
}

// Params returns the parameters probe id runs with in this run: what
// Config.With sets for it, the declared defaults for the rest.
func (c Config) Params(id string) Params { return paramsOf(c.With, id) }

// Params returns the parameters probe id is judged by in this round, as
// Config.Params does for a run.
func (r Round) Params(id string) Params { return paramsOf(r.With, id) }

// paramsOf is with[id] with the declared defaults filled in; never nil.
func paramsOf(with map[string]Params, id string) Params {
	if r := Resolve(id, with[id]); r != nil {
		return r
	}
	return Params{}
}

// Describe formats a parameter set for a person, in declaration order:
// "min_max_age_days=365, include_subdomains=true". Only the names in set
// are shown.
func Describe(id string, set Params) string {
	var parts []string
	seen := map[string]bool{}
	d, _ := Lookup(id)
	for _, p := range d.Params {
		if v, ok := set[p.Name]; ok {
			parts = append(parts, p.Name+"="+FormatValue(v))
			seen[p.Name] = true
		}
	}
	var rest []string
	for k := range set {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		parts = append(parts, k+"="+FormatValue(set[k]))
	}
	return strings.Join(parts, ", ")
}

// FormatValue writes a parameter value as the command line takes it
// ("[.env, *.key]" for lists).
func FormatValue(v any) string {
	switch x := v.(type) {
	case []string:
		return "[" + strings.Join(x, ", ") + "]"
	case []int:
		s := make([]string, len(x))
		for i, n := range x {
			s[i] = strconv.Itoa(n)
		}
		return "[" + strings.Join(s, ", ") + "]"
	}
	return fmt.Sprint(v)
}

// paramSets returns the distinct parameter sets probe id runs with: the
// sets asked for in ParamSets, else the one in With (or the defaults).
func (c Config) paramSets(id string) []Params {
	sets := c.ParamSets[id]
	if len(sets) == 0 {
		return []Params{c.With[id]}
	}
	var out []Params
	seen := map[string]bool{}
	for _, s := range sets {
		k := ParamsKey(id, s)
		if !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	return out
}
