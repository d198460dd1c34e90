package input

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// SyntaxError is a YAML parse error at a position; the parser reports
// only a line, so the column is found by ToSyntaxError.
type SyntaxError struct {
	Line, Col int
	Msg       string
}

func (e *SyntaxError) Error() string { return e.Msg }

var yamlLineErr = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

var yamlAnchorErr = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)

// parserProblems are the YAML parser's (not scanner's) messages; yaml/v3
// reports their line 0-based, so one is added.
var parserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

// ToSyntaxError positions a yaml/v3 error of data: the parser's 0-based
// lines corrected, the column found.
func ToSyntaxError(data []byte, err error) error {
	msg := err.Error()
	if m := yamlLineErr.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		if parserProblems[m[2]] {
			line++
		}
		return &SyntaxError{Line: line, Col: errorColumn(data, line, msg), Msg: "invalid YAML: " + m[2]}
	}
	line, col := 1, 1
	if m := yamlAnchorErr.FindStringSubmatch(msg); m != nil {
		// the parser does not say where the alias is; find its first use
		if i := bytes.Index(data, []byte("*"+m[1])); i >= 0 {
			line = bytes.Count(data[:i], []byte("\n")) + 1
			col = i - bytes.LastIndexByte(data[:i], '\n')
		}
	}
	return &SyntaxError{Line: line, Col: col, Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

// errorColumn finds the column of a syntax error that yaml/v3 reports by
// line only: it parses ever longer prefixes of that line and takes the
// first that fails the same way, whose last character is the culprit.
// Otherwise (or when that would parse too much) it is the line's first
// non-blank character.
func errorColumn(data []byte, line int, msg string) int {
	start := 0
	for i := 1; i < line; i++ {
		nl := bytes.IndexByte(data[start:], '\n')
		if nl < 0 {
			return 1
		}
		start += nl + 1
	}
	end := len(data)
	if nl := bytes.IndexByte(data[start:], '\n'); nl >= 0 {
		end = start + nl
	}
	text := data[start:end]
	fallback := len(text) - len(bytes.TrimLeft(text, " \t")) + 1
	if (end-start)*end > 32<<20 {
		return fallback
	}
	for k := start + 1; k <= end; k++ {
		var n yaml.Node
		if err := yaml.Unmarshal(data[:k], &n); err != nil && err.Error() == msg {
			return utf8.RuneCount(data[start:k])
		}
	}
	return fallback
}

// YAMLError positions a yaml/v3 decoding error of data as a FieldError, so
// every input file reports syntax errors alike.
func YAMLError(name string, data []byte, err error) FieldError {
	var se *SyntaxError
	if errors.As(ToSyntaxError(data, err), &se) {
		return FieldError{File: name, Line: se.Line, Col: se.Col, Msg: se.Msg}
	}
	return FieldError{File: name, Line: 1, Col: 1, Msg: "invalid YAML: " + err.Error()}
}

// KindName describes a YAML node for "expected X, got Y" messages:
// "a mapping", "a list", "nothing", "the boolean yes", "the number 3",
// `the string "text"` (long values shortened).
func KindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:37] + "..."
	}
	switch n.ShortTag() {
	case "!!bool":
		return "the boolean " + v
	case "!!int", "!!float":
		return "the number " + v
	case "!!null":
		return "nothing"
	}
	return fmt.Sprintf("the string %q", v)
}
