package checklist

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withQuestions is a valid checklist whose control is verified by answers;
// each case below breaks one rule.
const withQuestions = `schema: selfassess/checklist/v1
id: q
title: Q
version: "1"
provider: {name: P}
sections:
  - id: s
    title: S
    controls:
      - id: C-1
        title: T
        requirement: R
        severity: low
        questions:
          - id: uses
            prompt: Do you use it?
            type: confirm
            pass: {equals: true}
          - id: how
            prompt: How?
            type: select
            options: [{value: a}, {value: b}]
            pass: {any_of: [a]}
            when: {question: uses, equals: true}
`

const q = "sections[0].controls[0].questions"

func TestValidateRules(t *testing.T) {
	_, err := Parse("q.yaml", []byte(withQuestions))
	require.NoError(t, err)

	third := func(lines string) string {
		return withQuestions + "          - id: more\n            prompt: More?\n" + lines
	}
	tests := []struct {
		name string
		doc  string
		want string
	}{
		{"select without options",
			strings.Replace(withQuestions, "            options: [{value: a}, {value: b}]\n", "", 1),
			`q.yaml:19:13: ` + q + `[1].options: a select question needs options`},
		{"select with one option",
			strings.Replace(withQuestions, "[{value: a}, {value: b}]", "[{value: a}]", 1),
			`q.yaml:22:22: ` + q + `[1].options: a select question needs at least two options`},
		{"confirm with options",
			strings.Replace(withQuestions, "type: confirm\n", "type: confirm\n            options: [{value: y}]\n", 1),
			`q.yaml:18:22: ` + q + `[0].options: a confirm question has no options; only select and multiselect do`},
		{"duplicate option",
			strings.Replace(withQuestions, "{value: b}", "{value: a}", 1),
			`q.yaml:22:43: ` + q + `[1].options[1].value: duplicate option value "a"`},
		{"pass names a missing option",
			strings.Replace(withQuestions, "any_of: [a]", "any_of: [a, z]", 1),
			`q.yaml:23:32: ` + q + `[1].pass.any_of[1]: "z" is not an option (options: a, b)`},
		{"criterion of another type",
			strings.Replace(withQuestions, "{equals: true}", "{min: 1}", 1),
			`q.yaml:18:25: ` + q + `[0].pass.min: does not apply to a confirm question; use equals`},
		{"empty pass",
			strings.Replace(withQuestions, "{equals: true}", "{}", 1),
			`q.yaml:18:19: ` + q + `[0].pass: sets no criterion; a confirm question passes with equals`},
		{"condition on unknown question",
			strings.Replace(withQuestions, "question: uses", "question: nope", 1),
			`q.yaml:24:30: ` + q + `[1].when.question: unknown question "nope"; this control's questions: uses, how`},
		{"condition on itself",
			strings.Replace(withQuestions, "question: uses", "question: how", 1),
			`q.yaml:24:30: ` + q + `[1].when.question: question "how" cannot depend on itself`},
		{"condition on a later question",
			strings.Replace(withQuestions, "pass: {equals: true}\n", "pass: {equals: true}\n            when: {question: how, any_of: [a]}\n", 1),
			`q.yaml:19:30: ` + q + `[0].when.question: question "how" is asked after this one; a condition may only refer to an earlier question`},
		{"condition criterion of another type",
			third("            type: text\n            pass: {not_empty: true}\n            when: {question: how, equals: true}\n"),
			`q.yaml:29:43: ` + q + `[2].when.equals: applies to confirm questions; "how" is a select question`},
		{"condition names a missing option",
			third("            type: text\n            pass: {not_empty: true}\n            when: {question: how, any_of: [c]}\n"),
			`q.yaml:29:44: ` + q + `[2].when.any_of[0]: "c" is not an option (options: a, b)`},
		{"condition without criterion",
			third("            type: text\n            pass: {not_empty: true}\n            when: {question: uses}\n"),
			`q.yaml:29:19: ` + q + `[2].when: sets no criterion: use equals (confirm) or any_of (select, multiselect)`},
		{"condition on a text question",
			third("            type: text\n            when: {question: uses, equals: true}\n          - id: last\n            prompt: L\n            type: confirm\n            when: {question: more, any_of: [x]}\n"),
			`q.yaml:32:44: ` + q + `[3].when.any_of: applies to select and multiselect questions; "more" is a text question`},
		{"duplicate question id",
			third("            type: text\n          - id: how\n            prompt: Again?\n            type: text\n"),
			`q.yaml:28:17: ` + q + `[3].id: duplicate question id "how" in this control (first defined at 19:17)`},
		{"unknown question type",
			strings.Replace(withQuestions, "type: confirm", "type: checkbox", 1),
			`q.yaml:17:19: ` + q + `[0].type: "checkbox" is not one of confirm, select, multiselect, text, number, date`},
		{"number range inverted",
			third("            type: number\n            pass: {min: 10, max: 1}\n"),
			`q.yaml:28:34: ` + q + `[2].pass.max: max 1 is below min 10`},
		{"multiselect value both required and forbidden",
			third("            type: multiselect\n            options: [{value: x}, {value: y}]\n            pass: {all_of: [x], none_of: [x]}\n"),
			`q.yaml:29:29: ` + q + `[2].pass.all_of[0]: "x" is both required (all_of) and forbidden (none_of)`},
		{"no question decides",
			strings.NewReplacer("            pass: {equals: true}\n", "", "            pass: {any_of: [a]}\n", "").Replace(withQuestions),
			`q.yaml:15:11: sections[0].controls[0].questions: nothing decides control "C-1": give a question pass criteria, or add probes`},
		{"nothing verifies",
			withQuestions + "      - {id: C-2, title: T, requirement: R, severity: low}\n",
			`q.yaml:25:9: sections[0].controls[1]: nothing verifies control "C-2": add questions, probes or both`},
		{"duplicate control id",
			withQuestions + "      - {id: C-1, title: T, requirement: R, severity: low, probes: [http.hsts]}\n",
			`q.yaml:25:14: sections[0].controls[1].id: duplicate control id "C-1" (first defined at 10:13)`},
		{"duplicate section id",
			withQuestions + "  - id: s\n    title: Again\n    controls: [{id: C-2, title: T, requirement: R, severity: low, probes: [http.hsts]}]\n",
			`q.yaml:25:9: sections[1].id: duplicate section id "s" (first defined at 7:9)`},
		{"empty section",
			withQuestions + "  - {id: s2, title: Empty, controls: []}\n",
			`q.yaml:25:38: sections[1].controls: the section has no controls`},
		{"mapping without framework",
			strings.Replace(withQuestions, "severity: low\n", "severity: low\n        mappings: [{id: \"4.2.1\"}]\n", 1),
			`q.yaml:14:20: sections[0].controls[0].mappings[0].framework: is required`},
		{"invalid id",
			strings.Replace(withQuestions, "id: C-1", "id: C 1", 1),
			`q.yaml:10:13: sections[0].controls[0].id: "C 1" is not a valid id (letters, digits, '.', '_' and '-', starting with a letter or digit)`},
		{"duplicate evidence id",
			strings.Replace(withQuestions, "severity: low\n", "severity: low\n        evidence: [{id: e, description: d}, {id: e, description: d2}]\n", 1),
			`q.yaml:14:50: sections[0].controls[0].evidence[1].id: duplicate evidence id "e" (first defined at 14:25)`},
		{"probe listed twice",
			strings.Replace(withQuestions, "severity: low\n", "severity: low\n        probes: [http.hsts, http.hsts]\n", 1),
			`q.yaml:14:29: sections[0].controls[0].probes[1]: probe "http.hsts" is listed twice (first at 14:18)`},
		{"age reference to an unknown question",
			third("            type: date\n            pass: {max_age_days_from: nope}\n"),
			`q.yaml:28:39: ` + q + `[2].pass.max_age_days_from: unknown question "nope"; this control's questions: uses, how, more`},
		{"age reference to a select question",
			third("            type: date\n            pass: {max_age_days_from: how}\n"),
			`q.yaml:28:39: ` + q + `[2].pass.max_age_days_from: must name a number question (the maximum age in days); "how" is a select question`},
		{"age reference to itself",
			third("            type: date\n            pass: {max_age_days_from: more}\n"),
			`q.yaml:28:39: ` + q + `[2].pass.max_age_days_from: question "more" cannot refer to itself`},
		{"age reference on a number question",
			third("            type: number\n            pass: {max_age_days_from: uses}\n"),
			`q.yaml:28:39: ` + q + `[2].pass.max_age_days_from: does not apply to a number question; use min or max`},
		{"bad date",
			strings.Replace(withQuestions, "provider: {name: P}", "provider: {name: P}\nsource: {title: S, retrieved: 2025-13-01}", 1),
			`q.yaml:6:31: source.retrieved: "2025-13-01" is not a date (YYYY-MM-DD)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("q.yaml", []byte(tt.doc))
			assert.Equal(t, []string{tt.want}, errorLines(t, err))
		})
	}
}

// Validate works on a checklist built in Go (no positions): the lines name
// the file and field path only.
func TestValidateModelWithoutPositions(t *testing.T) {
	cl := &Checklist{Schema: SchemaID, ID: "go", Title: "Go", Version: "1", Provider: Provider{Name: "P"}, File: "builtin:go",
		Sections: []Section{{ID: "s", Title: "S", Controls: []Control{{ID: "C", Title: "T", Requirement: "R", Severity: "urgent", Probes: []string{"tls.versions"}}}}}}
	lines := errorLines(t, Validate(cl))
	assert.Equal(t, []string{`builtin:go: sections[0].controls[0].severity: "urgent" is not one of critical, high, medium, low`}, lines)

	cl.Sections[0].Controls[0].Severity = Critical
	assert.NoError(t, Validate(cl))

	lines = errorLines(t, Validate(&Checklist{}))
	assert.Equal(t, []string{
		`schema: is required: set it to "selfassess/checklist/v1"`,
		`id: is required`,
		`title: is required`,
		`version: is required`,
		`provider.name: is required`,
		`sections: at least one section is required`,
	}, lines)
}

// max_age_days_from takes the maximum age from another answer of the control;
// with max_age_days as well, the smaller applies.
func TestPassCriteriaResolve(t *testing.T) {
	p := &PassCriteria{MaxAgeDaysFrom: "policy"}
	assert.Equal(t, 90, p.Resolve(map[string]any{"policy": 90}).MaxAgeDays)
	assert.Equal(t, 365, p.Resolve(map[string]any{"policy": 365.0}).MaxAgeDays)
	assert.Equal(t, 0, p.Resolve(map[string]any{}).MaxAgeDays, "unanswered: no age from it")
	assert.Equal(t, 0, p.Resolve(map[string]any{"policy": "90"}).MaxAgeDays, "not a number")
	assert.Equal(t, 0, p.Resolve(map[string]any{"policy": 0}).MaxAgeDays, "not positive")
	assert.Equal(t, 0, p.MaxAgeDays, "the checklist's criteria are not changed")
	capped := &PassCriteria{MaxAgeDays: 180, MaxAgeDaysFrom: "policy"}
	assert.Equal(t, 90, capped.Resolve(map[string]any{"policy": 90}).MaxAgeDays)
	assert.Equal(t, 180, capped.Resolve(map[string]any{"policy": 3650}).MaxAgeDays)
	plain := &PassCriteria{MaxAgeDays: 30}
	assert.Same(t, plain, plain.Resolve(map[string]any{"policy": 1}))
	var none *PassCriteria
	assert.Nil(t, none.Resolve(nil))
}
