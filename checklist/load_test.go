package checklist

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// minimal is a valid checklist that the error tests below break one way
// at a time.
const minimal = `schema: selfassess/checklist/v1
id: mini
title: Mini
version: "1"
provider: {name: Mini Pay}
sections:
  - id: s
    title: S
    controls:
      - id: C-1
        title: T
        requirement: R
        severity: high
        probes: [tls.versions]
`

func errorLines(t *testing.T, err error) []string {
	t.Helper()
	require.Error(t, err)
	var errs *Errors
	require.True(t, errors.As(err, &errs), "error is %T: %v", err, err)
	return errs.Lines()
}

func TestLoadGoodFile(t *testing.T) {
	cl, err := Load("testdata/good.yaml")
	require.NoError(t, err)
	data, err := os.ReadFile("testdata/good.yaml")
	require.NoError(t, err)
	sum := sha256.Sum256(data)

	assert.Equal(t, "testdata/good.yaml", cl.File)
	assert.Equal(t, hex.EncodeToString(sum[:]), cl.SHA256)
	assert.Equal(t, data, cl.Raw)
	assert.Equal(t, "acme", cl.ID)
	assert.Equal(t, "2025.1", cl.Version)
	assert.Equal(t, "2025-01-15", cl.Source.Retrieved)
	require.Len(t, cl.Controls(), 3)

	tok, sec := cl.Control("ACME-TOK-1")
	require.NotNil(t, tok)
	assert.Equal(t, "tokens", sec.ID)
	assert.True(t, tok.AllowNotApplicable)
	assert.Equal(t, []string{"http.cookies", "js.token-storage"}, tok.Probes)
	assert.Equal(t, []Evidence{{ID: "arch-doc", Description: "Architecture document showing where tokens live", Required: true}}, tok.Evidence)
	enc := tok.Question("encrypted")
	require.NotNil(t, enc)
	require.NotNil(t, enc.Pass.Equals)
	assert.True(t, *enc.Pass.Equals)
	assert.Equal(t, &Condition{Question: "where", AnyOf: []string{"server"}}, enc.When)
	assert.True(t, tok.Question("kms").Optional)

	life, _ := cl.Control("ACME-TOK-2")
	p := life.Question("lifetime").Pass
	assert.Equal(t, 1.0, *p.Min)
	assert.Equal(t, 60.0, *p.Max)
	assert.Equal(t, 365, life.Question("pentest").Pass.MaxAgeDays)
	assert.Equal(t, []Mapping{{Framework: "PCI DSS 4.0", ID: "4.2.1"}}, cl.Sections[0].Controls[0].Mappings)
}

// The YAML that `checklist show --format yaml` prints must load back to
// the same model.
func TestYAMLRoundTrip(t *testing.T) {
	cl, err := Load("testdata/good.yaml")
	require.NoError(t, err)
	out, err := yaml.Marshal(cl)
	require.NoError(t, err)
	again, err := Parse("roundtrip.yaml", out)
	require.NoError(t, err, string(out))
	again.File, again.SHA256, again.Raw, again.pos = cl.File, cl.SHA256, cl.Raw, cl.pos
	assert.True(t, reflect.DeepEqual(cl, again))
}

func TestParseReportsPositionAndPath(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []string
	}{
		{"unknown field with suggestion",
			strings.Replace(minimal, "        severity: high\n", "        severity: high\n        severty: low\n", 1),
			[]string{`f.yaml:14:9: sections[0].controls[0].severty: unknown field "severty" (did you mean "severity"?)`}},
		{"unknown field lists allowed ones",
			minimal + "colour: blue\n",
			[]string{`f.yaml:15:1: colour: unknown field "colour"; allowed: schema, id, title, version, description, provider, source, sections, remediation_days`}},
		{"severity not in enum",
			strings.Replace(minimal, "severity: high", "severity: urgent", 1),
			[]string{`f.yaml:13:19: sections[0].controls[0].severity: "urgent" is not one of critical, high, medium, low`}},
		{"wrong type",
			strings.Replace(minimal, "title: T", "title: [T]", 1),
			[]string{`f.yaml:11:16: sections[0].controls[0].title: expected a string, got a list`}},
		{"bool where a string belongs",
			strings.Replace(minimal, "title: Mini", "title: true", 1),
			[]string{`f.yaml:3:8: title: expected a string, got the boolean true (quote it: "true")`}},
		{"string where a list belongs",
			strings.Replace(minimal, "requirement: R", "requirement: R\n        tags: tls", 1),
			[]string{`f.yaml:13:15: sections[0].controls[0].tags: expected a list, got the string "tls"`}},
		{"duplicate key",
			strings.Replace(minimal, "id: mini\n", "id: mini\nid: maxi\n", 1),
			[]string{`f.yaml:3:1: id: field "id" is set twice (first at 2:1)`}},
		{"unknown probe id",
			strings.Replace(minimal, "[tls.versions]", "[tls.version]", 1),
			[]string{`f.yaml:14:18: sections[0].controls[0].probes[0]: unknown probe id "tls.version" (did you mean "tls.versions"?); 'selfassess probe --list' shows the probe ids`}},
		{"missing required field at its mapping",
			strings.Replace(minimal, "        requirement: R\n", "", 1),
			[]string{`f.yaml:10:9: sections[0].controls[0].requirement: is required`}},
		{"wrong schema",
			strings.Replace(minimal, "checklist/v1", "checklist/v9", 1),
			[]string{`f.yaml:1:9: schema: "selfassess/checklist/v9" is not supported; this version of selfassess reads "selfassess/checklist/v1"`}},
		{"broken YAML",
			"schema: selfassess/checklist/v1\nid: [unclosed\ntitle: x\n",
			[]string{`f.yaml:2:6: invalid YAML: did not find expected ',' or ']'`}},
		{"mapping value in a plain scalar: the column of the culprit, in characters",
			strings.Replace(minimal, "title: Mini", "title: Café: Pay", 1),
			[]string{`f.yaml:3:12: invalid YAML: mapping values are not allowed in this context`}},
		{"tab indentation",
			"schema: x\nprovider:\n\tname: y\n",
			[]string{`f.yaml:3:1: invalid YAML: found character that cannot start any token`}},
		{"empty file",
			"# only a comment\n",
			[]string{"f.yaml:1:1: the file is empty; a checklist starts with `schema: selfassess/checklist/v1`"}},
		{"two documents",
			minimal + "---\nid: other\n",
			[]string{`f.yaml:16:1: a checklist file holds exactly one YAML document; found a second one`}},
		{"not a mapping",
			"- schema\n",
			[]string{`f.yaml:1:1: expected a mapping, got a list`}},
		{"merge keys",
			strings.Replace(minimal, "provider: {name: Mini Pay}", "provider: {<<: {name: X}, name: Mini Pay}", 1),
			[]string{`f.yaml:5:12: provider: merge keys (<<) are not supported; write the fields out`}},
		{"undefined alias",
			strings.Replace(minimal, "title: Mini", "title: *nope", 1),
			[]string{`f.yaml:3:8: invalid YAML: unknown anchor 'nope' referenced`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.yaml", []byte(tt.doc))
			assert.Equal(t, tt.want, errorLines(t, err))
		})
	}
}

// Independent problems are all reported in one run, in file order, and a
// problem the decoder reported is not repeated by validation.
func TestParseReportsAllErrors(t *testing.T) {
	doc := strings.NewReplacer(
		"title: Mini", "title: Mini\nowner: me",
		"severity: high", "severity: urgent",
		"[tls.versions]", "[tls.versions, nmap.scan]",
	).Replace(minimal)
	lines := errorLines(t, func() error { _, err := Parse("three.yaml", []byte(doc)); return err }())
	assert.Equal(t, []string{
		`three.yaml:4:1: owner: unknown field "owner"; allowed: schema, id, title, version, description, provider, source, sections, remediation_days`,
		`three.yaml:14:19: sections[0].controls[0].severity: "urgent" is not one of critical, high, medium, low`,
		`three.yaml:15:32: sections[0].controls[0].probes[1]: unknown probe id "nmap.scan"; 'selfassess probe --list' shows the probe ids`,
	}, lines)

	_, err := Parse("three.yaml", []byte(doc))
	assert.Equal(t, lines[0]+" (and 2 more errors)", err.Error())

	// a wrongly typed severity is one error, not also "severity is required"
	_, err = Parse("f.yaml", []byte(strings.Replace(minimal, "severity: high", "severity: {level: high}", 1)))
	assert.Equal(t, []string{`f.yaml:13:19: sections[0].controls[0].severity: expected a string, got a mapping`}, errorLines(t, err))
}

func TestAliasExpansionIsBounded(t *testing.T) {
	// 100 controls x 100 questions x 100 options from a 3 KiB file
	hundred := func(alias string) string { return "[" + strings.Repeat(alias+", ", 99) + alias + "]" }
	doc := `schema: selfassess/checklist/v1
id: bomb
title: Bomb
version: "1"
provider: {name: B}
description: &o ` + hundred("{value: a}") + `
source: {title: &q {id: q, prompt: p, type: select, options: *o}}
tags: &qs ` + hundred("*q") + `
x: &c {id: c, title: t, requirement: r, severity: low, questions: *qs}
sections: [{id: s, title: s, controls: ` + hundred("*c") + `}]
`
	_, err := Parse("bomb.yaml", []byte(doc))
	lines := errorLines(t, err)
	require.Len(t, lines, 1)
	assert.Regexp(t, `^bomb.yaml:6:\d+: sections\[0\]\.controls\[\d+\]\.questions\[\d+\]\.options\[\d+\]\S*: the document expands to more than 200000 YAML nodes \(too many aliases\?\)$`, lines[0])
}

func TestFileTooLarge(t *testing.T) {
	_, err := Parse("big.yaml", make([]byte, MaxFileSize+1))
	assert.Equal(t, []string{fmt.Sprintf("big.yaml:1:1: the file is %d bytes; a checklist may be at most %d", MaxFileSize+1, MaxFileSize)}, errorLines(t, err))
}

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mine.yaml")
	require.NoError(t, os.WriteFile(path, []byte(minimal), 0o644))
	cl, err := Resolve(path)
	require.NoError(t, err)
	assert.Equal(t, "mini", cl.ID)
	assert.Equal(t, path, cl.File)

	_, err = Resolve("finhbu")
	var nf *NotFoundError
	require.ErrorAs(t, err, &nf)
	assert.Equal(t, `"finhbu" is neither a built-in checklist nor a file`, err.Error())
	for _, id := range BuiltinIDs() {
		assert.Contains(t, nf.Hint(), id)
	}

	// a path-looking name is a missing file, not a mistyped id
	_, err = Resolve(filepath.Join(dir, "missing.yaml"))
	require.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), "cannot read checklist")

	_, err = Load(dir)
	assert.ErrorContains(t, err, "a directory, not a regular file")
}

func TestResolveBuiltins(t *testing.T) {
	for _, id := range BuiltinIDs() {
		cl, err := Resolve(id)
		require.NoError(t, err, id)
		assert.Equal(t, id, cl.ID)
		assert.Equal(t, "builtin:"+id, cl.File)
		assert.NoError(t, Validate(cl))
	}
}

func FuzzParse(f *testing.F) {
	good, err := os.ReadFile("testdata/good.yaml")
	require.NoError(f, err)
	f.Add(good)
	f.Add([]byte(minimal))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("schema: [\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cl, err := Parse("fuzz.yaml", data)
		if err == nil {
			if cl == nil || Validate(cl) != nil {
				t.Fatal("Parse accepted a checklist that Validate rejects")
			}
			return
		}
		var errs *Errors
		if !errors.As(err, &errs) || len(errs.List) == 0 {
			t.Fatalf("error is not *Errors: %v", err)
		}
		for _, fe := range errs.List {
			if fe.Line < 1 || fe.Col < 1 || strings.Contains(fe.Error(), "\n") {
				t.Fatalf("bad error line %q (%d:%d)", fe.Error(), fe.Line, fe.Col)
			}
		}
	})
}

// The format example in the README's Checklists section stays valid.
func TestREADMEExampleIsValid(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	const start = "# yaml-language-server: $schema=./checklist.schema.json\nschema:"
	i := strings.Index(string(readme), start)
	require.GreaterOrEqual(t, i, 0, "README lost its checklist example")
	example := string(readme[i:])
	example = example[:strings.Index(example, "```")]
	cl, err := Parse("README.md", []byte(example))
	require.NoError(t, err)
	assert.Equal(t, "acme", cl.ID)
}

// Files saved on Windows (CRLF, byte-order mark) load, with the same positions.
func TestParseCRLFAndBOM(t *testing.T) {
	doc := "\ufeff" + strings.ReplaceAll(strings.Replace(minimal, "severity: high", "severity: urgent", 1), "\n", "\r\n")
	_, err := Parse("win.yaml", []byte(doc))
	assert.Equal(t, []string{`win.yaml:13:19: sections[0].controls[0].severity: "urgent" is not one of critical, high, medium, low`}, errorLines(t, err))
	cl, err := Parse("win.yaml", []byte("\ufeff"+strings.ReplaceAll(minimal, "\n", "\r\n")))
	require.NoError(t, err)
	assert.Equal(t, "R", cl.Sections[0].Controls[0].Requirement)
}
