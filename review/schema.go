package review

import "github.com/selfassess/selfassess/report"

// ValidateJSON checks review.json bytes against the shipped schema
// (report/schema/review-v1.schema.json).
func ValidateJSON(b []byte) error { return report.ValidateReview(b) }
