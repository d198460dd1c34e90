package submission

import (
	"strconv"
	"strings"
	"time"

	"github.com/selfassess/selfassess/internal/input"
)

// EnvSourceDate fixes the dates a package and a review carry (reproducible builds).
const EnvSourceDate = "SOURCE_DATE_EPOCH"

// SourceDate is EnvSourceDate (read through getenv) as a time in UTC, else
// def; a value that is not a number of seconds is a *input.Problem.
func SourceDate(getenv func(string) string, def time.Time) (time.Time, error) {
	v := strings.TrimSpace(getenv(EnvSourceDate))
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, input.Problemf("set it to seconds since 1970-01-01 UTC", "%s=%q is not a number of seconds", EnvSourceDate, v)
	}
	return time.Unix(n, 0).UTC(), nil
}
