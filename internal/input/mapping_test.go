package input

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

func TestFieldsReportsUnknownDuplicateAndNonMapping(t *testing.T) {
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte("base: &b {x: 1}\nitem:\n  name: a\n  zeta: 2\n  name: b\n  alias: *b\nlist: [1]\n"), &doc))
	root := doc.Content[0]
	var problems []string
	errf := func(n *yaml.Node, field, format string, a ...any) {
		problems = append(problems, fmt.Sprintf("%d:%d %s: %s", n.Line, n.Column, field, fmt.Sprintf(format, a...)))
	}
	var got []string
	ok := Fields(root.Content[3], "item", errf, map[string]func(k, v *yaml.Node){
		"name":  func(k, v *yaml.Node) { got = append(got, "name="+v.Value) },
		"alias": func(k, v *yaml.Node) { got = append(got, fmt.Sprintf("alias kind %d", v.Kind)) },
	})
	assert.True(t, ok)
	assert.Equal(t, []string{"name=a", fmt.Sprintf("alias kind %d", yaml.MappingNode)}, got, "the first of two keys counts; aliases are followed")
	assert.Equal(t, []string{
		"4:3 item.zeta: unknown field (known: alias, name)",
		"5:3 item.name: duplicate key",
	}, problems)

	problems = nil
	assert.False(t, Fields(root.Content[5], "list", errf, nil))
	assert.Equal(t, []string{"7:7 list: expected a mapping, got a list"}, problems)
}
