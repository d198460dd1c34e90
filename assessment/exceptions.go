package assessment

import (
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/input"
)

// LoadExceptions reads an exceptions file: a YAML list of
//
//   - control: FH-AUTH-1
//     justification: why the risk is accepted
//     approved_by: who accepted it
//     expires: 2026-06-30
//
// Every field is required; controls must exist in cl and appear once.
// Problems are returned together as answers.Errors (FILE:LINE:COL: field: msg).
func LoadExceptions(path string, cl *checklist.Checklist) ([]Exception, error) {
	data, err := input.ReadFile(path, 1<<20)
	if err != nil {
		return nil, err
	}
	return ParseExceptions(path, data, cl)
}

// ParseExceptions decodes an exceptions file; name is used in error positions.
func ParseExceptions(name string, data []byte, cl *checklist.Checklist) ([]Exception, error) {
	var errs []answers.Error
	errf := func(n *yaml.Node, field, format string, a ...any) {
		errs = append(errs, answers.Error{File: name, Line: n.Line, Col: n.Column, Path: field, Msg: fmt.Sprintf(format, a...)})
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &answers.Errors{List: []answers.Error{input.YAMLError(name, data, err)}}
	}
	if len(doc.Content) == 0 {
		return nil, nil // an empty file: no exceptions
	}
	root := doc.Content[0]
	if root.Kind != yaml.SequenceNode {
		errf(root, "", "expected a list of exceptions (- control: …, justification: …, approved_by: …, expires: YYYY-MM-DD)")
		return nil, &answers.Errors{List: errs}
	}
	var out []Exception
	seen := map[string]int{}
	for i, item := range root.Content {
		path := fmt.Sprintf("[%d]", i)
		if item.Kind != yaml.MappingNode {
			errf(item, path, "expected a mapping with control, justification, approved_by and expires")
			continue
		}
		var e Exception
		fields := map[string]*string{"control": &e.Control, "justification": &e.Justification,
			"approved_by": &e.ApprovedBy, "expires": &e.Expires}
		nodes := map[string]*yaml.Node{}
		text := map[string]func(k, v *yaml.Node){}
		for name, dst := range fields {
			text[name] = func(k, v *yaml.Node) {
				nodes[name] = v
				if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
					errf(v, path+"."+name, "expected text, got %s", input.KindName(v))
					return
				}
				*dst = strings.TrimSpace(v.Value)
			}
		}
		input.Fields(item, path, errf, text)
		for _, k := range []string{"control", "justification", "approved_by", "expires"} {
			if nodes[k] != nil && *fields[k] == "" && nodes[k].Kind == yaml.ScalarNode && nodes[k].Tag != "!!null" {
				errf(nodes[k], path+"."+k, "must not be empty")
			} else if nodes[k] == nil {
				errf(item, path+"."+k, "missing")
			}
		}
		if n := nodes["expires"]; n != nil && e.Expires != "" && !answers.IsDate(e.Expires) {
			errf(n, path+".expires", "must be a date YYYY-MM-DD, got %q", e.Expires)
		}
		if n := nodes["control"]; n != nil && e.Control != "" {
			if ctl, _ := cl.Control(e.Control); ctl == nil {
				errf(n, path+".control", "unknown control: checklist %s has no control %q", cl.ID, e.Control)
			} else if prev, dup := seen[e.Control]; dup {
				errf(n, path+".control", "a second exception for %s (the first is [%d])", e.Control, prev)
			} else {
				seen[e.Control] = i
			}
		}
		out = append(out, e)
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool {
			if errs[i].Line != errs[j].Line {
				return errs[i].Line < errs[j].Line
			}
			return errs[i].Col < errs[j].Col
		})
		return nil, &answers.Errors{List: errs}
	}
	return out, nil
}
