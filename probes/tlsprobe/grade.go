package tlsprobe

import (
	"fmt"
	"slices"
	"strings"
)

// Grade is an SSL Labs-style letter for one endpoint, for reviewers who
// think in grades. It is modelled on SSL Labs' caps, not a copy of its
// scoring: each problem caps the grade (the table in gradeCaps), the
// lowest cap wins. A trust problem gives "T", with the grade the rest
// earns in IgnoringTrust. The tls probes cannot see HSTS, which SSL Labs
// requires for A+, so the grade tops out at A; http.hsts judges HSTS.
type Grade struct {
	Grade         string   `json:"grade"`
	IgnoringTrust string   `json:"ignoring_trust,omitempty"`
	Caps          []string `json:"caps"` // "B: TLS1.0 offered", worst first
}

// gradeOrder: best first.
var gradeOrder = []string{"A", "B", "C", "D", "E", "F"}

// The caps, one place. Each names the grade a problem allows at most.
const (
	capLegacyTLS     = "B" // TLS 1.0 or 1.1 offered
	capNoFS          = "B" // no suite with forward secrecy
	capNoAEAD        = "B" // no AEAD suite
	capDHUnder2048   = "B" // DHE group under dhWarnBits
	capWeakCurve     = "B" // ECDHE curve under ecWarnBits
	capRSAUnder2048  = "B" // certificate key
	capSSLv3         = "C" // POODLE
	capNoModern      = "C" // neither TLS 1.2 nor 1.3
	capRC4           = "C"
	cap64BitBlock    = "C" // 3DES, IDEA: Sweet32
	capCompression   = "C" // CRIME
	capNoSecureReneg = "C" // RFC 5746 missing
	capCommonDH1024  = "C" // Logjam precomputation target
	capSSLv2         = "F"
	capBroken        = "F" // NULL, anonymous, export, DES suites
	capDHBroken      = "F" // DHE under dhFailBits, composite, small subgroup
	capRSAUnder1024  = "F"
)

func gradeOf(e *Enumeration, f *CertFacts) Grade {
	var caps []string
	add := func(grade, why string) {
		c := grade + ": " + why
		if !slices.Contains(caps, c) {
			caps = append(caps, c)
		}
	}
	fs, aead, modern := false, false, false
	for _, v := range e.Versions {
		if !v.Offered {
			continue
		}
		switch v.Version {
		case VersionSSL20:
			add(capSSLv2, "SSLv2 offered")
		case VersionSSL30:
			add(capSSLv3, "SSLv3 offered")
		case VersionTLS10, VersionTLS11:
			add(capLegacyTLS, v.Version.String()+" offered")
		default:
			modern = true
		}
		if len(v.SSLv2) > 0 {
			add(capBroken, "SSLv2 cipher specs")
		}
		for _, c := range v.Suites {
			s, _ := LookupSuite(c)
			fs = fs || s.ForwardSecret()
			aead = aead || s.AEAD()
			for _, r := range s.Reasons() {
				switch {
				case r == "no encryption" || strings.HasPrefix(r, "anonymous") || r == "export-grade" || r == "DES":
					add(capBroken, r+" suite ("+s.Name+")")
				case r == "RC4":
					add(capRC4, "RC4 suite")
				case strings.Contains(r, "64-bit blocks"):
					add(cap64BitBlock, "64-bit block cipher suite (Sweet32)")
				}
			}
		}
		if v.Compression {
			add(capCompression, "TLS compression (CRIME)")
		}
		if v.SecureReneg != nil && !*v.SecureReneg {
			add(capNoSecureReneg, "no secure renegotiation")
		}
	}
	if !modern {
		add(capNoModern, "neither TLS 1.2 nor 1.3")
	}
	if !fs {
		add(capNoFS, "no forward secrecy")
	}
	if !aead {
		add(capNoAEAD, "no AEAD suite")
	}
	for _, k := range e.KeyExchanges {
		switch {
		case k.Kind == "DHE" && (k.Bits < dhFailBits || k.Prime != nil && !*k.Prime || k.SmallOrderG):
			add(capDHBroken, fmt.Sprintf("broken DHE group (%d bits)", k.Bits))
		case k.Kind == "DHE" && k.Group != "" && k.Bits <= dhCommonFailBits:
			add(capCommonDH1024, "widely shared 1024-bit DHE group (Logjam)")
		case k.Kind == "DHE" && k.Bits < dhWarnBits:
			add(capDHUnder2048, fmt.Sprintf("DHE group of %d bits", k.Bits))
		case weakCurve(k):
			add(capWeakCurve, "ECDHE curve "+k.Group)
		}
	}
	if f.KeyType == "RSA" && f.KeyBits < 1024 {
		add(capRSAUnder1024, fmt.Sprintf("RSA key of %d bits", f.KeyBits))
	} else if f.KeyType == "RSA" && f.KeyBits < 2048 {
		add(capRSAUnder2048, fmt.Sprintf("RSA key of %d bits", f.KeyBits))
	}
	g := Grade{Grade: "A", Caps: []string{}}
	for _, c := range caps {
		if letter, _, _ := strings.Cut(c, ": "); slices.Index(gradeOrder, letter) > slices.Index(gradeOrder, g.Grade) {
			g.Grade = letter
		}
	}
	slices.SortStableFunc(caps, func(a, b string) int {
		return slices.Index(gradeOrder, b[:1]) - slices.Index(gradeOrder, a[:1])
	})
	var trust []string
	switch {
	case !f.Trusted:
		trust = append(trust, "untrusted")
	case f.Expired:
		trust = append(trust, "expired")
	case f.NotYetValid:
		trust = append(trust, "not yet valid")
	}
	if !f.HostnameMatch {
		trust = append(trust, "host name mismatch")
	}
	if f.LeafIsCA && !f.SelfSigned || len(f.UsageProblems) > 0 {
		trust = append(trust, "not a server certificate")
	}
	if len(f.WeakSignatures) > 0 && f.Trusted {
		trust = append(trust, "SHA-1/MD5 signature")
	}
	if len(trust) > 0 {
		g.IgnoringTrust = g.Grade
		g.Grade = "T"
		caps = append([]string{"T: certificate " + strings.Join(trust, ", ")}, caps...)
	}
	g.Caps = append(g.Caps, caps...)
	return g
}
