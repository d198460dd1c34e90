package codescan

import (
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/viper"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zricethezav/gitleaks/v8/config"
)

// TestDecodeMatchesViper: our direct TOML decode gives gitleaks exactly the
// configuration its own loader (viper) gives, for every rule and allowlist.
func TestDecodeMatchesViper(t *testing.T) {
	v := viper.New()
	v.SetConfigType("toml")
	require.NoError(t, v.ReadConfig(strings.NewReader(config.DefaultConfig+"\n"+providerRules)))
	var want config.ViperConfig
	require.NoError(t, v.Unmarshal(&want))
	got, err := decodeRules()
	require.NoError(t, err)
	require.Greater(t, len(want.Rules), 200)
	require.Equal(t, len(want.Rules), len(got.Rules))
	for i := range want.Rules {
		assert.Equal(t, want.Rules[i], got.Rules[i], "rule %s", want.Rules[i].ID)
	}
	assert.Equal(t, want, got)
}

// TestEveryRuleCompiles compiles every rule, as Scan would on first use, and
// checks the count against gitleaks' own loader, so that no rule is lost.
func TestEveryRuleCompiles(t *testing.T) {
	s, err := buildSecrets()
	require.NoError(t, err)
	vc, err := decodeRules()
	require.NoError(t, err)
	cfg, err := vc.Translate()
	require.NoError(t, err)
	withRegex := 0
	for _, r := range cfg.Rules {
		if r.Regex != nil {
			withRegex++
		}
	}
	assert.Equal(t, withRegex, s.RuleCount())
	for _, r := range s.rules {
		det, err := r.detector()
		require.NoError(t, err, r.id)
		require.NotNil(t, det, r.id)
		rule, ok := det.Config.Rules[r.id]
		require.True(t, ok, r.id)
		assert.Equal(t, cfg.Rules[r.id].Regex.String(), rule.Regex.String(), r.id)
		assert.Equal(t, len(cfg.Rules[r.id].Allowlists), len(rule.Allowlists), r.id)
	}
}

// multiLine must say what the regexp it replaced said, for every rule.
func TestMultiLineAgreesWithItsRegexp(t *testing.T) {
	oracle := regexp.MustCompile(`\\[rn]|\[\\s\\S|\(\?s`)
	vc, err := decodeRules()
	if err != nil {
		t.Fatal(err)
	}
	extra := []string{`a\nb`, `a\rb`, `x[\s\S]*y`, `(?s)x.*y`, `(?i)abc`, `[\S]`, `\\n`, `plain`}
	multi := 0
	for _, p := range extra {
		if multiLine(p) != oracle.MatchString(p) {
			t.Errorf("multiLine(%q) = %v, the regexp says %v", p, multiLine(p), oracle.MatchString(p))
		}
	}
	for _, r := range vc.Rules {
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
