// Package tlsprobe enumerates what a TLS server accepts with raw
// ClientHellos (versions, cipher suites) and checks its certificate. Go's
// crypto/tls cannot offer SSLv3, CCM, ARIA, CAMELLIA, DHE, export or NULL
// suites, nor choose TLS 1.3 suites, so the hellos are built by hand; the
// server's choice in its ServerHello is the answer, no key exchange needed.
package tlsprobe

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/selfassess/selfassess/probes"
)

type family struct{}

// NewFamily returns the tls.* probe family.
func NewFamily() probes.Family { return family{} }

func (family) Name() string                 { return "tls" }
func (family) IDs() []string                { return []string{"tls.versions", "tls.ciphers", "tls.certificate"} }
func (family) Applies(t probes.Target) bool { return t.Kind == probes.KindURL }

// VersionsObserved is tls.versions' Observed.
type VersionsObserved struct {
	Offered []string `json:"offered"`
	// SecureRenegotiation: per offered version up to TLS 1.2, whether the
	// server supports RFC 5746 secure renegotiation.
	SecureRenegotiation map[string]bool `json:"secure_renegotiation"`
	// Compression lists the versions at which the server compresses (CRIME).
	Compression []string `json:"compression"`
	// Grade is set when all three tls probes ran (see Grade).
	Grade       *Grade            `json:"grade,omitempty"`
	NotOffered  map[string]string `json:"not_offered"` // version → why
	Connections int               `json:"connections"`
}

// SuiteObserved is one accepted suite.
type SuiteObserved struct {
	Name  string `json:"name"`
	Code  string `json:"code"` // 0xC02F
	Class Class  `json:"class"`
}

// VersionSuites are the suites accepted at one version.
type VersionSuites struct {
	Version string          `json:"version"`
	Suites  []SuiteObserved `json:"suites"`
	// ServerOrder: true when the server enforces its own preference, false
	// when it follows the client's, absent when unmeasurable (one suite).
	ServerOrder *bool `json:"server_order,omitempty"`
	// DHEWithoutFFDHE: the DHE suites were accepted only when the hello
	// listed no RFC 7919 groups (the server uses a group of its own).
	DHEWithoutFFDHE bool `json:"dhe_without_ffdhe_groups,omitempty"`
}

// CiphersObserved is tls.ciphers' Observed.
type CiphersObserved struct {
	Versions []VersionSuites `json:"versions"`
	// KeyExchange: the ephemeral DH groups and curves the server used.
	KeyExchange []KeyExchange `json:"key_exchange"`
	Connections int           `json:"connections"`
}

func (f family) Run(ctx context.Context, t probes.Target, ids []string, cfg probes.Config) []probes.Result {
	return f.RunRounds(ctx, t, []probes.Round{{IDs: ids, With: cfg.With}}, cfg)[0]
}

// RunRounds enumerates the server and reads its certificate once, then
// judges them by each round's thresholds: a second min_version costs the
// server no connection.
func (family) RunRounds(ctx context.Context, t probes.Target, rounds []probes.Round, cfg probes.Config) [][]probes.Result {
	cfg = cfg.Defaults()
	start := time.Now()
	want := probes.RoundIDs(rounds)
	results := func(f func(id string, p probes.Params) probes.Result) [][]probes.Result {
		out := make([][]probes.Result, len(rounds))
		for k, rd := range rounds {
			for _, id := range rd.IDs {
				r := f(id, rd.Params(id))
				r.ID, r.Target = id, t.Value
				r.DurationMS = time.Since(start).Milliseconds()
				out[k] = append(out[k], r)
			}
		}
		return out
	}
	ep, skip, err := endpoint(t.Value)
	if skip != "" || err != nil {
		st, msg := probes.Skipped, skip
		if err != nil {
			st, msg = probes.Error, err.Error()
		}
		return results(func(string, probes.Params) probes.Result { return probes.Result{Status: st, Summary: msg} })
	}
	// The enumeration and the certificate handshake share the host's
	// slots with every other probe of the run (see probes.HostSlots).
	opt := Options{Timeout: cfg.Timeout, PerHost: cfg.PerHost, RateLimit: cfg.RateLimit, slots: cfg.Hosts.For(ep.Host)}

	// The certificate handshake runs beside the enumeration.
	certDone := make(chan certResult, 1)
	if want["tls.certificate"] {
		go func() {
			chain, ca, err := fetchChain(ctx, ep, opt, cfg.ClientCert)
			if err != nil {
				certDone <- certResult{err: err}
				return
			}
			f := inspect(chain, ep.Host, cfg.VerifyCert, cfg.Now())
			f.Source = "handshake"
			f.ClientAuth, f.ClientAuthError = ca.State(), ca.Refused
			if ca.Completed {
				f.OCSP = stapleFacts(chain, ca.Staple, cfg.VerifyCert, cfg.Now())
			}
			certDone <- certResult{facts: &f}
		}()
	} else {
		certDone <- certResult{}
	}

	var enum *Enumeration
	var enumErr error
	if want["tls.versions"] || want["tls.ciphers"] {
		enum, enumErr = Enumerate(ctx, ep, opt)
	}
	cert := <-certDone
	if want["tls.certificate"] && cert.facts == nil {
		cert = fallbackCert(ctx, ep, opt, cfg, enum, enumErr, cert.err)
	}
	if enum != nil && want["tls.certificate"] {
		// the certificate handshake (and its raw fallback) count too
		enum.Connections++
		if cert.facts != nil && cert.facts.Source == "raw-flight" {
			enum.Connections++
		}
	}

	return results(func(id string, p probes.Params) probes.Result {
		switch id {
		case "tls.versions":
			if enumErr != nil {
				return probes.Result{Status: probes.Error, Summary: enumErr.Error()}
			}
			r := versionsResult(enum, minVersion(p.String(id, "min_version")))
			if want["tls.ciphers"] && want["tls.certificate"] && cert.facts != nil && r.Status != probes.Error {
				g := gradeOf(enum, cert.facts)
				obs := r.Observed.(VersionsObserved)
				obs.Grade = &g
				r.Observed = obs
				msg := "SSL Labs-style grade " + g.Grade
				if g.IgnoringTrust != "" {
					msg += " (" + g.IgnoringTrust + " if the certificate were trusted)"
				}
				if len(g.Caps) > 0 {
					msg += ", capped by " + strings.Join(g.Caps, "; ")
				}
				// not in the summary: other tools and scripts match it
				r.Findings = append(r.Findings, probes.Finding{Status: probes.Info, Rule: "tls-grade", Message: msg})
			}
			return r
		case "tls.ciphers":
			if enumErr != nil {
				return probes.Result{Status: probes.Error, Summary: enumErr.Error()}
			}
			return ciphersResult(enum, p.Strings(id, "allowed_classes"))
		case "tls.certificate":
			if cert.facts == nil {
				return probes.Result{Status: probes.Error, Summary: "cannot fetch the certificate: " + oneLine(cert.err.Error())}
			}
			return certificateResult(*cert.facts, p.Int(id, "expiry_warn_days"), p.Int(id, "min_rsa_bits"), cfg.ClientCert != nil)
		}
		return probes.Result{Status: probes.Error, Summary: "unknown probe id"}
	})
}

type certResult struct {
	facts *CertFacts
	err   error
}

// fallbackCert reads the chain from a raw TLS ≤1.2 flight when crypto/tls
// could not complete a handshake (SSLv3-only servers, suites Go lacks).
func fallbackCert(ctx context.Context, ep Endpoint, opt Options, cfg probes.Config, enum *Enumeration, enumErr, hsErr error) (r certResult) {
	r.err = hsErr
	if enumErr != nil {
		r.err = enumErr
		return r
	}
	if enum == nil {
		return r
	}
	for i := len(enum.Versions) - 1; i >= 0; i-- {
		v := enum.Versions[i]
		if !v.Offered || v.Version == VersionTLS13 || v.Version == VersionSSL20 {
			continue
		}
		ders, err := FetchRawChain(ctx, ep, opt, v.Version, v.Suites)
		if err != nil {
			r.err = err
			return r
		}
		chain, err := ParseChain(ders)
		if err != nil {
			r.err = err
			return r
		}
		f := inspect(chain, ep.Host, cfg.VerifyCert, cfg.Now())
		f.Source = "raw-flight"
		r.facts, r.err = &f, nil
		return r
	}
	return r
}

// endpoint turns a URL target into host, port and SNI; plain http:// targets
// are skipped.
func endpoint(raw string) (Endpoint, string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return Endpoint{}, "", fmt.Errorf("not a URL with a host: %q", raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		return Endpoint{}, "plain http:// target: no TLS to probe", nil
	default:
		return Endpoint{}, "", fmt.Errorf("scheme %q is not https", u.Scheme)
	}
	ep := Endpoint{Host: u.Hostname(), Port: u.Port()}
	if ep.Port == "" {
		ep.Port = "443"
	}
	if net.ParseIP(ep.Host) == nil {
		ep.SNI = strings.TrimSuffix(ep.Host, ".")
	}
	return ep, "", nil
}

// minVersion reads min_version ("TLS1.2"); TLS 1.2 when unknown.
func minVersion(name string) Version {
	for _, v := range Versions {
		if strings.EqualFold(v.String(), name) {
			return v
		}
	}
	return VersionTLS12
}

func versionsResult(e *Enumeration, min Version) probes.Result {
	obs := VersionsObserved{Offered: []string{}, NotOffered: map[string]string{}, Connections: e.Connections,
		SecureRenegotiation: map[string]bool{}, Compression: []string{}}
	var r probes.Result
	modern := false
	var noReneg []string
	for _, v := range e.Versions {
		if !v.Offered {
			obs.NotOffered[v.Version.String()] = v.Refusal
			continue
		}
		obs.Offered = append(obs.Offered, v.Version.String())
		if v.SecureReneg != nil {
			obs.SecureRenegotiation[v.Version.String()] = *v.SecureReneg
			if !*v.SecureReneg {
				noReneg = append(noReneg, v.Version.String())
			}
		}
		if v.Compression {
			obs.Compression = append(obs.Compression, v.Version.String())
		}
		if v.Version >= min && v.Version != VersionSSL20 {
			modern = true
		} else {
			r.Findings = append(r.Findings, probes.Finding{Status: probes.Fail, Rule: "tls-legacy-version",
				Message: v.Version.String() + " is offered; only " + versionsFrom(min) + " are acceptable"})
		}
	}
	if len(obs.Offered) == 0 {
		return probes.Result{Status: probes.Error, Observed: obs,
			Summary: "the server accepted no protocol version: " + e.Versions[4].Refusal}
	}
	if !modern {
		msg := "neither TLS 1.2 nor TLS 1.3 is offered"
		if min != VersionTLS12 {
			msg = "no version from " + versionsFrom(min) + " is offered"
		}
		r.Findings = append(r.Findings, probes.Finding{Status: probes.Fail, Rule: "tls-no-modern-version", Message: msg})
	}
	if len(obs.Compression) > 0 {
		r.Findings = append(r.Findings, probes.Finding{Status: probes.Fail, Rule: "tls-compression",
			Message: "the server compresses TLS records (DEFLATE) with " + strings.Join(obs.Compression, ", ") + ": CRIME recovers cookies and tokens from compressed traffic"})
	}
	if len(noReneg) > 0 {
		// Without RFC 5746 a server that renegotiates at all lets a man
		// in the middle prefix the client's request; whether it does
		// cannot be seen from a hello, so this warns.
		r.Findings = append(r.Findings, probes.Finding{Status: probes.Warn, Rule: "tls-no-secure-renegotiation",
			Message: "the server does not support secure renegotiation (RFC 5746) with " + strings.Join(noReneg, ", ")})
	}
	r.Observed = obs
	r.Status = worst(probes.Pass, r.Findings)
	r.Summary = "offered: " + strings.Join(obs.Offered, " ")
	return r
}

// versionsFrom names the acceptable versions: "TLS 1.2 and newer".
func versionsFrom(min Version) string {
	if min == VersionTLS13 {
		return "TLS 1.3"
	}
	return strings.Replace(min.String(), "TLS", "TLS ", 1) + " and newer"
}

func ciphersResult(e *Enumeration, allowed []string) probes.Result {
	obs := CiphersObserved{Versions: []VersionSuites{}, KeyExchange: e.KeyExchanges, Connections: e.Connections}
	if obs.KeyExchange == nil {
		obs.KeyExchange = []KeyExchange{}
	}
	count := map[Class]int{}
	type bad struct {
		class    Class
		reasons  []string
		versions []string
	}
	flagged := map[string]*bad{}
	var order []string
	enforced := ""
	for _, v := range e.Versions {
		if !v.Offered {
			continue
		}
		vs := VersionSuites{Version: v.Version.String(), Suites: []SuiteObserved{}, ServerOrder: v.Enforced, DHEWithoutFFDHE: v.NoFFDHE}
		add := func(name, code string, class Class, reasons []string) {
			vs.Suites = append(vs.Suites, SuiteObserved{Name: name, Code: code, Class: class})
			count[class]++
			if class != Strong || !slices.Contains(allowed, string(Strong)) {
				if flagged[name] == nil {
					flagged[name] = &bad{class: class, reasons: reasons}
					order = append(order, name)
				}
				flagged[name].versions = append(flagged[name].versions, v.Version.String())
			}
		}
		for _, c := range v.SSLv2 {
			add(sslv2Name(c), fmt.Sprintf("0x%06X", c), Insecure, []string{"SSLv2"})
		}
		for _, c := range v.Suites {
			s, _ := LookupSuite(c)
			add(s.Name, FormatCode(c), s.Class(), s.Reasons())
		}
		if v.Enforced != nil && v.Version >= VersionTLS12 {
			if *v.Enforced {
				enforced = "; server enforces its order"
			} else if enforced == "" {
				enforced = "; server follows the client's order"
			}
		}
		obs.Versions = append(obs.Versions, vs)
	}
	r := probes.Result{Observed: obs, Status: probes.Pass}
	if len(obs.Versions) == 0 {
		return probes.Result{Status: probes.Error, Observed: obs,
			Summary: "the server accepted no cipher suite: " + e.Versions[4].Refusal}
	}
	// insecure suites first, then weak ones, each in the server's order
	slices.SortStableFunc(order, func(a, b string) int {
		return cmpClass(flagged[a].class) - cmpClass(flagged[b].class)
	})
	for _, name := range order {
		b := flagged[name]
		st := probes.Warn
		if b.class == Insecure || !slices.Contains(allowed, string(b.class)) {
			st = probes.Fail
		}
		msg := fmt.Sprintf("%s is %s: %s; accepted with %s", name, b.class, strings.Join(b.reasons, ", "), strings.Join(b.versions, ", "))
		if b.class != Insecure && st == probes.Fail {
			msg += fmt.Sprintf(" (allowed classes: %s)", strings.Join(allowed, ", "))
		}
		r.Findings = append(r.Findings, probes.Finding{Status: st, Rule: "tls-" + string(b.class) + "-suite", Message: msg})
	}
	r.Findings = append(r.Findings, kexFindings(e.KeyExchanges)...)
	for _, f := range r.Findings {
		if f.Status.Rank() > r.Status.Rank() {
			r.Status = f.Status
		}
	}
	var kx []string
	for _, k := range e.KeyExchanges {
		if k.Kind == "DHE" {
			kx = append(kx, fmt.Sprintf("DHE %d bits", k.Bits))
		} else {
			kx = append(kx, "ECDHE "+k.Group)
		}
	}
	if len(kx) > 0 {
		enforced += "; " + strings.Join(kx, ", ")
	}
	r.Summary = fmt.Sprintf("%d suites accepted: %d strong, %d weak, %d insecure%s",
		count[Strong]+count[Weak]+count[Insecure], count[Strong], count[Weak], count[Insecure], enforced)
	return r
}

func certificateResult(f CertFacts, warnDays, minRSABits int, clientCert bool) probes.Result {
	r := probes.Result{Observed: f, Status: probes.Pass}
	fail := func(rule, msg string) {
		r.Findings = append(r.Findings, probes.Finding{Status: probes.Fail, Rule: rule, Message: msg})
	}
	switch {
	case f.Trusted:
	case f.ChainProblem == "weak-signature":
		// the weak-signature finding below says it, with the reason
	case f.ChainProblem == "incomplete":
		fail("tls-cert-incomplete-chain", "certificate is not trusted: "+f.TrustError)
	case f.ChainProblem == "untrusted-root":
		fail("tls-cert-untrusted-root", "certificate is not trusted: "+f.TrustError)
	default:
		fail("tls-cert-untrusted", "certificate is not trusted: "+f.TrustError)
	}
	if f.Expired {
		fail("tls-cert-expired", fmt.Sprintf("certificate expired on %s", f.NotAfter.Format(time.DateOnly)))
	}
	if f.NotYetValid {
		fail("tls-cert-not-yet-valid", fmt.Sprintf("certificate is not valid before %s", f.NotBefore.Format(time.RFC3339)))
	}
	if !f.HostnameMatch {
		sans := "SANs: " + strings.Join(f.SANs, ", ")
		if len(f.SANs) == 0 {
			sans = "it has no subject alternative names; the common name is not used"
		}
		fail("tls-cert-hostname-mismatch", fmt.Sprintf("certificate does not match the host name (%s)", sans))
	}
	if f.KeyType == "RSA" && f.KeyBits < minRSABits {
		fail("tls-cert-weak-key", fmt.Sprintf("RSA key of %d bits; at least %d are required", f.KeyBits, minRSABits))
	}
	// A CA certificate issued by another CA and served as the leaf is the
	// case clients get wrong. A self-signed CA:TRUE certificate that the
	// user trusts directly (--ca-file) is how private test servers are
	// commonly made (Go's httptest among them) and is left alone, though
	// Firefox refuses it too.
	if f.LeafIsCA && !f.SelfSigned {
		fail("tls-cert-leaf-is-ca", "the server's certificate is a CA certificate (basicConstraints CA:TRUE), not a server certificate")
	}
	for _, p := range f.UsageProblems {
		fail("tls-cert-key-usage", "the server's certificate "+p)
	}
	for _, w := range f.WeakSignatures {
		name, alg, _ := strings.Cut(w, ": ")
		msg := "certificate is signed with " + alg
		if name != "leaf" {
			msg = "intermediate " + name + " is signed with " + alg
		}
		if f.ChainProblem == "weak-signature" {
			msg += " (" + f.TrustError + ")"
		}
		fail("tls-cert-weak-signature", msg)
	}
	r.Findings = append(r.Findings, ocspFindings(f)...)
	switch {
	case f.ClientAuth == "rejected":
		fail("tls-client-cert-rejected", "the server refused the handshake with the --client-cert certificate: "+f.ClientAuthError)
	case f.ClientAuth == "required":
		r.Findings = append(r.Findings, probes.Finding{Status: probes.Info, Rule: "tls-client-cert-required",
			Message: "the server requires a client certificate (mutual TLS); give --client-cert and --client-key to test the handshake with yours"})
	case clientCert && f.ClientAuth == "none":
		r.Findings = append(r.Findings, probes.Finding{Status: probes.Info, Rule: "tls-client-cert-not-requested",
			Message: "the server did not ask for a client certificate; --client-cert was not used"})
	}
	if r.Status = worst(probes.Pass, r.Findings); r.Status == probes.Pass && f.DaysLeft < warnDays {
		r.Status = probes.Warn
		r.Findings = append(r.Findings, probes.Finding{Status: probes.Warn, Rule: "tls-cert-expiring",
			Message: fmt.Sprintf("certificate expires %s (%s)", inDays(f.DaysLeft), f.NotAfter.Format(time.DateOnly))})
	}
	var parts []string
	for _, fd := range r.Findings {
		if fd.Status != probes.Info {
			parts = append(parts, fd.Message)
		}
	}
	if len(parts) == 0 {
		r.Summary = fmt.Sprintf("trusted %s %d certificate for %s, %d days left", f.KeyType, f.KeyBits, strings.Join(f.SANs, ", "), f.DaysLeft)
	} else {
		r.Summary = strings.Join(parts, "; ")
	}
	switch f.ClientAuth {
	case "required", "optional":
		r.Summary += "; client certificate " + f.ClientAuth
	case "accepted":
		r.Summary += "; mutual TLS with the client certificate works"
	}
	return r
}

// inDays says when a certificate with days whole days left expires: "in
// 0 days" for one that expires tomorrow would read as "today".
func inDays(days int) string {
	switch days {
	case 0:
		return "in less than a day"
	case 1:
		return "in 1 day"
	}
	return fmt.Sprintf("in %d days", days)
}

func cmpClass(c Class) int {
	if c == Insecure {
		return 0
	}
	return 1
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// worst raises st to the worst status among fs.
func worst(st probes.Status, fs []probes.Finding) probes.Status {
	for _, f := range fs {
		switch {
		case f.Status == probes.Fail:
			st = probes.Fail
		case f.Status == probes.Warn && st != probes.Fail:
			st = probes.Warn
		}
	}
	return st
}

// kexFindings judge the DH groups and curves (thresholds in dh.go).
func kexFindings(ks []KeyExchange) []probes.Finding {
	var out []probes.Finding
	add := func(st probes.Status, rule, msg string, k KeyExchange) {
		out = append(out, probes.Finding{Status: st, Rule: rule, Message: msg + "; with " + k.Suite + " on " + strings.Join(k.Versions, ", ")})
	}
	for _, k := range ks {
		group := ""
		if k.Group != "" {
			group = " (" + k.Group + ")"
		}
		switch k.Kind {
		case "DHE":
			switch {
			case k.Prime != nil && !*k.Prime:
				add(probes.Fail, "tls-dh-composite-modulus", fmt.Sprintf("the %d-bit DHE modulus is not prime: the key exchange can be broken", k.Bits), k)
			case k.Bits < dhFailBits:
				add(probes.Fail, "tls-dh-weak-group", fmt.Sprintf("DHE group of %d bits%s: under %d bits it is broken; at least %d are required", k.Bits, group, dhFailBits, dhWarnBits), k)
			case k.Group != "" && k.Bits <= dhCommonFailBits:
				add(probes.Fail, "tls-dh-common-group", fmt.Sprintf("DHE uses the widely shared %d-bit group%s: one precomputation breaks every server using it (Logjam)", k.Bits, group), k)
			case k.Bits < dhWarnBits:
				add(probes.Warn, "tls-dh-weak-group", fmt.Sprintf("DHE group of %d bits%s; at least %d are required", k.Bits, group, dhWarnBits), k)
			}
			if k.SmallOrderG {
				add(probes.Fail, "tls-dh-small-subgroup", fmt.Sprintf("the DHE generator %s has a small or smooth order: its discrete logarithms are easy", k.Generator), k)
			} else if k.SafePrime != nil && !*k.SafePrime {
				add(probes.Warn, "tls-dh-unsafe-prime", "the DHE modulus is not a safe prime: unless the generator's subgroup has a large prime order, small-subgroup attacks apply", k)
			}
		case "ECDHE":
			switch {
			case k.ExplicitCurve:
				add(probes.Fail, "tls-ecdh-explicit-curve", "ECDHE with explicit curve parameters (deprecated by RFC 8422)", k)
			case weakCurve(k):
				add(probes.Warn, "tls-ecdh-weak-curve", fmt.Sprintf("ECDHE curve %s has %d bits; at least %d are recommended", k.Group, k.Bits, ecWarnBits), k)
			}
		}
	}
	return out
}
