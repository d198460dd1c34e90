package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/internal/input"
)

// ResultsSchema is the JSON Schema of results.json.
//
//go:embed schema/results-v1.schema.json
var ResultsSchema []byte

// MaxResultsSize bounds the results.json files read back.
const MaxResultsSize = 64 << 20

// JSON renders results.json: exactly json.Marshal of Results, indented.
func JSON(r *assessment.Results) ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

var schemas sync.Map // name → *compiled

type compiled struct {
	once sync.Once
	s    *jsonschema.Schema
	err  error
}

// compileNamed compiles the schema doc once under name.
func compileNamed(name string, doc []byte) (*jsonschema.Schema, error) {
	v, _ := schemas.LoadOrStore(name, &compiled{})
	c := v.(*compiled)
	c.once.Do(func() {
		d, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
		if err != nil {
			c.err = err
			return
		}
		comp := jsonschema.NewCompiler()
		comp.AssertFormat()
		if err := comp.AddResource(name, d); err != nil {
			c.err = err
			return
		}
		c.s, c.err = comp.Compile(name)
	})
	return c.s, c.err
}

// ValidateResults checks results.json bytes against the schema and returns
// a one-line error naming the offending location.
func ValidateResults(b []byte) error {
	sch, err := compileNamed("results-v1.schema.json", ResultsSchema)
	if err != nil {
		return fmt.Errorf("results schema: %v", err)
	}
	return validate(sch, b)
}

// validate checks JSON bytes against sch; the error names the first
// offending location.
func validate(sch *jsonschema.Schema, b []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return syntaxError(b, err)
	}
	if err := sch.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			leaf := firstLeaf(ve)
			loc := "/" + strings.Join(leaf.InstanceLocation, "/")
			return fmt.Errorf("at %s: %s", loc, leaf.ErrorKind.LocalizedString(message.NewPrinter(language.English)))
		}
		return err
	}
	return nil
}

func firstLeaf(e *jsonschema.ValidationError) *jsonschema.ValidationError {
	for len(e.Causes) > 0 {
		e = e.Causes[0]
	}
	return e
}

// LoadResults reads and validates a results.json file. Errors name the file
// and, for syntax errors, line:col.
func LoadResults(path string) (*assessment.Results, error) {
	b, err := input.ReadFile(path, MaxResultsSize)
	if err != nil {
		return nil, err
	}
	return ParseResults(path, b)
}

// ParseResults parses results.json bytes; name is used in errors.
func ParseResults(name string, b []byte) (*assessment.Results, error) {
	var r assessment.Results
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s%v", name, prefixPos(syntaxError(b, err)))
	}
	if r.Schema != assessment.SchemaID {
		return nil, fmt.Errorf("%s: not a selfassess results file (schema %q, want %q)", name, r.Schema, assessment.SchemaID)
	}
	if err := ValidateResults(b); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return &r, nil
}

// posError is an error at a line:col of the input.
type posError struct {
	line, col int
	msg       string
}

func (e *posError) Error() string { return fmt.Sprintf("%d:%d: %s", e.line, e.col, e.msg) }

func prefixPos(err error) string {
	var pe *posError
	if errors.As(err, &pe) {
		return ":" + pe.Error()
	}
	return ": " + err.Error()
}

// syntaxError turns encoding/json's byte offsets into line:col.
func syntaxError(b []byte, err error) error {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	msg := err.Error()
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
		field := te.Field
		if field == "" {
			field = "value"
		}
		msg = fmt.Sprintf("field %s: cannot use JSON %s as %s", field, te.Value, te.Type)
	}
	if off < 0 {
		return err
	}
	off-- // encoding/json counts the offending byte as read
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	if off < 0 {
		off = 0
	}
	line, col := 1, 1
	for _, c := range b[:off] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return &posError{line: line, col: col, msg: strings.TrimPrefix(msg, "json: ")}
}
