package codescan

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/pelletier/go-toml/v2"
	"github.com/rs/zerolog"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/logging"
	"github.com/zricethezav/gitleaks/v8/report"

	"github.com/selfassess/selfassess/internal/lazyre"
	"github.com/selfassess/selfassess/probes"
)

// providerRules are our rules for the providers' own key formats and for the
// credential shapes gitleaks' defaults leave out, in gitleaks' TOML so they
// share its keyword prefilter, entropy check and allowlists. Their findings
// are named "provider:ID"; gitleaks' own are "gitleaks:ID".
const providerRules = `
[[rules]]
id = "fincept-api-key"
description = "Fincept API key"
regex = '''\b(fk_(?:user|live|test)_[A-Za-z0-9]{12,})(?:[^A-Za-z0-9_]|$)'''
entropy = 3.0
keywords = ["fk_user_", "fk_live_", "fk_test_"]
tags = ["provider"]

[[rules]]
id = "client-secret"
description = "OAuth client secret assigned a literal value"
regex = '''(?i)client[_-]?secret["']?\s*(?::=|=>|[:=])\s*["'` + "`" + `]([^"'` + "`" + `\s]{8,})["'` + "`" + `]'''
entropy = 2.5
keywords = ["client_secret", "clientsecret", "client-secret"]
tags = ["provider"]

[[rules]]
id = "client-secret-config"
description = "OAuth client secret assigned a literal value in a configuration file"
path = '''(?i)(?:^|/)(?:\.env[^/]*|[^/]+\.(?:ya?ml|properties|ini|toml|cfg|conf|env))$'''
regex = '''(?im)^\s*(?:export\s+)?[\w.-]*client[_-]?secret\s*[:=]\s*([^\s"'#$,;(){}\[\]]{8,})\s*$'''
entropy = 2.5
keywords = ["client_secret", "clientsecret", "client-secret"]
tags = ["provider"]

[[rules]]
id = "connection-string-password"
description = "Password in a connection string"
regex = '''(?i)\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|jdbc:[a-z0-9]+|ftps?|sftp|smtps?|ldaps?)://[^:/\s@"'` + "`" + `]+:([^@/\s"'` + "`" + `]+)@[^\s"'` + "`" + `]+'''
keywords = ["postgres", "mysql", "mariadb", "mongodb", "redis", "amqp", "mssql", "sqlserver", "jdbc:", "ftp", "smtp", "ldap"]
tags = ["provider"]

[[rules]]
id = "private-key-header"
description = "Private key block"
regex = '''-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----'''
keywords = ["-----begin"]
tags = ["provider"]
`

// defaultDevPasswords are stock passwords of local development databases
// and brokers (docker-compose files, CI services); they guard nothing.
var defaultDevPasswords = map[string]bool{
	"postgres": true, "password": true, "pass": true, "root": true, "admin": true,
	"guest": true, "secret": true, "test": true, "mysql": true, "redis": true,
}

func init() {
	// gitleaks logs through a global zerolog logger; our output goes through
	// findings only, so nothing (a secret least of all) reaches stderr.
	logging.Logger = zerolog.Nop()
}

// Secrets detects credentials. Build it once (rule compilation is costly)
// and share it; Scan is safe for concurrent use.
//
// gitleaks runs every rule whose keyword appears anywhere in a fragment over
// the whole fragment, and its broad rules (generic-api-key) cost about a
// second per 2 MB. So each rule gets its own detector and, for single-line
// rules, only the lines holding one of its keywords: ten times faster, same
// findings.
type Secrets struct {
	// pathAllowlists are gitleaks' global path allowlists (lock files,
	// images, vendored modules), checked once per file.
	pathAllowlists []*config.Allowlist
	rules          []*ruleScanner
	trie           *keywordTrie
	byWord         [][]int // keyword pattern index -> rule indexes
	noWords        []int   // rules without keywords: run on every file
}

// ruleScanner is one rule. Its detector (the rule's regexps and
// allowlists) is compiled on first use: a run meets the keywords of a few
// rules only, and compiling all of them costs more than a small scan.
type ruleScanner struct {
	id string
	// src is the rule as decoded; targeted are the global allowlists
	// that name it and findingAllowlists the ones that apply to all rules.
	src               config.ViperConfig
	findingAllowlists []*config.Allowlist
	// pathRule limits the rule to matching paths; allowPaths are the
	// paths its allowlists exempt.
	pathRule   *regexp.Regexp
	allowPaths []*regexp.Regexp
	// whole: the rule's regexp can span lines, so it gets the whole file.
	whole bool
	// lineFilter, when set, is a cheap necessary condition a line must meet.
	lineFilter func(line string) bool

	once sync.Once
	det  *detect.Detector
	err  error
}

// detector compiles the rule once; every rule is compiled by a test
// (TestEveryRuleCompiles), so err stays nil for the embedded rules.
func (r *ruleScanner) detector() (*detect.Detector, error) {
	r.once.Do(func() {
		cfg, err := r.src.Translate()
		if err != nil {
			r.err = fmt.Errorf("secret rule %s: %w", r.id, err)
			return
		}
		cfg.Allowlists = r.findingAllowlists
		r.det = detect.NewDetector(cfg)
	})
	return r.det, r.err
}

var (
	defaultOnce    sync.Once
	defaultSecrets *Secrets
	defaultErr     error
)

// DefaultSecrets returns the process-wide Secrets, built on first use.
func DefaultSecrets() (*Secrets, error) {
	defaultOnce.Do(func() { defaultSecrets, defaultErr = buildSecrets() })
	return defaultSecrets, defaultErr
}

// NewSecrets returns the detector for gitleaks' default rules plus the
// provider rules. It is built once per process and shared: a Secrets never
// changes after it is built (its rules compile on first use).
func NewSecrets() (*Secrets, error) { return DefaultSecrets() }

// decodeRules reads gitleaks' default rules and ours. go-toml fills
// gitleaks' ViperConfig directly (its field names match the keys up to
// case, as viper's decoder matches them), without viper's generic map and
// reflection pass, which cost more than the rest of the start-up.
func decodeRules() (config.ViperConfig, error) {
	var vc config.ViperConfig
	if err := toml.Unmarshal([]byte(config.DefaultConfig+"\n"+providerRules), &vc); err != nil {
		return vc, fmt.Errorf("secret rules: %w", err)
	}
	return vc, nil
}

func buildSecrets() (*Secrets, error) {
	vc, err := decodeRules()
	if err != nil {
		return nil, err
	}
	// The global allowlists are translated now (they apply to every file);
	// the rules when first used. Allowlists aimed at given rules travel
	// with those rules.
	globals := config.ViperConfig{AllowList: vc.AllowList, MinVersion: vc.MinVersion}
	targeted := map[string]config.ViperConfig{}
	for _, a := range vc.Allowlists {
		if len(a.TargetRules) == 0 {
			globals.Allowlists = append(globals.Allowlists, a)
			continue
		}
		for _, id := range a.TargetRules {
			t := targeted[id]
			t.Allowlists = append(t.Allowlists, a)
			targeted[id] = t
		}
	}
	cfg, err := globals.Translate()
	if err != nil {
		return nil, fmt.Errorf("secret rules: %w", err)
	}
	sc := &Secrets{}
	// Split the global allowlists: path-only ones are checked once per file
	// in Scan; the rest (regexes, stopwords) travel with every rule.
	var findingAllowlists []*config.Allowlist
	for _, a := range cfg.Allowlists {
		if len(a.Paths) > 0 && len(a.Commits) == 0 && len(a.Regexes) == 0 && len(a.StopWords) == 0 {
			sc.pathAllowlists = append(sc.pathAllowlists, &config.Allowlist{Paths: a.Paths})
			continue
		}
		if len(a.Paths) > 0 && len(a.Commits) == 0 && a.MatchCondition != config.AllowlistMatchAnd {
			// paths OR content conditions: the paths here, the rest with the rules
			sc.pathAllowlists = append(sc.pathAllowlists, &config.Allowlist{Paths: a.Paths})
			rest := &config.Allowlist{Description: a.Description, MatchCondition: a.MatchCondition,
				RegexTarget: a.RegexTarget, Regexes: a.Regexes, StopWords: a.StopWords}
			if err := rest.Validate(); err != nil {
				return nil, fmt.Errorf("secret rules: %w", err)
			}
			findingAllowlists = append(findingAllowlists, rest)
			continue
		}
		findingAllowlists = append(findingAllowlists, a)
	}
	var words []string
	wordIndex := map[string]int{}
	seen := map[string]bool{}
	for _, vr := range vc.Rules {
		if seen[vr.ID] {
			return nil, fmt.Errorf("secret rules: rule %s defined twice", vr.ID)
		}
		seen[vr.ID] = true
		if vr.Regex == "" {
			continue // path-only rules (pkcs12-file): binary files are not read; source.gitignore covers them
		}
		if len(vr.Required) > 0 {
			// composite rules would need the other rules in the same detector
			return nil, fmt.Errorf("secret rules: rule %s: composite rules are not supported", vr.ID)
		}
		rs := &ruleScanner{id: vr.ID, findingAllowlists: findingAllowlists, whole: multiLine(vr.Regex)}
		rs.src = targeted[vr.ID]
		delete(targeted, vr.ID)
		rs.src.Rules = append(rs.src.Rules, vr)
		if vr.Path != "" {
			if rs.pathRule, err = regexp.Compile(vr.Path); err != nil {
				return nil, fmt.Errorf("secret rules: rule %s: path: %w", vr.ID, err)
			}
		}
		allows := vr.Allowlists
		if vr.AllowList != nil {
			allows = append(allows, vr.AllowList)
		}
		var paths []string
		for _, a := range allows {
			paths = append(paths, a.Paths...)
		}
		for _, a := range rs.src.Allowlists {
			paths = append(paths, a.Paths...)
		}
		for _, p := range paths {
			re, err := regexp.Compile(p)
			if err != nil {
				return nil, fmt.Errorf("secret rules: rule %s: allowlist path: %w", vr.ID, err)
			}
			rs.allowPaths = append(rs.allowPaths, re)
		}
		if vr.ID == "generic-api-key" {
			rs.lineFilter = genericValueCandidate
		}
		i := len(sc.rules)
		sc.rules = append(sc.rules, rs)
		if len(vr.Keywords) == 0 {
			sc.noWords = append(sc.noWords, i)
			continue
		}
		for _, k := range vr.Keywords {
			k = strings.ToLower(k)
			w, ok := wordIndex[k]
			if !ok {
				w = len(words)
				wordIndex[k] = w
				words = append(words, k)
				sc.byWord = append(sc.byWord, nil)
			}
			sc.byWord[w] = append(sc.byWord[w], i)
		}
	}
	for id := range targeted {
		return nil, fmt.Errorf("secret rules: [[allowlists]] target rule ID '%s' does not exist", id)
	}
	for _, a := range sc.pathAllowlists {
		if err := a.Validate(); err != nil { // joins the paths into one regexp
			return nil, fmt.Errorf("secret rules: %w", err)
		}
	}
	sc.trie = newKeywordTrie(words)
	return sc, nil
}

// RuleCount is the number of detection rules loaded.
func (s *Secrets) RuleCount() int { return len(s.rules) }

// Scan returns one finding per secret in content; name is the file path or
// URL used in Location (with ":LINE" appended).
func (s *Secrets) Scan(name string, content []byte) []probes.Finding {
	if s == nil || len(content) == 0 {
		return nil
	}
	for _, a := range s.pathAllowlists {
		if a.PathAllowed(name) {
			return nil
		}
	}
	li := newLineIndex(content)
	found := s.detectAll(name, content, li)
	var out []probes.Finding
	var kept []report.Finding
	// when rules overlap, keep the most specific: ours, then gitleaks'
	// named formats, then its generic-api-key
	sort.SliceStable(found, func(i, j int) bool { return specificity(found[i]) < specificity(found[j]) })
	for _, f := range found {
		if skipSecret(f) || duplicate(kept, f) {
			continue
		}
		text := li.text(f.StartLine + 1)
		if f.Secret != "" && (strings.Contains(text, f.Secret+"...") || strings.Contains(text, f.Secret+"…")) {
			continue // a documentation example cut short: "fk_user_Hy8kL2mN9pQ1..."
		}
		kept = append(kept, f)
		line := f.StartLine + 1 // gitleaks counts lines from 0
		secret := f.Secret
		rule := "gitleaks:" + f.RuleID
		if isProvider(f) {
			rule = "provider:" + f.RuleID
		}
		var ev string
		if isKeyRule(f.RuleID) {
			// show the header, which names the key type; cut everything after
			// it (a JSON-escaped key holds its whole body on the same line)
			header := keyHeader(f.Match)
			ev = header
			if i := strings.Index(text, header); i >= 0 {
				ev = evidence(text[:i+len(header)], i, i+len(header))
			}
			secret = strings.TrimPrefix(f.Secret, header)
		} else {
			m := firstLine(f.Match)
			i := max(0, strings.Index(text, m))
			ev = evidence(text, i, i+len(m), secret, f.Match)
		}
		if containsSecret(ev, secret) {
			ev = "" // never risk it
		}
		msg := fmt.Sprintf("%s: %s", describe(f), redactedValue(f))
		out = append(out, finding(probes.Fail, rule, msg, name, line, ev))
		if len(out) >= maxPerFile {
			break
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}

func isProvider(f report.Finding) bool {
	for _, t := range f.Tags {
		if t == "provider" {
			return true
		}
	}
	return false
}

// skipSecret drops placeholders and stock development credentials.
func skipSecret(f report.Finding) bool {
	if isKeyRule(f.RuleID) {
		return false
	}
	if IsPlaceholder(f.Secret) {
		return true
	}
	if f.RuleID == "generic-api-key" && genericNoise(f.Secret) {
		return true
	}
	if f.RuleID == "connection-string-password" && isProvider(f) {
		if defaultDevPasswords[strings.ToLower(f.Secret)] {
			return true
		}
		// postgres://app:app@… — user and password the same
		if i := strings.Index(f.Match, "://"); i >= 0 {
			if user, _, ok := strings.Cut(f.Match[i+3:], ":"); ok && user == f.Secret {
				return true
			}
		}
	}
	return false
}

// duplicate reports whether f is the same secret as one already kept (our
// rule and a gitleaks rule often both fire on one key).
func duplicate(kept []report.Finding, f report.Finding) bool {
	for _, k := range kept {
		if k.StartLine != f.StartLine {
			continue
		}
		if isKeyRule(k.RuleID) && isKeyRule(f.RuleID) {
			return true
		}
		a, b := k.Secret, f.Secret
		if a != "" && b != "" && (strings.Contains(a, b) || strings.Contains(b, a)) {
			return true
		}
	}
	return false
}

func describe(f report.Finding) string {
	if isProvider(f) {
		return f.Description
	}
	// gitleaks descriptions are long sentences ("Identified a …, posing a
	// risk of …"); the rule id reads better in a one-line message.
	return strings.ReplaceAll(f.RuleID, "-", " ")
}

func redactedValue(f report.Finding) string {
	if isKeyRule(f.RuleID) {
		return keyHeader(f.Match)
	}
	return probes.Redact(f.Secret)
}

// keyHeader returns "-----BEGIN … PRIVATE KEY-----" from a key block.
func keyHeader(block string) string {
	i := strings.Index(block, "-----BEGIN")
	if i < 0 {
		return "private key"
	}
	h := block[i:]
	if j := strings.Index(h[10:], "-----"); j >= 0 {
		return h[:10+j+5]
	}
	return "private key"
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return strings.TrimSpace(s[:i])
	}
	return s
}

// containsSecret reports whether ev still holds any secret (or any line of a
// multi-line one) in clear.
func containsSecret(ev string, secrets ...string) bool {
	for _, s := range secrets {
		for _, part := range strings.Split(s, "\n") {
			part = strings.TrimSpace(part)
			if len(part) >= 8 && strings.Contains(ev, part) {
				return true
			}
		}
	}
	return false
}

func isKeyRule(id string) bool { return id == "private-key" || id == "private-key-header" }

func specificity(f report.Finding) int {
	switch {
	case isProvider(f):
		return 0
	case f.RuleID == "generic-api-key":
		return 2
	}
	return 1
}

// numberRe: numeric literals ("0x1234567890abcdef", "-0123456789.5e10").
var numberRe = lazyre.New(`^[-+]?(?:0[xX][0-9a-fA-F_]+|[0-9_.]+(?:[eEpP][-+]?[0-9]+)?)$`)

// genericNoise: values gitleaks' generic-api-key rule takes for keys that
// are not: numbers, and lower-case words without a digit ("ctrl+shift+end").
func genericNoise(v string) bool {
	if numberRe().MatchString(v) {
		return true
	}
	return !strings.ContainsAny(v, "0123456789") && strings.ToLower(v) == v
}
