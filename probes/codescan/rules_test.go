package codescan

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zricethezav/gitleaks/v8/detect"
)

// TestEveryRuleCompiles compiles every rule, as Scan would on first use,
// and checks the generated table against gitleaks' own loader, so that
// no rule is lost or changed (regenerate with go generate after a
// gitleaks upgrade).
func TestEveryRuleCompiles(t *testing.T) {
	s, err := buildSecrets(gitleaksRules, providerRules)
	require.NoError(t, err)
	require.NoError(t, s.globals.compile())
	d, err := detect.NewDetectorDefaultConfig()
	require.NoError(t, err)
	cfg := d.Config
	withRegex := 0
	for _, id := range cfg.OrderedRules {
		if cfg.Rules[id].Regex != nil {
			withRegex++
		}
	}
	assert.Equal(t, withRegex+len(providerRules), s.RuleCount())
	assert.Equal(t, len(cfg.Allowlists), len(gitleaksAllowlists))
	for _, r := range s.rules {
		require.NoError(t, r.compile(), r.def.ID)
		if r.provider {
			continue
		}
		want, ok := cfg.Rules[r.def.ID]
		require.True(t, ok, r.def.ID)
		assert.Equal(t, want.Regex.String(), r.re.String(), r.def.ID)
		assert.Equal(t, want.Entropy, r.def.Entropy, r.def.ID)
		assert.Equal(t, want.SecretGroup, r.def.SecretGroup, r.def.ID)
		assert.Equal(t, want.Keywords, r.def.Keywords, r.def.ID)
		assert.Equal(t, len(want.Allowlists), len(r.allows), r.def.ID)
		for i, a := range want.Allowlists {
			if i >= len(r.def.Allowlists) {
				break
			}
			got := r.def.Allowlists[i]
			assert.Equal(t, a.RegexTarget, got.Target, r.def.ID)
			assert.Equal(t, len(a.Regexes), len(got.Regexes), r.def.ID)
			assert.Equal(t, len(a.Paths), len(got.Paths), r.def.ID)
			assert.ElementsMatch(t, a.StopWords, got.StopWords, r.def.ID)
		}
	}
}

// multiLine must say what the regexp it replaced said, for every rule.
func TestMultiLineAgreesWithItsRegexp(t *testing.T) {
	oracle := regexp.MustCompile(`\\[rn]|\[\\s\\S|\(\?s`)
	extra := []string{`a\nb`, `a\rb`, `x[\s\S]*y`, `(?s)x.*y`, `(?i)abc`, `[\S]`, `\\n`, `plain`}
	multi := 0
	for _, p := range extra {
		if multiLine(p) != oracle.MatchString(p) {
			t.Errorf("multiLine(%q) = %v, the regexp says %v", p, multiLine(p), oracle.MatchString(p))
		}
	}
	for _, r := range append(append([]ruleDef(nil), gitleaksRules...), providerRules...) {
		if multiLine(r.Regex) != oracle.MatchString(r.Regex) {
			t.Errorf("rule %s: multiLine = %v, the regexp says %v", r.ID, multiLine(r.Regex), oracle.MatchString(r.Regex))
		}
		if multiLine(r.Regex) {
			multi++
		}
	}
	if multi == 0 {
		t.Error("no rule is multi-line: the private-key rules are")
	}
}
