package answers

import (
	"github.com/selfassess/selfassess/internal/input"
	"go.yaml.in/yaml/v3"
)

// Comments a person wrote in answers.yaml survive the questionnaire's
// saves: Parse records them by field path (controls.ID.answers.q) and
// Marshal puts them back on the same fields. Comments of fields that are
// no longer written are dropped with them.

type comment struct{ keyHead, keyLine, keyFoot, valLine, valFoot, valHead string }

// docComments is the key for the document's and the top mapping's own comments.
const docComments = "\x00doc"

func (c comment) empty() bool { return c == comment{} }

// collectComments records the comments of doc's mapping keys by path.
func collectComments(doc *yaml.Node) map[string]comment {
	out := map[string]comment{}
	if doc == nil || len(doc.Content) == 0 {
		return out
	}
	root := doc.Content[0]
	if c := (comment{keyHead: doc.HeadComment, keyFoot: doc.FootComment, valHead: root.HeadComment, valFoot: root.FootComment}); !c.empty() {
		out[docComments] = c
	}
	walkMappings(root, "", func(path string, k, v *yaml.Node) {
		c := comment{keyHead: k.HeadComment, keyLine: k.LineComment, keyFoot: k.FootComment,
			valLine: v.LineComment, valFoot: v.FootComment, valHead: v.HeadComment}
		if !c.empty() {
			out[path] = c
		}
	})
	return out
}

// applyComments puts recorded comments back on doc's keys with the same paths.
func applyComments(doc *yaml.Node, cs map[string]comment) {
	if len(cs) == 0 || len(doc.Content) == 0 {
		return
	}
	root := doc.Content[0]
	if c, ok := cs[docComments]; ok {
		doc.HeadComment, doc.FootComment, root.HeadComment, root.FootComment = c.keyHead, c.keyFoot, c.valHead, c.valFoot
	}
	walkMappings(root, "", func(path string, k, v *yaml.Node) {
		if c, ok := cs[path]; ok {
			k.HeadComment, k.LineComment, k.FootComment = c.keyHead, c.keyLine, c.keyFoot
			v.HeadComment, v.LineComment, v.FootComment = c.valHead, c.valLine, c.valFoot
		}
	})
}

// walkMappings calls fn for every key of every mapping reachable through
// mappings from n, with its dotted path (controls.ID.answers.q).
func walkMappings(n *yaml.Node, path string, fn func(path string, k, v *yaml.Node)) {
	if n == nil || n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p := input.JoinPath(path, k.Value)
		fn(p, k, v)
		walkMappings(v, p, fn)
	}
}
