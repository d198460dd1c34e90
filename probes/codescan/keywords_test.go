package codescan

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	ahocorasick "github.com/BobuSumisu/aho-corasick"
)

type kwHit struct{ end, n, keyword int }

func oracleHits(words []string, input []byte) []kwHit {
	var out []kwHit
	ahocorasick.NewTrieBuilder().AddStrings(words).Build().Walk(input, func(end, n, pattern int64) bool {
		out = append(out, kwHit{int(end), int(n), int(pattern)})
		return true
	})
	return out
}

func ourHits(words []string, input []byte) []kwHit {
	var out []kwHit
	newKeywordTrie(words).walk(input, func(end, n, keyword int) { out = append(out, kwHit{end, n, keyword}) })
	return out
}

func sameHits(a, b []kwHit) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// keywordTrie must report exactly what the library it replaced reports: the
// same occurrences, in the same order.
func TestKeywordTrieAgreesWithAhoCorasick(t *testing.T) {
	var words []string
	all := append(append([]ruleDef(nil), gitleaksRules...), providerRules...)
	seen := map[string]bool{}
	for _, r := range all {
		for _, k := range r.Keywords {
			if k = strings.ToLower(k); !seen[k] {
				seen[k] = true
				words = append(words, k)
			}
		}
	}
	if len(words) < 100 {
		t.Fatalf("only %d keywords", len(words))
	}
	// the rules' own text holds many keywords, overlapping ones included
	inputs := [][]byte{[]byte(strings.ToLower(fmt.Sprint(providerRules))), asciiLower([]byte(all[0].Regex)), nil, []byte("\xff\x00ghp_ghp_xoxb-sk_live_")}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 200; i++ {
		var b strings.Builder
		for b.Len() < 400 {
			if rng.Intn(3) == 0 {
				b.WriteString(words[rng.Intn(len(words))])
			} else {
				b.WriteByte(byte(rng.Intn(256)))
			}
		}
		inputs = append(inputs, []byte(b.String()))
	}
	hits := 0
	for _, in := range inputs {
		want, got := oracleHits(words, in), ourHits(words, in)
		if !sameHits(want, got) {
			t.Fatalf("input %q:\n got  %v\n want %v", in, got, want)
		}
		hits += len(got)
	}
	if hits < 200 {
		t.Fatalf("only %d hits over all inputs: the test checks too little", hits)
	}
	// overlapping and nested keywords, the classic case
	small := []string{"he", "she", "his", "hers", "e"}
	for _, in := range []string{"ushers", "hishershe", "", "xyz", "eeee"} {
		if want, got := oracleHits(small, []byte(in)), ourHits(small, []byte(in)); !sameHits(want, got) {
			t.Errorf("%q: got %v, want %v", in, got, want)
		}
	}
}
