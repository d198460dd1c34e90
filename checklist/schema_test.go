package checklist

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(JSONSchema()))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource(SchemaURL, doc))
	sch, err := c.Compile(SchemaURL) // checks the document against the draft 2020-12 meta-schema
	require.NoError(t, err)
	return sch
}

// yamlToJSON converts a YAML document to the JSON value an editor's YAML
// language server checks against the schema.
func yamlToJSON(t *testing.T, data []byte) any {
	t.Helper()
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal(data, &doc))
	var conv func(n *yaml.Node) any
	conv = func(n *yaml.Node) any {
		switch n.Kind {
		case yaml.DocumentNode:
			return conv(n.Content[0])
		case yaml.AliasNode:
			return conv(n.Alias)
		case yaml.MappingNode:
			m := map[string]any{}
			for i := 0; i+1 < len(n.Content); i += 2 {
				m[n.Content[i].Value] = conv(n.Content[i+1])
			}
			return m
		case yaml.SequenceNode:
			l := []any{}
			for _, c := range n.Content {
				l = append(l, conv(c))
			}
			return l
		}
		switch n.ShortTag() {
		case "!!null":
			return nil
		case "!!bool":
			var b bool
			require.NoError(t, n.Decode(&b))
			return b
		case "!!int", "!!float":
			return json.Number(n.Value)
		}
		return n.Value
	}
	return conv(&doc)
}

func TestSchemaIsValidJSONSchema(t *testing.T) {
	var doc map[string]any
	require.NoError(t, json.Unmarshal(JSONSchema(), &doc))
	assert.Equal(t, "https://json-schema.org/draft/2020-12/schema", doc["$schema"])
	assert.Equal(t, SchemaURL, doc["$id"])
	assert.Equal(t, false, doc["additionalProperties"])

	// validate it against the meta-schema explicitly, not only by compiling
	meta := jsonschema.NewCompiler().MustCompile("https://json-schema.org/draft/2020-12/schema")
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(JSONSchema()))
	require.NoError(t, err)
	require.NoError(t, meta.Validate(inst))
	compileSchema(t)

	// the probe enum is the catalogue, the single list of probe ids
	defs := doc["$defs"].(map[string]any)
	probeEnum := defs["probeRef"].(map[string]any)["oneOf"].([]any)[0].(map[string]any)["enum"]
	var ids []any
	for _, id := range probeIDs() {
		ids = append(ids, id)
	}
	assert.Equal(t, ids, probeEnum)
	sev := defs["control"].(map[string]any)["properties"].(map[string]any)["severity"].(map[string]any)["enum"]
	assert.Equal(t, []any{"critical", "high", "medium", "low"}, sev)
}

func TestSchemaAcceptsValidChecklists(t *testing.T) {
	sch := compileSchema(t)
	good, err := os.ReadFile("testdata/good.yaml")
	require.NoError(t, err)
	docs := map[string][]byte{"good.yaml": good, "minimal": []byte(minimal), "withQuestions": []byte(withQuestions)}
	require.Equal(t, []string{"finhub", "fincode", "turris", "fincept", "baseline"}, BuiltinIDs())
	for _, id := range BuiltinIDs() {
		data, err := BuiltinSource(id)
		require.NoError(t, err)
		docs["builtin:"+id] = data
	}
	for name, data := range docs {
		_, err := Parse(name, data)
		require.NoError(t, err)
		assert.NoError(t, sch.Validate(yamlToJSON(t, data)), name)
	}
}

// Documents the schema rejects are rejected by Parse too, so an editor's
// red squiggle and `checklist validate` agree.
func TestSchemaRejectsBadDocuments(t *testing.T) {
	sch := compileSchema(t)
	bad := map[string]string{
		"unknown field":              minimal + "colour: blue\n",
		"unknown control field":      strings.Replace(minimal, "severity: high", "severity: high\n        owner: me", 1),
		"severity not in enum":       strings.Replace(minimal, "severity: high", "severity: urgent", 1),
		"unknown probe id":           strings.Replace(minimal, "[tls.versions]", "[tls.version]", 1),
		"missing requirement":        strings.Replace(minimal, "        requirement: R\n", "", 1),
		"wrong schema id":            strings.Replace(minimal, "checklist/v1", "checklist/v2", 1),
		"no sections":                strings.SplitAfter(minimal, "provider: {name: Mini Pay}\n")[0] + "sections: []\n",
		"empty section":              strings.Replace(minimal, "    controls:\n", "    controls: []\n    x:\n", 1),
		"nothing verifies a control": strings.Replace(minimal, "        probes: [tls.versions]\n", "", 1),
		"select without options":     strings.Replace(withQuestions, "            options: [{value: a}, {value: b}]\n", "", 1),
		"confirm with options":       strings.Replace(withQuestions, "type: confirm\n", "type: confirm\n            options: [{value: y}]\n", 1),
		"criterion of another type":  strings.Replace(withQuestions, "{equals: true}", "{any_of: [x]}", 1),
		"condition with two criteria": strings.Replace(withQuestions, "{question: uses, equals: true}",
			"{question: uses, equals: true, any_of: [a]}", 1),
		"unknown probe parameter":           strings.Replace(minimal, "[tls.versions]", "[{id: tls.versions, with: {min: TLS1.2}}]", 1),
		"parameter of wrong type":           strings.Replace(minimal, "[tls.versions]", "[{id: http.hsts, with: {min_max_age_days: \"365\"}}]", 1),
		"parameter out of enum":             strings.Replace(minimal, "[tls.versions]", "[{id: http.cookies, with: {httponly: some}}]", 1),
		"parameters on a probe without any": strings.Replace(minimal, "[tls.versions]", "[{id: http.cors, with: {strict: true}}]", 1),
		"probe entry without id":            strings.Replace(minimal, "[tls.versions]", "[{with: {preload: true}}]", 1),
		"invalid id":                        strings.Replace(minimal, "id: C-1", "id: C 1", 1),
		"bool as title":                     strings.Replace(minimal, "title: Mini", "title: true", 1),
	}
	for name, doc := range bad {
		t.Run(name, func(t *testing.T) {
			assert.Error(t, sch.Validate(yamlToJSON(t, []byte(doc))), "schema accepted it")
			_, err := Parse("bad.yaml", []byte(doc))
			assert.Error(t, err, "Parse accepted it")
		})
	}
}
