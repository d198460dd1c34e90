package codescan

import (
	"sort"
	"strconv"
	"strings"
)

// publicPrefixes are the documented, non-secret prefixes of key formats:
// showing one tells the reader which key it is without helping anyone
// guess it.
var publicPrefixes = func() []string {
	p := []string{
		"fk_user_", "fk_live_", "fk_test_", "glpat-", "glptt-", "glrt-", "gldt-", "glcbt-", "glsoat-", "glft-",
		"glimt-", "glagent-", "gloas-", "glffct-", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
		"sk_live_", "sk_test_", "rk_live_", "rk_test_", "pk_live_", "pk_test_", "whsec_", "xoxb-", "xoxp-",
		"xoxa-", "xoxs-", "xoxe-", "xapp-", "AKIA", "ASIA", "ABIA", "ACCA", "AIza", "sk-ant-api03-",
		"sk-ant-admin01-", "sk-proj-", "sk-", "SG.", "npm_", "pypi-", "hf_", "api_org_", "dop_v1_", "doo_v1_",
		"dor_v1_", "FLWSECK_TEST-", "FLWSECK-", "FLWPUBK_TEST-", "FLWPUBK-", "shpat_", "shpss_", "shpca_",
		"shppa_", "sq0atp-", "sq0csp-", "glc_", "glsa_", "sntrys_", "sntryu_", "lin_api_", "ops_",
		"AGE-SECRET-KEY-1", "HRKU-", "NRAK-", "NRII-", "duffel_test_", "duffel_live_", "EZAK", "EZTK",
		"CLOJARS_", "dp.pt.", "dp.st.", "PMAK-", "rubygems_", "ATATT", "xkeysib-", "dapi",
	}
	sort.Slice(p, func(i, j int) bool { return len(p[i]) > len(p[j]) }) // the longest first
	return p
}()

// RedactSecret shows just enough of a secret to recognise it: a known
// public prefix (fk_user_, glpat-, sk_live_…) and two more characters, or
// without a known prefix two characters of a secret of 16 or more (four of
// 24 or more), then "***". A password shows nothing but its length.
func RedactSecret(secret string, password bool) string {
	s := strings.TrimSpace(secret)
	if s == "" {
		return ""
	}
	if password {
		return "*** (" + strconv.Itoa(len([]rune(s))) + " characters)"
	}
	prefix := ""
	for _, p := range publicPrefixes {
		if strings.HasPrefix(s, p) {
			prefix = p
			break
		}
	}
	rest := s[len(prefix):]
	n := 0
	switch {
	case prefix != "" && len(rest) >= 12:
		n = 2
	case prefix == "" && len(rest) >= 24:
		n = 4
	case prefix == "" && len(rest) >= 16:
		n = 2
	}
	for n > 0 && n < len(rest) && (rest[n]&0xC0) == 0x80 { // never cut inside a rune
		n--
	}
	return prefix + rest[:n] + "***"
}

// isPassword reports whether a hit is a password (shown by its length
// only): the rule says so, or its match names a password.
func isPassword(h hit) bool {
	id := h.rule.def.ID
	if strings.Contains(id, "password") || strings.Contains(id, "passwd") || id == "curl-auth-user" {
		return true
	}
	if strings.Contains(id, "generic") {
		m := strings.ToLower(h.match)
		return strings.Contains(m, "passw") || strings.Contains(m, "pwd")
	}
	return false
}

// repeatedPattern reports whether the part of v after any public prefix is
// a short unit repeated (abc123abc123abc123, 12341234…): a test dummy.
func repeatedPattern(v string) bool {
	for _, p := range publicPrefixes {
		if strings.HasPrefix(v, p) {
			v = v[len(p):]
			break
		}
	}
	if len(v) < 8 {
		return false
	}
	for unit := 1; unit <= 8 && 2*unit < len(v); unit++ {
		ok := true
		for i := unit; i < len(v); i++ {
			if v[i] != v[i-unit] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}
