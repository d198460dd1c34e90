package report

import (
	_ "embed"
	"fmt"
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
	return validate(sch, b)
}
