package httpprobe

import (
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"

	"github.com/selfassess/selfassess/internal/lazyre"
	"github.com/selfassess/selfassess/probes"
)

// defaultHSTSDays is http.hsts' default min_max_age_days (180, as the
// Observatory's six months).
func defaultHSTSDays() int { return probes.Params{}.Int("http.hsts", "min_max_age_days") }

// hsts is a parsed Strict-Transport-Security header.
type hsts struct {
	Present           bool   `json:"present"`
	Value             string `json:"value,omitempty"`
	MaxAge            int64  `json:"max_age"`
	IncludeSubDomains bool   `json:"include_subdomains"`
	Preload           bool   `json:"preload"`
	Valid             bool   `json:"valid"`
	// Problem says why a present field is invalid (browsers ignore it).
	Problem string `json:"problem,omitempty"`
	// Fields counts the STS fields received; only the first counts (RFC 6797 §8.1).
	Fields int `json:"fields,omitempty"`
}

// parseHSTS parses one Strict-Transport-Security field by RFC 6797 §6.1:
// `[directive] *(";" [directive])`, directive = token ["=" (token |
// quoted-string)], each directive at most once, max-age required. A field
// that breaks the grammar (a comma-merged pair of fields, say) is ignored
// by browsers as a whole (§6.1 rule 5), so it is invalid here too.
func parseHSTS(v string) hsts {
	h := hsts{Present: v != "", Value: v, MaxAge: -1}
	if !h.Present {
		return h
	}
	invalid := func(why string) hsts {
		h.Valid, h.MaxAge, h.IncludeSubDomains, h.Preload, h.Problem = false, -1, false, false, why
		return h
	}
	seen := map[string]bool{}
	for _, d := range splitDirectives(v) {
		d = strings.Trim(d, " \t")
		if d == "" {
			continue
		}
		name, val, hasVal := strings.Cut(d, "=")
		name = strings.TrimRight(name, " \t")
		if !isToken(name) {
			return invalid(fmt.Sprintf("%q is not a directive name (RFC 6797 §6.1 grammar; merged fields?)", truncate(name, 40)))
		}
		lname := strings.ToLower(name)
		if seen[lname] {
			return invalid(fmt.Sprintf("directive %s appears twice (RFC 6797 §6.1)", name))
		}
		seen[lname] = true
		if hasVal {
			var ok bool
			if val, ok = directiveValue(strings.TrimLeft(val, " \t")); !ok {
				return invalid(fmt.Sprintf("directive %s has a malformed value (RFC 6797 §6.1)", name))
			}
		}
		switch lname {
		case "max-age":
			n, err := strconv.ParseInt(val, 10, 64)
			if !hasVal || err != nil || n < 0 || strings.TrimLeft(val, "0123456789") != "" {
				return invalid("max-age is not a number of seconds (RFC 6797 §6.1.1)")
			}
			h.MaxAge = n
		case "includesubdomains":
			h.IncludeSubDomains = true
		case "preload":
			h.Preload = true
		}
	}
	if h.MaxAge < 0 {
		return invalid("no max-age directive (required, RFC 6797 §6.1.1)")
	}
	h.Valid = true
	return h
}

// splitDirectives splits at ";" outside quoted strings.
func splitDirectives(v string) []string {
	var out []string
	inQuote, esc, start := false, false, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case esc:
			esc = false
		case inQuote && c == '\\':
			esc = true
		case c == '"':
			inQuote = !inQuote
		case c == ';' && !inQuote:
			out = append(out, v[start:i])
			start = i + 1
		}
	}
	return append(out, v[start:])
}

// directiveValue unquotes a token or quoted-string value (trailing
// whitespace allowed), reporting whether it is well formed.
func directiveValue(v string) (string, bool) {
	v = strings.TrimRight(v, " \t")
	if strings.HasPrefix(v, `"`) {
		if len(v) < 2 || !strings.HasSuffix(v, `"`) {
			return "", false
		}
		var b strings.Builder
		in := v[1 : len(v)-1]
		for i := 0; i < len(in); i++ {
			switch {
			case in[i] == '\\' && i+1 < len(in):
				i++
				b.WriteByte(in[i])
			case in[i] == '"' || in[i] == '\\':
				return "", false
			default:
				b.WriteByte(in[i])
			}
		}
		return b.String(), true
	}
	return v, isToken(v)
}

// isToken reports whether s is an RFC 9110 token (tchar+).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

func probeHSTS(r *response, p probes.Params) probes.Result {
	const id = "http.hsts"
	minDays := p.Int(id, "min_max_age_days")
	minAge := int64(minDays) * 86400
	loc := redactURL(r.URL)
	res := probes.Result{ID: "http.hsts"}
	if r.URL.Scheme != "https" {
		res.Status = probes.Fail
		res.Summary = "served over plain HTTP: HSTS cannot apply"
		res.Findings = []probes.Finding{{Status: probes.Fail, Rule: "hsts-https", Message: "the page is served over plain HTTP; serve it over HTTPS with Strict-Transport-Security", Location: loc}}
		return res
	}
	h := parseHSTS(r.Header.Get("Strict-Transport-Security"))
	h.Fields = len(r.Header.Values("Strict-Transport-Security"))
	res.Observed = h
	f := probes.Finding{Rule: "hsts-max-age", Location: loc, Evidence: "Strict-Transport-Security: " + truncate(h.Value, 200)}
	switch {
	case !h.Present:
		f.Status, f.Rule, f.Message, f.Evidence = probes.Fail, "hsts-missing", "Strict-Transport-Security header missing", ""
		res.Summary = "HSTS missing"
	case !h.Valid:
		f.Status, f.Message = probes.Fail, "Strict-Transport-Security is invalid and ignored by browsers: "+h.Problem
		res.Summary = "HSTS invalid: " + h.Problem
	case h.MaxAge < minAge:
		f.Status, f.Message = probes.Fail, fmt.Sprintf("max-age=%d (%d days) is below %d (%d days required)", h.MaxAge, h.MaxAge/86400, minAge, minDays)
		res.Summary = fmt.Sprintf("HSTS max-age %d days < %d required", h.MaxAge/86400, minDays)
	default:
		f.Status, f.Message = probes.Pass, fmt.Sprintf("max-age=%d (%d days)", h.MaxAge, h.MaxAge/86400)
		res.Summary = fmt.Sprintf("HSTS max-age %d days", h.MaxAge/86400)
	}
	res.Findings = append(res.Findings, f)
	if h.Valid {
		note := func(ok, required bool, name string) {
			st, msg := probes.Info, name+" set"
			if !ok {
				msg = name + " not set"
				if required {
					st, msg = probes.Fail, name+" not set; required"
				}
			}
			res.Findings = append(res.Findings, probes.Finding{Status: st, Rule: "hsts-" + strings.ToLower(name), Message: msg, Location: loc})
		}
		note(h.IncludeSubDomains, p.Bool(id, "include_subdomains"), "includeSubDomains")
		note(h.Preload, p.Bool(id, "preload"), "preload")
		if p.Bool(id, "include_subdomains") && !h.IncludeSubDomains {
			res.Summary += ", includeSubDomains missing (required)"
		}
		if p.Bool(id, "preload") && !h.Preload {
			res.Summary += ", preload missing (required)"
		}
		if h.IncludeSubDomains {
			res.Summary += ", includeSubDomains"
		}
		if h.Preload {
			res.Summary += ", preload"
		}
	}
	res.Status = worst(res.Findings, probes.Pass)
	if res.Status == probes.Info {
		res.Status = probes.Pass
	}
	return res
}

// csp is one parsed Content-Security-Policy (directive name → sources).
type csp map[string][]string

func parseCSP(v string) csp {
	p := csp{}
	for _, d := range strings.Split(v, ";") {
		fields := strings.Fields(d)
		if len(fields) == 0 {
			continue
		}
		name := strings.ToLower(fields[0])
		if _, dup := p[name]; !dup { // the first occurrence wins (CSP3 §2.2.1)
			p[name] = fields[1:]
		}
	}
	return p
}

// scriptSources are the sources governing scripts: script-src, else default-src.
func (p csp) scriptSources() ([]string, bool) {
	if s, ok := p["script-src"]; ok {
		return s, true
	}
	s, ok := p["default-src"]
	return s, ok
}

func has(list []string, want string) bool {
	for _, s := range list {
		if strings.EqualFold(s, want) {
			return true
		}
	}
	return false
}

// scriptIssues is what weakens one policy's (or the enforced set's) script rules.
type scriptIssues struct {
	unsafeInline, unsafeEval, none bool
	// wild are sources that admit any script ("*", "https:", "data:"…): fail.
	wild []string
	// loose are sources that admit script the page itself made ("blob:"): warn.
	loose []string
}

// cspScriptIssues lists what weakens one policy's script rules.
// 'unsafe-inline' is ignored by browsers when a nonce, hash or
// 'strict-dynamic' is present (CSP3 §6.7.3.2), and host and scheme sources
// when 'strict-dynamic' is (CSP3 §8.2).
func cspScriptIssues(p csp) scriptIssues {
	srcs, ok := p.scriptSources()
	if !ok {
		return scriptIssues{unsafeInline: true, unsafeEval: true, none: true}
	}
	neutralised, dynamic := false, false
	for _, s := range srcs {
		l := strings.ToLower(s)
		if strings.HasPrefix(l, "'nonce-") || strings.HasPrefix(l, "'sha256-") || strings.HasPrefix(l, "'sha384-") ||
			strings.HasPrefix(l, "'sha512-") || l == "'strict-dynamic'" {
			neutralised = true
		}
		dynamic = dynamic || l == "'strict-dynamic'"
	}
	var is scriptIssues
	is.unsafeInline = has(srcs, "'unsafe-inline'") && !neutralised
	is.unsafeEval = has(srcs, "'unsafe-eval'")
	if dynamic {
		return is
	}
	for _, s := range srcs {
		switch strings.ToLower(s) {
		case "*", "http:", "https:", "data:", "http://*", "https://*":
			is.wild = append(is.wild, s)
		case "blob:", "filesystem:":
			is.loose = append(is.loose, s)
		}
	}
	return is
}

// enforcedScriptIssues combines every enforced policy: a script runs only if
// each policy allows it (CSP3 §8.1), so a weakness counts only when every
// policy has it.
func enforcedScriptIssues(ps []csp) scriptIssues {
	all := scriptIssues{unsafeInline: true, unsafeEval: true, none: true}
	wild, loose := true, true
	for _, p := range ps {
		is := cspScriptIssues(p)
		all.unsafeInline = all.unsafeInline && is.unsafeInline
		all.unsafeEval = all.unsafeEval && is.unsafeEval
		all.none = all.none && is.none
		if !is.none {
			wild = wild && len(is.wild) > 0
			loose = loose && len(is.loose)+len(is.wild) > 0
			all.wild = append(all.wild, is.wild...)
			all.loose = append(all.loose, is.loose...)
		}
	}
	if all.none || !wild {
		all.wild = nil
	}
	if all.none || !loose || len(all.wild) > 0 {
		all.loose = nil
	}
	return all
}

// framing is what the enforced header policies say about frame-ancestors.
// Browsers ignore X-Frame-Options as soon as one enforced policy has
// frame-ancestors (HTML §7.1.7; CSP3 §6.4.2).
func framing(ps []csp) (present, restricted bool, permissive []string) {
	for _, p := range ps {
		srcs, ok := p["frame-ancestors"]
		if !ok {
			continue
		}
		present = true
		open := false
		for _, s := range srcs {
			switch strings.ToLower(s) {
			case "*", "http:", "https:", "http://*", "https://*":
				open = true
				permissive = append(permissive, s)
			}
		}
		restricted = restricted || !open
	}
	return
}

// metaCSPOff are the directives a <meta> policy may not carry (CSP3 §3.3).
var metaCSPOff = []string{"frame-ancestors", "report-uri", "sandbox"}

var (
	metaTag  = lazyre.New(`(?is)<meta\b([^>]*)>`)
	attrPair = lazyre.New(`(?is)([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>` + "`" + `]+)))?`)
	headEnd  = lazyre.New(`(?i)</head\s*>|<body\b`)
)

// attrs parses a tag's attributes (names lowercased, values unescaped).
func attrs(s string) map[string]string {
	out := map[string]string{}
	for _, m := range attrPair().FindAllStringSubmatch(s, -1) {
		name := strings.ToLower(m[1])
		if _, dup := out[name]; !dup { // HTML: the first attribute of a name wins
			out[name] = html.UnescapeString(m[2] + m[3] + m[4])
		}
	}
	return out
}

// metaCSP returns the policies of the page's <meta http-equiv=
// "Content-Security-Policy"> elements in the head (CSP3 §3.3), without the
// directives a meta policy may not set.
func metaCSP(r *response) []string {
	if !isHTML(r) {
		return nil
	}
	body := htmlComment().ReplaceAll(r.Body, nil)
	if loc := headEnd().FindIndex(body); loc != nil {
		body = body[:loc[0]]
	}
	var out []string
	for _, m := range metaTag().FindAllSubmatch(body, -1) {
		a := attrs(string(m[1]))
		if !strings.EqualFold(strings.TrimSpace(a["http-equiv"]), "content-security-policy") {
			continue
		}
		if v := strings.TrimSpace(a["content"]); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// policies are the enforced CSPs of a response: every header field, each
// split on commas (CSP3 §2.2.1, a serialized CSP list), then the meta ones.
type policies struct {
	header, meta []csp
	// text is what the report shows: the header fields, then the meta ones.
	text []string
}

func enforcedPolicies(r *response) policies {
	var ps policies
	for _, f := range r.Header.Values("Content-Security-Policy") {
		for _, one := range strings.Split(f, ",") {
			if strings.TrimSpace(one) != "" {
				ps.header = append(ps.header, parseCSP(one))
			}
		}
		ps.text = append(ps.text, f)
	}
	for _, m := range metaCSP(r) {
		p := parseCSP(m)
		for _, d := range metaCSPOff {
			delete(p, d)
		}
		ps.meta = append(ps.meta, p)
		ps.text = append(ps.text, "<meta> "+m)
	}
	return ps
}

func (ps policies) all() []csp { return append(append([]csp(nil), ps.header...), ps.meta...) }

// listValues splits every field of a list-valued header on commas (Fetch
// §2.2, "get, decode, and split"), trimmed, empty values dropped.
func listValues(h http.Header, name string) []string {
	var out []string
	for _, f := range h.Values(name) {
		for _, v := range strings.Split(f, ",") {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// nosniff is Fetch §3.5's "determine nosniff": the first value decides.
func nosniff(h http.Header) bool {
	vs := listValues(h, "X-Content-Type-Options")
	return len(vs) > 0 && strings.EqualFold(vs[0], "nosniff")
}

// xfoVerdict is HTML §7.1.7's reading of X-Frame-Options: the
// de-duplicated, lowercased set of values; one of deny/sameorigin
// protects, several different values are invalid and ignored.
func xfoVerdict(h http.Header) (value string, ok bool, problem string) {
	set := map[string]bool{}
	var first string
	for _, v := range listValues(h, "X-Frame-Options") {
		l := strings.ToLower(v)
		if !set[l] && first == "" {
			first = l
		}
		set[l] = true
	}
	switch {
	case len(set) == 0:
		return "", false, "missing"
	case len(set) > 1:
		return strings.Join(h.Values("X-Frame-Options"), ", "), false, "conflicting values, which browsers ignore"
	case first == "deny" || first == "sameorigin":
		return strings.Join(h.Values("X-Frame-Options"), ", "), true, ""
	}
	return strings.Join(h.Values("X-Frame-Options"), ", "), false, "not DENY or SAMEORIGIN (browsers ignore other values, ALLOW-FROM included)"
}

// referrerPolicies are the valid Referrer-Policy tokens (Referrer Policy §3).
var referrerPolicies = map[string]bool{"no-referrer": true, "no-referrer-when-downgrade": true, "same-origin": true, "origin": true,
	"strict-origin": true, "origin-when-cross-origin": true, "strict-origin-when-cross-origin": true, "unsafe-url": true}

// referrerPolicy is the effective policy: the last valid token of all the
// fields (Referrer Policy §8.1); "" when none is valid.
func referrerPolicy(h http.Header) string {
	eff := ""
	for _, v := range listValues(h, "Referrer-Policy") {
		if l := strings.ToLower(v); referrerPolicies[l] {
			eff = l
		}
	}
	return eff
}

// headerCheck is one security header's verdict.
type headerCheck struct {
	Header string        `json:"header"`
	Value  string        `json:"value,omitempty"`
	Status probes.Status `json:"status"`
	Note   string        `json:"note"`
}

// hstsMinDays is the score's HSTS minimum (0: the default); the verdict
// does not depend on it.
func probeHeaders(r *response, chain []*response, p probes.Params, hstsMinDays int) probes.Result {
	loc := redactURL(r.URL)
	h := r.Header
	var checks []headerCheck
	add := func(name, value string, st probes.Status, note string) {
		checks = append(checks, headerCheck{Header: name, Value: truncate(value, 300), Status: st, Note: note})
	}

	ps := enforcedPolicies(r)
	all := ps.all()
	switch {
	case len(all) == 0 && h.Get("Content-Security-Policy-Report-Only") != "":
		add("Content-Security-Policy", h.Get("Content-Security-Policy-Report-Only"), probes.Fail, "only Content-Security-Policy-Report-Only is set, which enforces nothing")
	case len(all) == 0:
		add("Content-Security-Policy", "", probes.Fail, "missing")
	default:
		is := enforcedScriptIssues(all)
		var problems []string
		st := probes.Pass
		raise := func(s probes.Status, msg string) {
			problems = append(problems, msg)
			if s.Rank() > st.Rank() {
				st = s
			}
		}
		if is.none {
			raise(probes.Fail, "no script-src or default-src: scripts are unrestricted")
		} else {
			if is.unsafeInline {
				raise(probes.Fail, "script sources allow 'unsafe-inline'")
			}
			if is.unsafeEval {
				raise(probes.Fail, "script sources allow 'unsafe-eval'")
			}
			if len(is.wild) > 0 {
				raise(probes.Fail, "script sources allow "+strings.Join(is.wild, " ")+": any site's (or an inline data:) script runs")
			}
			if len(is.loose) > 0 {
				raise(probes.Warn, "script sources allow "+strings.Join(is.loose, " "))
			}
		}
		if present, _, _ := framing(ps.header); !present {
			msg := "no frame-ancestors"
			for _, m := range metaCSP(r) {
				if _, ok := parseCSP(m)["frame-ancestors"]; ok {
					msg += " (a <meta> policy cannot set it)"
					break
				}
			}
			raise(probes.Warn, msg)
		}
		note := "restricts scripts"
		if len(problems) > 0 {
			note = strings.Join(problems, "; ")
		}
		if len(all) > 1 {
			note += fmt.Sprintf(" (%d policies, all enforced)", len(all))
		}
		add("Content-Security-Policy", strings.Join(ps.text, " | "), st, note)
	}

	xcto := strings.Join(h.Values("X-Content-Type-Options"), ", ")
	switch {
	case xcto == "":
		add("X-Content-Type-Options", "", probes.Fail, "missing (want nosniff)")
	case !nosniff(h):
		add("X-Content-Type-Options", xcto, probes.Fail, "not nosniff (the first value counts)")
	default:
		add("X-Content-Type-Options", xcto, probes.Pass, "nosniff")
	}

	xfo, xfoOK, xfoProblem := xfoVerdict(h)
	switch faPresent, faRestricted, faOpen := framing(ps.header); {
	case faRestricted:
		note := "framing restricted by CSP frame-ancestors"
		if xfo != "" {
			note += " (browsers then ignore X-Frame-Options)"
		}
		add("X-Frame-Options", xfo, probes.Pass, note)
	case faPresent:
		add("X-Frame-Options", xfo, probes.Fail, "CSP frame-ancestors "+strings.Join(faOpen, " ")+" lets any site frame the page (clickjacking); browsers then ignore X-Frame-Options")
	case xfoOK:
		add("X-Frame-Options", xfo, probes.Pass, "framing restricted")
	case xfo != "":
		add("X-Frame-Options", xfo, probes.Fail, xfoProblem+", and no CSP frame-ancestors: the page can be framed (clickjacking)")
	default:
		add("X-Frame-Options", "", probes.Fail, "missing, and no CSP frame-ancestors: the page can be framed (clickjacking)")
	}

	rp := strings.Join(h.Values("Referrer-Policy"), ", ")
	switch eff := referrerPolicy(h); {
	case rp == "":
		add("Referrer-Policy", "", probes.Warn, "missing (browsers default to strict-origin-when-cross-origin)")
	case eff == "":
		add("Referrer-Policy", rp, probes.Warn, "no valid policy token, so browsers ignore it (default strict-origin-when-cross-origin)")
	case eff == "unsafe-url" || eff == "no-referrer-when-downgrade" || eff == "origin" || eff == "origin-when-cross-origin":
		add("Referrer-Policy", rp, probes.Warn, "effective policy "+eff+" leaks URLs or origins to other sites")
	default:
		add("Referrer-Policy", rp, probes.Pass, "effective policy "+eff)
	}

	pp := h.Get("Permissions-Policy")
	if pp == "" {
		add("Permissions-Policy", "", probes.Warn, "missing")
	} else {
		add("Permissions-Policy", pp, probes.Pass, "set")
	}

	checks = applyRequired(checks, h, p.Strings("http.headers", "required"))

	res := probes.Result{ID: "http.headers"}
	for _, c := range checks {
		f := probes.Finding{Status: c.Status, Rule: "header-" + strings.ToLower(c.Header), Location: loc,
			Message: c.Header + ": " + c.Note}
		if c.Value != "" {
			f.Evidence = c.Header + ": " + c.Value
		}
		res.Findings = append(res.Findings, f)
	}
	sc := scoreHeaders(r, chain, hstsMinDays)
	res.Status = worst(res.Findings, probes.Pass)
	res.Observed = map[string]any{"url": loc, "status": r.StatusCode, "headers": checks, "score": sc}
	fails := countStatus(res.Findings, probes.Fail)
	warns := countStatus(res.Findings, probes.Warn)
	if fails+warns == 0 {
		res.Summary = fmt.Sprintf("score %d (%s); all %d security headers good", sc.Score, sc.Grade, len(checks))
	} else {
		res.Summary = fmt.Sprintf("score %d (%s); %d of %d security headers missing or weak, %d to improve", sc.Score, sc.Grade, fails, len(checks), warns)
	}
	return res
}

// applyRequired sets each header's weight from the checklist's required
// list: a missing or weak required header fails, one not required only
// warns, and a listed header the probe has no check for must be present.
func applyRequired(checks []headerCheck, h http.Header, required []string) []headerCheck {
	isRequired := func(name string) bool {
		for _, r := range required {
			if strings.EqualFold(strings.TrimSpace(r), name) {
				return true
			}
		}
		return false
	}
	known := map[string]bool{}
	for i := range checks {
		c := &checks[i]
		known[strings.ToLower(c.Header)] = true
		switch req := isRequired(c.Header); {
		case req && c.Status == probes.Warn && (c.Header == "Referrer-Policy" || c.Header == "Permissions-Policy"):
			c.Status, c.Note = probes.Fail, c.Note+" (required)"
		case !req && c.Status == probes.Fail:
			c.Status, c.Note = probes.Warn, c.Note+" (not required by this checklist)"
		}
	}
	for _, r := range required {
		name := http.CanonicalHeaderKey(strings.TrimSpace(r))
		if known[strings.ToLower(name)] {
			continue
		}
		known[strings.ToLower(name)] = true
		if v := h.Get(name); v != "" {
			checks = append(checks, headerCheck{Header: name, Value: truncate(v, 300), Status: probes.Pass, Note: "set"})
		} else {
			checks = append(checks, headerCheck{Header: name, Status: probes.Fail, Note: "missing (required)"})
		}
	}
	return checks
}
