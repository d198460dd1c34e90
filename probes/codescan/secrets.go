package codescan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/selfassess/selfassess/internal/lazyre"
	"github.com/selfassess/selfassess/probes"
)

// defaultDevPasswords are stock passwords of local development databases
// and brokers (docker-compose files, CI services); they guard nothing.
var defaultDevPasswords = map[string]bool{
	"postgres": true, "password": true, "pass": true, "root": true, "admin": true,
	"guest": true, "secret": true, "test": true, "mysql": true, "redis": true,
}

// Secrets detects credentials with gitleaks' default rules (generated from
// the gitleaks version go.mod pins; see rules.go) and the provider rules.
// Build it once (rule compilation is costly) and share it; Scan is safe for
// concurrent use.
type Secrets struct {
	rules   []*rule
	trie    *keywordTrie
	byWord  [][]int // keyword pattern index -> rule indexes
	noWords []int   // rules without keywords: run on every file
	globals globals
}

var (
	defaultOnce    sync.Once
	defaultSecrets *Secrets
	defaultErr     error
)

// DefaultSecrets returns the process-wide Secrets, built on first use: a
// Secrets never changes after it is built (its rules compile on first use),
// so every scan shares it.
func DefaultSecrets() (*Secrets, error) {
	defaultOnce.Do(func() { defaultSecrets, defaultErr = buildSecrets(gitleaksRules, providerRules) })
	return defaultSecrets, defaultErr
}

func buildSecrets(gitleaks, provider []ruleDef) (*Secrets, error) {
	sc := &Secrets{}
	var words []string
	wordIndex := map[string]int{}
	seen := map[string]bool{}
	add := func(def *ruleDef, isProvider bool) error {
		if seen[def.ID] {
			return fmt.Errorf("secret rules: rule %s defined twice", def.ID)
		}
		seen[def.ID] = true
		r := &rule{def: def, provider: isProvider, whole: multiLine(def.Regex)}
		if def.ID == "generic-api-key" {
			r.lineFilter = genericValueCandidate
		}
		i := len(sc.rules)
		sc.rules = append(sc.rules, r)
		if len(def.Keywords) == 0 {
			sc.noWords = append(sc.noWords, i)
			return nil
		}
		for _, k := range def.Keywords {
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
		return nil
	}
	for i := range gitleaks {
		if err := add(&gitleaks[i], false); err != nil {
			return nil, err
		}
	}
	for i := range provider {
		if err := add(&provider[i], true); err != nil {
			return nil, err
		}
	}
	sc.trie = newKeywordTrie(words)
	return sc, nil
}

// RuleCount is the number of detection rules loaded.
func (s *Secrets) RuleCount() int { return len(s.rules) }

// Scan is ScanContext without a deadline.
func (s *Secrets) Scan(name string, content []byte) []probes.Finding {
	fs, _ := s.ScanContext(context.Background(), name, content)
	return fs
}

// ScanContext returns one finding per secret in content; name is the file
// path or URL used in Location (with ":LINE" appended). The scan takes time
// linear in the size of content; when ctx is done it stops within one
// block (64 KiB) of regexp work and returns ctx's error with the findings
// made so far.
func (s *Secrets) ScanContext(ctx context.Context, name string, content []byte) ([]probes.Finding, error) {
	fs, _, err := s.ScanFingerprints(ctx, name, content)
	return fs, err
}

// ScanFingerprints is ScanContext that also returns, for each finding, a
// fingerprint of its rule and secret (a truncated SHA-256, "" for a
// finding that is no secret): the same key found in two places, or in a
// commit and at HEAD, has the same fingerprint, and the key itself is
// never handed out.
func (s *Secrets) ScanFingerprints(ctx context.Context, name string, content []byte) ([]probes.Finding, []string, error) {
	if s == nil || len(content) == 0 {
		return nil, nil, ctx.Err()
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if err := s.globals.compile(); err != nil {
		return nil, nil, err
	}
	for _, p := range s.globals.paths {
		if p.MatchString(name) {
			return nil, nil, nil
		}
	}
	li := newLineIndex(content)
	found, capped, err := s.detectAll(ctx, name, li)
	if err == nil {
		budget := maxDecoded
		found = append(found, s.detectEncoded(ctx, name, li, 1, &budget, 0, 0, "")...)
		err = ctx.Err()
	}
	var out []probes.Finding
	var fps []string
	var kept []hit
	// when rules overlap, keep the most specific: ours, then gitleaks'
	// named formats, then its generic-api-key
	// and of overlapping ones the longest, so no tail of a token stays out
	// of the redaction
	onLine := map[int][]hit{} // every secret found on a line: the evidence masks them all
	for _, f := range found {
		if !isKeyRule(f.rule.def.ID) { // a key block is cut after its header instead
			onLine[f.line] = append(onLine[f.line], f)
		}
	}
	for _, hs := range onLine {
		sort.Slice(hs, func(i, j int) bool { return hs[i].start < hs[j].start })
	}
	// near returns the secrets found within the evidence window of f
	near := func(f hit) []string {
		hs := onLine[f.line]
		reach := 2*maxEvidence + 256
		i := sort.Search(len(hs), func(i int) bool { return hs[i].start >= f.start-reach })
		var out []string
		for ; i < len(hs) && hs[i].start <= f.start+len(f.match)+reach; i++ {
			out = append(out, hs[i].secret)
		}
		return out
	}
	sort.SliceStable(found, func(i, j int) bool {
		if a, b := specificity(found[i]), specificity(found[j]); a != b {
			return a < b
		}
		return len(found[i].secret) > len(found[j].secret)
	})
	for _, f := range found {
		if skipSecret(f) || duplicate(kept, f) {
			continue
		}
		// the match's line, bounded around the match: a minified line is
		// megabytes long and holds thousands of matches
		text, at := li.lineAround(f.start, f.start+len(f.match), 2*maxEvidence)
		if f.secret != "" && (strings.Contains(text, f.secret+"...") || strings.Contains(text, f.secret+"…")) {
			continue // a documentation example cut short: "fk_user_Hy8kL2mN9pQ1..."
		}
		kept = append(kept, f)
		secret := f.secret
		rule := "gitleaks:" + f.rule.def.ID
		if f.rule.provider {
			rule = "provider:" + f.rule.def.ID
		}
		var ev string
		if isKeyRule(f.rule.def.ID) {
			// show the header, which names the key type; cut everything after
			// it (a JSON-escaped key holds its whole body on the same line)
			header := keyHeader(f.match)
			ev = header
			if i := strings.Index(text[at:], header); i >= 0 {
				i += at
				ev = evidence(text[:i+len(header)], i, i+len(header))
			}
			secret = strings.TrimPrefix(f.secret, header)
		} else {
			m := firstLine(f.match)
			i := at
			ev = evidence(text, i, i+len(m), append([]string{secret}, near(f)...)...)
		}
		if containsSecret(ev, secret) || !isKeyRule(f.rule.def.ID) && containsSecret(ev, near(f)...) {
			ev = "" // never risk it
		}
		msg := fmt.Sprintf("%s: %s", describe(f), redactedValue(f))
		if f.encoding != "" {
			msg += " (" + f.encoding + "-encoded; decoded to find it)"
		}
		out = append(out, finding(probes.Fail, rule, msg, name, f.line, ev))
		fps = append(fps, fingerprint(f))
		if len(out) >= maxPerFile {
			break
		}
	}
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(i, j int) bool { return out[idx[i]].Line < out[idx[j]].Line })
	sortedOut, sortedFPs := make([]probes.Finding, len(out)), make([]string, len(out))
	for i, k := range idx {
		sortedOut[i], sortedFPs[i] = out[k], fps[k]
	}
	out, fps = sortedOut, sortedFPs
	if len(capped) > 0 || len(out) >= maxPerFile {
		msg := fmt.Sprintf("secret scan of this file stopped early: at least %d candidate secrets (rules %s); the first %d are listed: data, minified code or a hostile file?",
			len(found), strings.Join(capped, ", "), len(out))
		if len(capped) == 0 {
			msg = fmt.Sprintf("more than %d secrets in this file; the first %d are listed", maxPerFile, maxPerFile)
		}
		line := out[len(out)-1].Line
		out = append(out, finding(probes.Warn, "secret-scan-capped", msg, name, line, ""))
		fps = append(fps, "")
	}
	return out, fps, err
}

// fingerprint identifies a secret without revealing it.
func fingerprint(h hit) string {
	sum := sha256.Sum256([]byte(h.rule.def.ID + "\x00" + h.secret))
	return hex.EncodeToString(sum[:12])
}

// skipSecret drops placeholders and stock development credentials.
func skipSecret(f hit) bool {
	if isKeyRule(f.rule.def.ID) {
		return false
	}
	if IsPlaceholder(f.secret) {
		return true
	}
	if f.rule.def.ID == "fincept-api-key" && repeatedPattern(f.secret) {
		return true // fk_user_abc123abc123abc123: a test dummy
	}
	if f.rule.def.ID == "generic-api-key" && genericNoise(f.secret) {
		return true
	}
	if f.rule.def.ID == "connection-string-password" && f.rule.provider {
		if defaultDevPasswords[strings.ToLower(f.secret)] {
			return true
		}
		// postgres://app:app@… — user and password the same
		if i := strings.Index(f.match, "://"); i >= 0 {
			if user, _, ok := strings.Cut(f.match[i+3:], ":"); ok && user == f.secret {
				return true
			}
		}
	}
	return false
}

// duplicate reports whether f is the same secret as one already kept (our
// rule and a gitleaks rule often both fire on one key).
func duplicate(kept []hit, f hit) bool {
	for _, k := range kept {
		if k.line != f.line {
			continue
		}
		if isKeyRule(k.rule.def.ID) && isKeyRule(f.rule.def.ID) {
			return true
		}
		a, b := k.secret, f.secret
		if a != "" && b != "" && (strings.Contains(a, b) || strings.Contains(b, a)) {
			return true
		}
	}
	return false
}

func describe(f hit) string {
	if f.rule.provider {
		return f.rule.def.Description
	}
	// gitleaks descriptions are long sentences ("Identified a …, posing a
	// risk of …"); the rule id reads better in a one-line message.
	return strings.ReplaceAll(f.rule.def.ID, "-", " ")
}

func redactedValue(f hit) string {
	if isKeyRule(f.rule.def.ID) {
		return keyHeader(f.match)
	}
	return RedactSecret(f.secret, isPassword(f))
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

func specificity(f hit) int {
	switch {
	case f.rule.provider:
		return 0
	case f.rule.def.ID == "generic-api-key":
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
