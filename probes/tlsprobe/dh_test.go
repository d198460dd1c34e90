package tlsprobe

import (
	"crypto/rand"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/selfassess/selfassess/probes"
)

// The computed RFC 2409/3526 and RFC 7919 groups must be safe primes of
// their size, starting with the π (MODP: C90FDAA2 2168C234) or e (ffdhe:
// ADF85458 A2BB4A9A) digits they are built from: a wrong constant or digit
// gives a composite. analyseDH trusts them without testing, so this is
// what makes that shortcut safe.
func TestKnownGroupsAreSafePrimes(t *testing.T) {
	if got := len(modpGroups()); got != 6 {
		t.Fatalf("%d known groups", got)
	}
	for _, g := range modpGroups() {
		h := strings.ToUpper(g.p.Text(16))
		prefix := "FFFFFFFFFFFFFFFFC90FDAA22168C234"
		if strings.Contains(g.name, "ffdhe") {
			prefix = "FFFFFFFFFFFFFFFFADF85458A2BB4A9A"
		}
		if !strings.HasPrefix(h, prefix) || !strings.HasSuffix(h, "FFFFFFFFFFFFFFFF") {
			t.Errorf("%s: %s…", g.name, h[:32])
		}
		q := new(big.Int).Rsh(g.p, 1)
		if !g.p.ProbablyPrime(10) || !q.ProbablyPrime(10) {
			t.Errorf("%s is not a safe prime", g.name)
		}
		var k KeyExchange
		analyseDH(&k, g.p, big.NewInt(2))
		if k.Prime == nil || !*k.Prime || k.SafePrime == nil || !*k.SafePrime || k.SmallOrderG || k.Group != g.name {
			t.Errorf("%s: %+v", g.name, k)
		}
	}
}

func TestAnalyseDH(t *testing.T) {
	p, _ := rand.Prime(rand.Reader, 512)
	var k KeyExchange
	analyseDH(&k, new(big.Int).Mul(p, p), big.NewInt(2))
	if *k.Prime {
		t.Errorf("p² reported prime")
	}
	k = KeyExchange{}
	analyseDH(&k, p, new(big.Int).Sub(p, big.NewInt(1)))
	if !k.SmallOrderG {
		t.Errorf("g = p-1 (order 2) not flagged")
	}
	sp, g := smallSubgroupPrime(t, 1024, 65537)
	k = KeyExchange{}
	analyseDH(&k, sp, g)
	if !k.SmallOrderG || *k.SafePrime {
		t.Errorf("generator of order 65537 not flagged: %+v", k)
	}
}

// smallSubgroupPrime returns a prime p of bits bits with r | p-1 and a
// generator of the subgroup of order r.
func smallSubgroupPrime(t testing.TB, bits int, r int64) (*big.Int, *big.Int) {
	t.Helper()
	br := big.NewInt(r)
	for range 100000 {
		k, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), uint(bits-18)))
		k.SetBit(k, bits-18, 1)
		p := new(big.Int).Mul(k, br)
		p.Lsh(p, 1).Add(p, big.NewInt(1))
		if p.BitLen() != bits || !p.ProbablyPrime(20) {
			continue
		}
		e := new(big.Int).Quo(new(big.Int).Sub(p, big.NewInt(1)), br)
		for h := int64(2); h < 100; h++ {
			g := new(big.Int).Exp(big.NewInt(h), e, p)
			if g.Cmp(big.NewInt(1)) != 0 {
				return p, g
			}
		}
	}
	t.Fatal("no prime found")
	return nil, nil
}

func modp(t testing.TB, bits int) *big.Int {
	t.Helper()
	for _, g := range modpGroups() {
		if g.p.BitLen() == bits {
			return g.p
		}
	}
	t.Fatalf("no %d-bit MODP group", bits)
	return nil
}

// DH groups and curves from the ServerKeyExchange (issue 12 item 23, with
// nmap's ssl-dh-params as the reference). A Go raw server, because OpenSSL
// 3 refuses groups under 1024 bits and composite or small-order groups.
func TestDHGroupChecks(t *testing.T) {
	weak480, _ := rand.Prime(rand.Reader, 480)
	q1, _ := rand.Prime(rand.Reader, 1024)
	q2, _ := rand.Prime(rand.Reader, 1024)
	composite := new(big.Int).Mul(q1, q2)
	smallP, smallG := smallSubgroupPrime(t, 2048, 65537)
	two := big.NewInt(2)
	dheGCM := []uint16{0x009f, 0x009e} // DHE_RSA_WITH_AES_{256,128}_GCM
	cases := []struct {
		name   string
		p, g   *big.Int
		suites []uint16
		curve  uint16
		status probes.Status
		rules  []string
		group  string
	}{
		{"480-bit group", weak480, two, dheGCM, 0, probes.Fail, []string{"tls-dh-weak-group", "tls-dh-unsafe-prime"}, ""},
		{"Oakley group 2, 1024 bits, widely shared", modp(t, 1024), two, dheGCM, 0, probes.Fail, []string{"tls-dh-common-group"}, "RFC 2409 Oakley group 2 (1024-bit MODP)"},
		{"1536-bit MODP group", modp(t, 1536), two, dheGCM, 0, probes.Warn, []string{"tls-dh-weak-group"}, "RFC 3526 group 5 (1536-bit MODP)"},
		{"2048-bit MODP group", modp(t, 2048), two, dheGCM, 0, probes.Pass, nil, "RFC 3526 group 14 (2048-bit MODP)"},
		{"composite modulus", composite, two, dheGCM, 0, probes.Fail, []string{"tls-dh-composite-modulus"}, ""},
		{"generator of order 65537", smallP, smallG, dheGCM, 0, probes.Fail, []string{"tls-dh-small-subgroup"}, ""},
		{"ECDHE secp224r1", nil, nil, []uint16{0xc02f}, 0x0015, probes.Warn, []string{"tls-ecdh-weak-curve"}, "secp224r1"},
		{"ECDHE x25519", nil, nil, []uint16{0xc02f}, 0x001d, probes.Pass, nil, "x25519"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := startRaw(t, fakeServer{
				versions: []Version{VersionTLS12},
				suites:   map[Version][]uint16{VersionTLS12: tc.suites},
				dhP:      tc.p, dhG: tc.g, curve: tc.curve,
			}.serve)
			r := runFamily(t, "https://"+addr, probes.Config{})["tls.ciphers"]
			obs := r.Observed.(CiphersObserved)
			if r.Status != tc.status || !slices.Equal(rules(r), tc.rules) {
				t.Errorf("got %s %v %+v, want %s %v", r.Status, rules(r), r.Findings, tc.status, tc.rules)
			}
			if len(obs.KeyExchange) != 1 || obs.KeyExchange[0].Group != tc.group || obs.KeyExchange[0].Versions[0] != "TLS1.2" {
				t.Errorf("key exchange = %+v", obs.KeyExchange)
			}
			if tc.p != nil && obs.KeyExchange[0].Bits != tc.p.BitLen() {
				t.Errorf("bits = %d, want %d", obs.KeyExchange[0].Bits, tc.p.BitLen())
			}
		})
	}
}

// A server with only DHE suites and a group of its own must refuse DHE
// when the hello lists ffdhe groups (RFC 7919 §4). It is a TLS 1.2
// server all the same (issue 12 item 24).
func TestDHEWithoutFFDHEGroups(t *testing.T) {
	addr := startRaw(t, fakeServer{
		versions: []Version{VersionTLS12},
		suites:   map[Version][]uint16{VersionTLS12: {0x009f, 0x009e}},
		dhP:      modp(t, 2048), dhG: big.NewInt(2),
		rfc7919: true,
	}.serve)
	rs := runFamily(t, "https://"+addr, probes.Config{})
	v := rs["tls.versions"]
	if v.Status != probes.Pass || v.Summary != "offered: TLS1.2" {
		t.Fatalf("tls.versions = %s %q", v.Status, v.Summary)
	}
	c := rs["tls.ciphers"]
	got := suiteNames(t, c, "TLS1.2")
	if !slices.Equal(got, []string{"TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"}) {
		t.Errorf("TLS1.2 suites = %v", got)
	}
	obs := c.Observed.(CiphersObserved)
	if !obs.Versions[0].DHEWithoutFFDHE || len(obs.KeyExchange) != 1 || obs.KeyExchange[0].Bits != 2048 {
		t.Errorf("observed = %+v", obs)
	}
}
