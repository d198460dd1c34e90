package report

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// ReviewSchema is the JSON Schema of review.json (selfassess/review/v1).
//
//go:embed schema/review-v1.schema.json
var ReviewSchema []byte

// DecisionsSchema is the JSON Schema of a reviewer's decisions file
// (selfassess/decisions/v1), for editors and reviewers' scripts.
//
//go:embed schema/decisions-v1.schema.json
var DecisionsSchema []byte

var reviewSchemas sync.Map // name → *compiled

type compiled struct {
	once sync.Once
	s    *jsonschema.Schema
	err  error
}

func compileNamed(name string, doc []byte) (*jsonschema.Schema, error) {
	v, _ := reviewSchemas.LoadOrStore(name, &compiled{})
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

// ValidateReview checks review.json bytes against ReviewSchema.
func ValidateReview(b []byte) error { return validateWith("review-v1.schema.json", ReviewSchema, b) }

// ValidateDecisionsJSON checks a decisions document (as JSON) against DecisionsSchema.
func ValidateDecisionsJSON(b []byte) error {
	return validateWith("decisions-v1.schema.json", DecisionsSchema, b)
}

func validateWith(name string, doc, b []byte) error {
	sch, err := compileNamed(name, doc)
	if err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return syntaxError(b, err)
	}
	if err := sch.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			leaf := firstLeaf(ve)
			return fmt.Errorf("at /%s: %s", strings.Join(leaf.InstanceLocation, "/"), leaf.ErrorKind.LocalizedString(message.NewPrinter(language.English)))
		}
		return err
	}
	return nil
}
