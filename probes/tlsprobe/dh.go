package tlsprobe

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
)

// Key-exchange thresholds, one place each (issue 12 item 23; nmap's
// ssl-dh-params and weakdh.org are the reference for the DH checks).
const (
	// dhFailBits: a DH group below this is broken by academic budgets.
	dhFailBits = 1024
	// dhWarnBits: below this a DH group is short of the 112-bit security
	// NIST SP 800-57 asks for.
	dhWarnBits = 2048
	// dhCommonFailBits: a widely shared group this small is a target for
	// one precomputation that then breaks every server using it (Logjam).
	dhCommonFailBits = 1024
	// ecWarnBits: curves below this give less than 128-bit security.
	ecWarnBits = 256
	// smoothBound: prime factors of p-1 below this count as "small" when
	// looking for a generator of small order.
	smoothBound = 1 << 17
)

const hsServerKeyExchange = 12

// KeyExchange is the ephemeral key exchange one ServerKeyExchange showed.
type KeyExchange struct {
	Versions []string `json:"versions"`
	Suite    string   `json:"suite"`
	Kind     string   `json:"kind"`            // "DHE" or "ECDHE"
	Group    string   `json:"group,omitempty"` // curve, or a known DH group's name
	Bits     int      `json:"bits"`
	// DHE only.
	Generator   string `json:"generator,omitempty"` // decimal, or "<N bits>"
	Prime       *bool  `json:"prime,omitempty"`
	SafePrime   *bool  `json:"safe_prime,omitempty"`
	SmallOrderG bool   `json:"small_order_generator,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"` // sha256 of p, first 16 hex digits
	// ECDHE with explicit curve parameters (RFC 8422 deprecates them).
	ExplicitCurve bool `json:"explicit_curve,omitempty"`
}

// kexKind says which ServerKeyExchange a suite's key exchange sends: "DHE",
// "ECDHE" or "" (none, or a PSK variant whose message carries a hint first).
func kexKind(code uint16) string {
	s, ok := LookupSuite(code)
	if !ok || s.MinVersion == VersionTLS13 || strings.Contains(s.Name, "PSK") {
		return ""
	}
	switch {
	case strings.Contains(s.Name, "_DHE_") || strings.Contains(s.Name, "_DH_anon_"):
		return "DHE"
	case strings.Contains(s.Name, "_ECDHE_") || strings.Contains(s.Name, "_ECDH_anon_"):
		return "ECDHE"
	}
	return ""
}

var curveNames = map[uint16]struct {
	name string
	bits int
}{
	0x0013: {"secp192r1", 192}, 0x0015: {"secp224r1", 224}, 0x0016: {"secp256k1", 256},
	0x0017: {"secp256r1", 256}, 0x0018: {"secp384r1", 384}, 0x0019: {"secp521r1", 521},
	0x001a: {"brainpoolP256r1", 256}, 0x001b: {"brainpoolP384r1", 384}, 0x001c: {"brainpoolP512r1", 512},
	0x001d: {"x25519", 255}, 0x001e: {"x448", 448},
	0x001f: {"brainpoolP256r1tls13", 256}, 0x0020: {"brainpoolP384r1tls13", 384}, 0x0021: {"brainpoolP512r1tls13", 512},
}

// groups13 names the other TLS Supported Groups a TLS 1.3 server may
// select: the RFC 7919 finite-field groups and the ECDHE+ML-KEM hybrids.
// A hybrid has no one size: its bits are left 0, as for an unknown group.
var groups13 = map[uint16]struct {
	kind, name string
	bits       int
}{
	0x0100: {"DHE", "ffdhe2048", 2048}, 0x0101: {"DHE", "ffdhe3072", 3072}, 0x0102: {"DHE", "ffdhe4096", 4096},
	0x0103: {"DHE", "ffdhe6144", 6144}, 0x0104: {"DHE", "ffdhe8192", 8192},
	0x11eb: {"ECDHE", "SecP256r1MLKEM768", 0}, 0x11ec: {"ECDHE", "X25519MLKEM768", 0}, 0x11ed: {"ECDHE", "SecP384r1MLKEM1024", 0},
}

// groupCode writes a group id the tables do not name: "0x001D".
func groupCode(id uint16) string { return fmt.Sprintf("0x%04X", id) }

// namedGroup13 is the key exchange of the group a TLS 1.3 server selected
// (its IANA registry name). An unknown id is named by its code and counted
// as ECDHE, as an unknown named curve in a ServerKeyExchange is.
func namedGroup13(id uint16) KeyExchange {
	if c, ok := curveNames[id]; ok {
		return KeyExchange{Kind: "ECDHE", Group: c.name, Bits: c.bits}
	}
	if g, ok := groups13[id]; ok {
		return KeyExchange{Kind: g.kind, Group: g.name, Bits: g.bits}
	}
	return KeyExchange{Kind: "ECDHE", Group: groupCode(id)}
}

// weakCurve is the one rule for an ECDHE curve, whatever the version:
// under ecWarnBits, x25519 (128-bit security in 255 bits) excepted.
func weakCurve(k KeyExchange) bool {
	return k.Kind == "ECDHE" && k.Bits > 0 && k.Bits < ecWarnBits && k.Group != "x25519"
}

// parseSKE reads the parameters at the start of a ServerKeyExchange body
// (RFC 5246 7.4.3, RFC 8422 5.4); the signature after them is not needed.
func parseSKE(kind string, body []byte) (KeyExchange, *big.Int, *big.Int, error) {
	p := parser{b: body}
	k := KeyExchange{Kind: kind}
	switch kind {
	case "DHE":
		prime := new(big.Int).SetBytes(p.take(int(p.u16())))
		gen := new(big.Int).SetBytes(p.take(int(p.u16())))
		p.take(int(p.u16())) // Ys
		if p.err != nil || prime.Sign() == 0 {
			return k, nil, nil, errors.New("malformed DHE ServerKeyExchange")
		}
		k.Bits = prime.BitLen()
		return k, prime, gen, nil
	case "ECDHE":
		switch p.u8() {
		case 3: // named_curve
			id := p.u16()
			if p.err != nil {
				break
			}
			if c, ok := curveNames[id]; ok {
				k.Group, k.Bits = c.name, c.bits
			} else {
				k.Group = groupCode(id)
			}
			return k, nil, nil, nil
		case 1, 2: // explicit_prime, explicit_char2
			k.ExplicitCurve, k.Group = true, "explicit parameters"
			return k, nil, nil, nil
		}
	}
	return k, nil, nil, errors.New("malformed " + kind + " ServerKeyExchange")
}

// analyseDH fills k's DH facts: primality, safe prime, known group, and
// whether g generates a subgroup of smooth (small-factor) order, where
// discrete logarithms are easy (small-subgroup confinement).
func analyseDH(k *KeyExchange, p, g *big.Int) {
	sum := sha256.Sum256(p.Bytes())
	k.Fingerprint = hex.EncodeToString(sum[:8])
	if g.BitLen() <= 64 {
		k.Generator = g.String()
	} else {
		k.Generator = "<" + big.NewInt(int64(g.BitLen())).String() + " bits>"
	}
	one := big.NewInt(1)
	pm1 := new(big.Int).Sub(p, one)
	k.SmallOrderG = g.Cmp(one) <= 0 || g.Cmp(pm1) >= 0 // 0, 1, p-1 (order 2) or out of range
	if name := knownGroup(p); name != "" {
		// a published safe prime (the tests prove it): its only small
		// subgroups are {1} and {1, p-1}, checked above. Skipping the
		// primality tests saves ~50 ms of CPU per 2048-bit group.
		k.Group = name
		t := true
		k.Prime, k.SafePrime = &t, &t
		return
	}
	// BPSW (ProbablyPrime(0)): no known counterexample, a third of the
	// cost of adding Miller-Rabin rounds.
	isPrime := p.ProbablyPrime(0)
	k.Prime = &isPrime
	if !isPrime || k.SmallOrderG {
		return
	}
	q := new(big.Int).Rsh(p, 1)
	safe := q.ProbablyPrime(0)
	k.SafePrime = &safe
	if safe {
		return // subgroups of order 1, 2, q, 2q only; g is neither 1 nor p-1
	}
	// s: the smooth part of p-1. If g^s = 1, the order of g divides s.
	s := big.NewInt(1)
	rest := new(big.Int).Set(pm1)
	r, m := new(big.Int), new(big.Int)
	for _, f := range smallPrimes() {
		bf := big.NewInt(int64(f))
		for {
			r.QuoRem(rest, bf, m)
			if m.Sign() != 0 {
				break
			}
			rest.Set(r)
			s.Mul(s, bf)
		}
	}
	if new(big.Int).Exp(g, s, p).Cmp(one) == 0 {
		k.SmallOrderG = true
	}
}

var smallPrimes = sync.OnceValue(func() []int {
	sieve := make([]bool, smoothBound)
	var out []int
	for i := 2; i < smoothBound; i++ {
		if sieve[i] {
			continue
		}
		out = append(out, i)
		for j := i * i; j < smoothBound; j += i {
			sieve[j] = true
		}
	}
	return out
})

// knownGroup names p when it is one of the widely shared MODP groups of
// RFC 2409 and RFC 3526, p = 2^n - 2^(n-64) - 1 + 2^64 * (⌊2^(n-130) π⌋ + k),
// or an RFC 7919 ffdhe group, the same with e for π. They are computed,
// not copied, from π, e and each group's constant.
func knownGroup(p *big.Int) string {
	for _, g := range modpGroups() {
		if g.p.Cmp(p) == 0 {
			return g.name
		}
	}
	return ""
}

type namedGroup struct {
	name string
	p    *big.Int
}

var modpGroups = sync.OnceValue(func() []namedGroup {
	const prec = 4096
	pi, e := piFixed(prec), eFixed(prec) // ·2^prec, truncated
	// The RFC 2409/3526 primes are built from π, RFC 7919's from e.
	defs := []struct {
		name string
		c    *big.Int
		bits uint
		k    int64
	}{
		{"RFC 2409 Oakley group 1 (768-bit MODP)", pi, 768, 149686},
		{"RFC 2409 Oakley group 2 (1024-bit MODP)", pi, 1024, 129093},
		{"RFC 3526 group 5 (1536-bit MODP)", pi, 1536, 741804},
		{"RFC 3526 group 14 (2048-bit MODP)", pi, 2048, 124476},
		{"RFC 7919 ffdhe2048", e, 2048, 560316},
		{"RFC 7919 ffdhe3072", e, 3072, 2625351},
	}
	group := func(c *big.Int, n uint, k int64) *big.Int {
		p := new(big.Int).Lsh(big.NewInt(1), n)
		p.Sub(p, new(big.Int).Lsh(big.NewInt(1), n-64))
		p.Sub(p, big.NewInt(1))
		t := new(big.Int).Rsh(c, prec-(n-130)) // ⌊2^(n-130) c⌋
		t.Add(t, big.NewInt(k))
		return p.Add(p, t.Lsh(t, 64))
	}
	out := make([]namedGroup, 0, len(defs))
	for _, d := range defs {
		out = append(out, namedGroup{d.name, group(d.c, d.bits, d.k)})
	}
	return out
})

// eFixed returns ⌊e·2^bits⌋ (Σ 1/k! with guard bits).
func eFixed(bits uint) *big.Int {
	const guard = 64
	term := new(big.Int).Lsh(big.NewInt(1), bits+guard)
	sum := new(big.Int)
	for k := int64(1); term.Sign() != 0; k++ {
		sum.Add(sum, term)
		term.Quo(term, big.NewInt(k))
	}
	return sum.Rsh(sum, guard)
}

// piFixed returns ⌊π·2^bits⌋ (Machin's formula with guard bits).
func piFixed(bits uint) *big.Int {
	const guard = 64
	one := new(big.Int).Lsh(big.NewInt(1), bits+guard)
	atanInv := func(x int64) *big.Int {
		// arctan(1/x) = Σ (-1)^k / ((2k+1) x^(2k+1))
		sum := new(big.Int)
		term := new(big.Int).Quo(one, big.NewInt(x))
		x2 := big.NewInt(x * x)
		for k := int64(0); term.Sign() != 0; k++ {
			t := new(big.Int).Quo(term, big.NewInt(2*k+1))
			if k%2 == 0 {
				sum.Add(sum, t)
			} else {
				sum.Sub(sum, t)
			}
			term.Quo(term, x2)
		}
		return sum
	}
	pi := new(big.Int).Mul(atanInv(5), big.NewInt(16))
	pi.Sub(pi, new(big.Int).Mul(atanInv(239), big.NewInt(4)))
	return pi.Rsh(pi, guard)
}
