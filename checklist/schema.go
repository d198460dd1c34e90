package checklist

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/selfassess/selfassess/probes"
)

// SchemaURL is the JSON Schema's $id. Editors do not fetch it; they read
// the file written by `selfassess checklist schema`.
const SchemaURL = "https://selfassess.dev/schema/checklist-v1.json"

// JSONSchema returns the JSON Schema (draft 2020-12) of the checklist
// format, indented. It says what an editor can check; Parse checks more
// (cross references such as duplicate ids and conditions).
func JSONSchema() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(schemaDocument()); err != nil {
		panic(err) // the document is built from plain values; this cannot fail
	}
	return buf.Bytes()
}

// obj is a JSON object that keeps its keys in the order written, so the
// schema reads top-down like the format.
type obj []kv

type kv struct {
	k string
	v any
}

func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(p.k)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(p.v)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func str(desc string) obj { return obj{{"type", "string"}, {"description", desc}} }

func nonEmpty(desc string) obj {
	return obj{{"type", "string"}, {"minLength", 1}, {"description", desc}}
}

func ref(def, desc string) obj { return obj{{"$ref", "#/$defs/" + def}, {"description", desc}} }

func list(items any, desc string) obj {
	return obj{{"type", "array"}, {"items", items}, {"description", desc}}
}

// strict is an object schema that rejects unknown properties.
func strict(desc string, required []string, props obj) obj {
	o := obj{{"type", "object"}, {"description", desc}}
	if len(required) > 0 {
		o = append(o, kv{"required", required})
	}
	return append(o, kv{"properties", props}, kv{"additionalProperties", false})
}

// ifType applies then to questions of the given types.
func ifType(then obj, types ...QuestionType) obj {
	return obj{
		{"if", obj{{"required", []string{"type"}}, {"properties", obj{{"type", obj{{"enum", types}}}}}}},
		{"then", then},
	}
}

// typeRule constrains a question's options (false: none allowed) and
// limits its pass criteria to the named ones.
func typeRule(options any, pass ...string) obj {
	rule := obj{{"properties", obj{
		{"options", options},
		{"pass", obj{{"propertyNames", obj{{"enum", pass}}}}},
	}}}
	if options != false {
		rule = append(obj{{"required", []string{"options"}}}, rule...)
	}
	return rule
}

func schemaDocument() obj {
	probeIDs := make([]string, len(probes.Catalogue))
	for i, d := range probes.Catalogue {
		probeIDs[i] = d.ID
	}
	defs := obj{
		{"id", obj{{"type", "string"}, {"pattern", IDPattern},
			{"description", "An id: letters, digits, '.', '_' and '-', starting with a letter or digit."}}},
		{"provider", strict("The API provider whose certification the checklist encodes.", []string{"name"}, obj{
			{"name", nonEmpty("Provider name, e.g. FinHub.")},
			{"url", obj{{"type", "string"}, {"format", "uri"}, {"pattern", "^https?://"}, {"description", "Provider's web site."}}},
			{"contact", str("Where integrators reach the provider's security team.")},
		})},
		{"source", strict("The provider document the checklist encodes.", nil, obj{
			{"title", str("Title of the document.")},
			{"url", obj{{"type", "string"}, {"format", "uri"}, {"pattern", "^https?://"}, {"description", "Where the document is published."}}},
			{"retrieved", obj{{"type", "string"}, {"format", "date"}, {"pattern", `^\d{4}-\d{2}-\d{2}$`}, {"description", "When the document was read (YYYY-MM-DD)."}}},
		})},
		{"section", strict("A group of controls.", []string{"id", "title", "controls"}, obj{
			{"id", ref("id", "Section id, unique in the checklist.")},
			{"title", nonEmpty("Section title.")},
			{"controls", obj{{"type", "array"}, {"minItems", 1}, {"items", obj{{"$ref", "#/$defs/control"}}}, {"description", "The section's controls (at least one)."}}},
		})},
		{"control", append(strict("One requirement, verified by its questions, its probes, or both; it passes only when all of them pass.",
			[]string{"id", "title", "requirement", "severity"}, obj{
				{"id", ref("id", "Stable control id, unique in the checklist; answers files refer to it.")},
				{"title", nonEmpty("Short title.")},
				{"requirement", nonEmpty("The provider's requirement, in its own words.")},
				{"severity", obj{{"enum", Severities}, {"description", "How much the control weighs: critical, high, medium or low."}}},
				{"rationale", str("Why the requirement matters.")},
				{"remediation", str("How to fix a failing control.")},
				{"references", list(obj{{"type", "string"}, {"minLength", 1}}, "Links or document sections.")},
				{"tags", list(obj{{"type", "string"}, {"minLength", 1}}, "Free-form tags.")},
				{"mappings", list(obj{{"$ref", "#/$defs/mapping"}}, "The same requirement in other providers' checklists or in frameworks.")},
				{"allow_not_applicable", obj{{"type", "boolean"}, {"description", "The team may answer \"not applicable\", with a justification."}}},
				{"questions", list(obj{{"$ref", "#/$defs/question"}}, "What only a human can answer, in the order asked.")},
				{"evidence", list(obj{{"$ref", "#/$defs/evidence"}}, "Documents the reviewer expects.")},
				{"probes", obj{{"type", "array"}, {"uniqueItems", true}, {"items", ref("probeRef", "A probe id, or {id, with} to set its parameters.")},
					{"description", "Probes whose results verify the control ('selfassess probe --list' shows the ids and their parameters)."}}},
			}),
			kv{"anyOf", []obj{
				{{"required", []string{"questions"}}, {"properties", obj{{"questions", obj{{"minItems", 1}}}}}},
				{{"required", []string{"probes"}}, {"properties", obj{{"probes", obj{{"minItems", 1}}}}}},
			}},
		)},
		{"probeRef", probeRefSchema(probeIDs)},
		{"mapping", strict("A link to another provider's or framework's control.", []string{"framework", "id"}, obj{
			{"framework", nonEmpty("e.g. \"PCI DSS 4.0\", \"OWASP ASVS 4.0.3\" or a checklist id such as finhub.")},
			{"id", obj{{"type", []string{"string", "number"}}, {"minLength", 1}, {"description", "The control's id there, e.g. \"4.2.1\"."}}},
		})},
		{"evidence", strict("A document the reviewer expects.", []string{"id", "description"}, obj{
			{"id", ref("id", "Evidence id, unique in the control.")},
			{"description", nonEmpty("What the document shows.")},
			{"required", obj{{"type", "boolean"}, {"description", "The package is incomplete without it."}}},
		})},
		{"question", append(strict("Something only a human can answer.", []string{"id", "prompt", "type"}, obj{
			{"id", ref("id", "Question id, unique in the control.")},
			{"prompt", nonEmpty("The question as asked.")},
			{"type", obj{{"enum", QuestionTypes}, {"description", "confirm (yes/no), select (one option), multiselect, text, number or date (YYYY-MM-DD)."}}},
			{"help", str("Longer help shown with the question.")},
			{"options", obj{{"type", "array"}, {"items", obj{{"$ref", "#/$defs/option"}}}, {"description", "The choices of a select or multiselect question."}}},
			{"pass", ref("pass", "Which answers pass; without it the answer is informational.")},
			{"when", ref("condition", "Ask only when an earlier question of this control was answered so.")},
			{"optional", obj{{"type", "boolean"}, {"description", "May be left unanswered."}}},
		}),
			kv{"allOf", []obj{
				ifType(typeRule(false, "equals"), Confirm),
				ifType(typeRule(obj{{"minItems", 2}}, "any_of"), Select),
				ifType(typeRule(obj{{"minItems", 1}}, "all_of", "none_of"), MultiSelect),
				ifType(typeRule(false, "min", "max"), Number),
				ifType(typeRule(false, "not_empty"), Text),
				ifType(typeRule(false, "not_empty", "max_age_days", "max_age_days_from"), Date),
			}},
		)},
		{"option", strict("One choice.", []string{"value"}, obj{
			{"value", nonEmpty("The value stored in the answers file.")},
			{"label", str("What the user sees; the value when empty.")},
		})},
		{"pass", append(strict("Which answers pass; set the criteria that suit the question type.", nil, obj{
			{"equals", obj{{"type", "boolean"}, {"description", "confirm: the answer that passes."}}},
			{"any_of", stringSet("select: the option values that pass.")},
			{"all_of", stringSet("multiselect: values that must all be chosen.")},
			{"none_of", stringSet("multiselect: values that must not be chosen.")},
			{"min", obj{{"type", "number"}, {"description", "number: smallest passing answer (inclusive)."}}},
			{"max", obj{{"type", "number"}, {"description", "number: largest passing answer (inclusive)."}}},
			{"not_empty", obj{{"const", true}, {"description", "text or date: any answer passes."}}},
			{"max_age_days", obj{{"type", "integer"}, {"minimum", 1}, {"description", "date: the answer is at most this many days old."}}},
			{"max_age_days_from", ref("id", "date: the answer is at most as many days old as the answer to this number question of the same control (e.g. the team's policy period).")},
		}), kv{"minProperties", 1})},
		{"condition", append(strict("Ask a question only when an earlier one was answered so.", []string{"question"}, obj{
			{"question", ref("id", "Id of an earlier question of the same control.")},
			{"equals", obj{{"type", "boolean"}, {"description", "For a confirm question: the answer that shows this one."}}},
			{"any_of", stringSet("For a select or multiselect question: option values that show this one.")},
		}), kv{"oneOf", []obj{{{"required", []string{"equals"}}}, {{"required", []string{"any_of"}}}}})},
	}

	return obj{
		{"$schema", "https://json-schema.org/draft/2020-12/schema"},
		{"$id", SchemaURL},
		{"title", "selfassess checklist (" + SchemaID + ")"},
		{"description", "A payment API provider's security checklist for selfassess. Check a file completely with `selfassess checklist validate FILE`."},
		{"type", "object"},
		{"required", []string{"schema", "id", "title", "version", "provider", "sections"}},
		{"properties", obj{
			{"schema", obj{{"const", SchemaID}, {"description", "The format version; always " + SchemaID + "."}}},
			{"id", ref("id", "Checklist id, e.g. finhub.")},
			{"title", nonEmpty("Checklist title.")},
			{"version", obj{{"type", []string{"string", "number"}}, {"minLength", 1}, {"description", "Version of the checklist (of the provider's document)."}}},
			{"description", str("What the checklist covers.")},
			{"provider", obj{{"$ref", "#/$defs/provider"}}},
			{"source", obj{{"$ref", "#/$defs/source"}}},
			{"sections", obj{{"type", "array"}, {"minItems", 1}, {"items", obj{{"$ref", "#/$defs/section"}}}, {"description", "The checklist's sections (at least one)."}}},
			{"remediation_days", strict("Remediation periods: days after a finding is first seen until it is due, per severity.", nil, obj{
				{"critical", days("critical")}, {"high", days("high")}, {"medium", days("medium")}, {"low", days("low")},
			})},
		}},
		{"additionalProperties", false},
		{"$defs", defs},
	}
}

// probeRefSchema is a probes entry: an id, or {id, with} where with holds
// the parameters that probe declares, typed.
func probeRefSchema(ids []string) obj {
	var rules []obj
	for _, d := range probes.Catalogue {
		props := obj{}
		for _, p := range d.Params {
			props = append(props, kv{p.Name, paramSchema(p)})
		}
		with := obj{{"type", "object"}, {"properties", props}, {"additionalProperties", false}}
		if len(d.Params) == 0 {
			with = obj{{"type", "object"}, {"maxProperties", 0}, {"description", d.ID + " takes no parameters."}}
		}
		rules = append(rules, obj{
			{"if", obj{{"required", []string{"id"}}, {"properties", obj{{"id", obj{{"const", d.ID}}}}}}},
			{"then", obj{{"properties", obj{{"with", with}}}}},
		})
	}
	return obj{{"oneOf", []obj{
		{{"enum", ids}, {"description", "A probe id; the probe runs with its default parameters."}},
		append(strict("A probe with parameters.", []string{"id"}, obj{
			{"id", obj{{"enum", ids}, {"description", "The probe id."}}},
			{"with", obj{{"type", "object"}, {"description", "Parameters ('selfassess probe --list' shows each probe's)."}}},
		}), kv{"allOf", rules}),
	}}}
}

func paramSchema(p probes.Param) obj {
	desc := fmt.Sprintf("%s (default %s).", p.Meaning, probes.FormatValue(p.Default))
	bounds := func(o obj) obj {
		if p.Min != 0 || p.Max != 0 {
			o = append(o, kv{"minimum", p.Min}, kv{"maximum", p.Max})
		}
		return o
	}
	enum := func(o obj) obj {
		if len(p.Enum) > 0 && !p.FoldCase {
			o = append(o, kv{"enum", p.Enum})
		}
		return o
	}
	var o obj
	switch p.Type {
	case probes.ParamInt:
		o = bounds(obj{{"type", "integer"}})
	case probes.ParamBool:
		o = obj{{"type", "boolean"}}
	case probes.ParamString:
		o = enum(obj{{"type", "string"}})
	case probes.ParamStrings:
		o = obj{{"type", "array"}, {"items", enum(obj{{"type", "string"}, {"minLength", 1}})}}
	case probes.ParamInts:
		o = obj{{"type", "array"}, {"items", bounds(obj{{"type", "integer"}})}}
	}
	if p.NonEmpty {
		o = append(o, kv{"minItems", 1})
	}
	return append(o, kv{"description", desc})
}

func days(sev string) obj {
	return obj{{"type", "integer"}, {"minimum", 1}, {"maximum", MaxRemediationDays}, {"description", "Days to fix a " + sev + " finding."}}
}

func stringSet(desc string) obj {
	return obj{{"type", "array"}, {"minItems", 1}, {"uniqueItems", true}, {"items", obj{{"type", "string"}}}, {"description", desc}}
}
