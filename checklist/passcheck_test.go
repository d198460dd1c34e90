package checklist

import (
	"testing"
	"time"
	_ "time/tzdata" // the DST case needs Europe/Berlin on any machine

	"github.com/stretchr/testify/assert"
)

func TestPassCriteriaCheck(t *testing.T) {
	yes, no := true, false
	num := func(f float64) *float64 { return &f }
	// 15:30 UTC: an elapsed-hours rule would call 2026-02-08 "30.6 days old".
	now := time.Date(2026, 3, 10, 15, 30, 0, 0, time.UTC)
	tokyo := time.FixedZone("JST", 9*3600)
	honolulu := time.FixedZone("HST", -10*3600)
	age30 := &PassCriteria{MaxAgeDays: 30}
	tests := []struct {
		name string
		p    *PassCriteria
		v    any
		now  time.Time
		want bool
		why  string
	}{
		{"no criteria", nil, "anything", now, true, ""},
		{"equals true, yes", &PassCriteria{Equals: &yes}, true, now, true, ""},
		{"equals true, no", &PassCriteria{Equals: &yes}, false, now, false, "expected yes"},
		{"equals false, no", &PassCriteria{Equals: &no}, false, now, true, ""},
		{"equals, not a boolean", &PassCriteria{Equals: &yes}, "true", now, false, "expected yes"},
		{"any_of, listed", &PassCriteria{AnyOf: []string{"a", "b"}}, "b", now, true, ""},
		{"any_of, not listed", &PassCriteria{AnyOf: []string{"a", "b"}}, "c", now, false, "expected one of a, b"},
		{"any_of, a list is not one value", &PassCriteria{AnyOf: []string{"a"}}, []string{"a"}, now, false, "expected one of a"},
		{"all_of, all chosen", &PassCriteria{AllOf: []string{"a", "b"}}, []string{"b", "c", "a"}, now, true, ""},
		{"all_of, one missing", &PassCriteria{AllOf: []string{"a", "b"}}, []string{"a"}, now, false, "missing b"},
		{"all_of, from YAML", &PassCriteria{AllOf: []string{"a"}}, []any{"a"}, now, true, ""},
		{"none_of, none chosen", &PassCriteria{NoneOf: []string{"md5"}}, []string{"sha256"}, now, true, ""},
		{"none_of, nothing chosen", &PassCriteria{NoneOf: []string{"md5"}}, []string{}, now, true, ""},
		{"none_of, one chosen", &PassCriteria{NoneOf: []string{"md5"}}, []string{"sha256", "md5"}, now, false, "must not include md5"},
		{"min, equal", &PassCriteria{Min: num(12)}, 12, now, true, ""},
		{"min, below", &PassCriteria{Min: num(12)}, 11.999, now, false, "expected at least 12"},
		{"max, equal", &PassCriteria{Max: num(90)}, 90.0, now, true, ""},
		{"max, above", &PassCriteria{Max: num(90)}, int64(91), now, false, "expected at most 90"},
		{"min and max, inside", &PassCriteria{Min: num(1), Max: num(90)}, 45, now, true, ""},
		{"min, text is not a number", &PassCriteria{Min: num(1)}, "5", now, false, "expected a number"},
		{"not_empty, text", &PassCriteria{NotEmpty: true}, "vault", now, true, ""},
		{"not_empty, blank", &PassCriteria{NotEmpty: true}, "  ", now, false, "expected an answer"},
		{"not_empty, nothing", &PassCriteria{NotEmpty: true}, nil, now, false, "expected an answer"},
		{"max_age_days, today", age30, "2026-03-10", now, true, ""},
		{"max_age_days, tomorrow", age30, "2026-03-11", now, false, "date is in the future"},
		{"max_age_days, far future", age30, "2999-01-01", now, false, "date is in the future"},
		{"max_age_days, day 30 in the afternoon", age30, "2026-02-08", now, true, ""},
		{"max_age_days, day 30 just before midnight", age30, "2026-02-08", time.Date(2026, 3, 10, 23, 59, 59, 0, time.UTC), true, ""},
		{"max_age_days, day 31", age30, "2026-02-07", now, false, "31 days old, at most 30 allowed"},
		// 2026-03-10 15:30 UTC is already 2026-03-11 in Tokyo: the date of now, in now's zone, counts.
		{"max_age_days, Tokyo: day 31", age30, "2026-02-08", now.In(tokyo), false, "31 days old, at most 30 allowed"},
		{"max_age_days, Tokyo: today", age30, "2026-03-11", now.In(tokyo), true, ""},
		// 2026-03-11 05:00 UTC is still 2026-03-10 in Honolulu.
		{"max_age_days, Honolulu: tomorrow", age30, "2026-03-11", time.Date(2026, 3, 11, 5, 0, 0, 0, time.UTC).In(honolulu), false, "date is in the future"},
		{"max_age_days, Honolulu: day 30", age30, "2026-02-08", time.Date(2026, 3, 11, 5, 0, 0, 0, time.UTC).In(honolulu), true, ""},
		{"max_age_days, across a DST change", age30, "2026-02-28", time.Date(2026, 3, 30, 0, 30, 0, 0, berlin(t)), true, ""},
		{"max_age_days, not a date", age30, "last week", now, false, "expected a date YYYY-MM-DD"},
		{"max_age_days, not text", age30, 20260310, now, false, "expected a date YYYY-MM-DD"},
		{"max_age_days with not_empty, empty", &PassCriteria{NotEmpty: true, MaxAgeDays: 30}, "", now, false, "expected an answer"},
		{"date not_empty, set", &PassCriteria{NotEmpty: true}, "1999-01-01", now, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := tt.p.Check(tt.v, tt.now)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.why, why)
		})
	}
}

// max_age_days_from takes the limit from a number answer of the same
// control; with max_age_days too, the smaller applies; the day counting is
// Check's.
func TestPassCriteriaResolveThenCheck(t *testing.T) {
	now := time.Date(2026, 3, 10, 15, 30, 0, 0, time.UTC)
	from := &PassCriteria{MaxAgeDaysFrom: "policy"}
	both := &PassCriteria{MaxAgeDays: 30, MaxAgeDaysFrom: "policy"}
	tests := []struct {
		name  string
		p     *PassCriteria
		given map[string]any
		v     string
		want  bool
		why   string
	}{
		{"policy 10, day 10", from, map[string]any{"policy": 10}, "2026-02-28", true, ""},
		{"policy 10, day 11", from, map[string]any{"policy": 10.0}, "2026-02-27", false, "11 days old, at most 10 allowed"},
		{"policy 10, tomorrow", from, map[string]any{"policy": int64(10)}, "2026-03-11", false, "date is in the future"},
		{"policy unanswered: no limit", from, map[string]any{}, "2000-01-01", true, ""},
		{"policy not positive: no limit", from, map[string]any{"policy": 0}, "2000-01-01", true, ""},
		{"policy 90 and max 30: 30 applies", both, map[string]any{"policy": 90}, "2026-02-07", false, "31 days old, at most 30 allowed"},
		{"policy 7 and max 30: 7 applies", both, map[string]any{"policy": 7}, "2026-03-02", false, "8 days old, at most 7 allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := tt.p.Resolve(tt.given).Check(tt.v, now)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.why, why)
		})
	}
}

func berlin(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
