package checklist

import (
	"fmt"
	"strings"
	"testing"
)

// go test -run XXX -bench . -benchmem ./checklist
func BenchmarkParseBaseline(b *testing.B) {
	data, err := BuiltinSource("baseline")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("baseline.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}

// A hostile file: 20,000 options and 20,000 wrong pass values. Validation
// must stay linear (a quadratic check takes seconds here).
func BenchmarkParseManyOptions(b *testing.B) {
	const n = 20_000
	var opts, wrong strings.Builder
	for i := range n {
		fmt.Fprintf(&opts, "{value: o%d}, ", i)
		fmt.Fprintf(&wrong, "w%d, ", i)
	}
	doc := strings.Replace(withQuestions, "[{value: a}, {value: b}]", "["+opts.String()+"{value: a}]", 1)
	doc = strings.Replace(doc, "any_of: [a]", "any_of: ["+wrong.String()+"a]", 1)
	data := []byte(doc)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		_, err := Parse("many.yaml", data)
		if err == nil || len(err.(*Errors).List) != n {
			b.Fatalf("want %d errors, got %v", n, err)
		}
	}
}
