package tlsprobe

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/probes/tlsprobe/oracle"
)

// tls13Reply sends one TLS 1.3 hello as the enumeration does and returns
// the answer: the tests check their own premise (ServerHello or
// HelloRetryRequest) with it.
func tls13Reply(t *testing.T, addr string) *ServerHello {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	p := &prober{ep: Endpoint{Host: host, Port: port}, opt: Options{Timeout: 5 * time.Second}, sem: make(chan struct{}, 1)}
	r, err := p.exchange(context.Background(), buildHello(helloSpec{Version: VersionTLS13, Suites: candidates(VersionTLS13)}), false, false)
	if err != nil || r.Hello == nil {
		t.Fatalf("TLS 1.3 hello: %+v %v", r, err)
	}
	return r.Hello
}

// tls13Kex returns the key exchanges tls.ciphers observed at TLS 1.3.
func tls13Kex(r probes.Result) []KeyExchange {
	var out []KeyExchange
	for _, k := range r.Observed.(CiphersObserved).KeyExchange {
		if slices.Contains(k.Versions, "TLS1.3") {
			out = append(out, k)
		}
	}
	return out
}

// The group a TLS 1.3 server selects is in its ServerHello's key_share, or
// in the selected_group of a HelloRetryRequest when our hello's one key
// share (x25519) is not a group the server takes (RFC 8446 4.2.8). A Go
// server limited to one group must be observed with exactly that group.
func TestTLS13GroupFromGoServer(t *testing.T) {
	ca := newCA(t, "TLS 1.3 group CA")
	cert := ca.leaf(t, leafOpts{hosts: []string{"127.0.0.1"}})
	cases := []struct {
		curve tls.CurveID
		hrr   bool // the server's only group is not our key share's
		group string
		bits  int
	}{
		{tls.CurveP384, true, "secp384r1", 384},
		{tls.X25519, false, "x25519", 255},
		{tls.CurveP521, true, "secp521r1", 521},
		{tls.CurveP256, true, "secp256r1", 256},
	}
	for _, tc := range cases {
		t.Run(tc.group, func(t *testing.T) {
			addr := startGoTLS(t, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13,
				CurvePreferences: []tls.CurveID{tc.curve}})
			if sh := tls13Reply(t, addr); sh.HRR != tc.hrr {
				t.Fatalf("HelloRetryRequest = %v, the test expects %v", sh.HRR, tc.hrr)
			}
			rs := runFamily(t, "https://"+addr, probes.Config{RootCAs: ca.pool})
			r := rs["tls.ciphers"]
			obs := r.Observed.(CiphersObserved)
			if len(obs.KeyExchange) != 1 {
				t.Fatalf("key exchange = %+v, want one TLS 1.3 group", obs.KeyExchange)
			}
			k := obs.KeyExchange[0]
			if k.Kind != "ECDHE" || k.Group != tc.group || k.Bits != tc.bits || !slices.Equal(k.Versions, []string{"TLS1.3"}) {
				t.Errorf("key exchange = %+v, want ECDHE %s %d bits on TLS1.3", k, tc.group, tc.bits)
			}
			if !slices.Contains(suiteNames(t, r, "TLS1.3"), k.Suite) {
				t.Errorf("suite %q is not among the accepted TLS 1.3 suites %v", k.Suite, suiteNames(t, r, "TLS1.3"))
			}
			if r.Status != probes.Pass || !strings.HasSuffix(r.Summary, "; ECDHE "+tc.group) {
				t.Errorf("tls.ciphers = %s %q", r.Status, r.Summary)
			}
			if g := rs["tls.versions"].Observed.(VersionsObserved).Grade; g == nil || g.Grade != "A" {
				t.Errorf("grade = %+v", g)
			}
		})
	}
}

// Our hellos offer no post-quantum hybrid: a server that prefers
// X25519MLKEM768 is seen with the classical group it falls back to (the
// README says so).
func TestTLS13GroupHybridServerFallsBack(t *testing.T) {
	ca := newCA(t, "TLS 1.3 group CA")
	cert := ca.leaf(t, leafOpts{hosts: []string{"127.0.0.1"}})
	addr := startGoTLS(t, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13,
		CurvePreferences: []tls.CurveID{tls.X25519MLKEM768, tls.CurveP384}})
	ks := tls13Kex(runFamily(t, "https://"+addr, probes.Config{RootCAs: ca.pool})["tls.ciphers"])
	if len(ks) != 1 || ks[0].Group != "secp384r1" {
		t.Errorf("key exchange = %+v, want secp384r1", ks)
	}
}

// A server that supports TLS 1.2 and 1.3 with one curve: one entry, both
// versions, as the TLS 1.2 groups of several versions are merged.
func TestTLS13GroupMergesWithTLS12(t *testing.T) {
	ca := newCA(t, "TLS 1.3 group CA")
	cert := ca.leaf(t, leafOpts{hosts: []string{"127.0.0.1"}})
	addr := startGoTLS(t, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12,
		CurvePreferences: []tls.CurveID{tls.CurveP384}})
	r := runFamily(t, "https://"+addr, probes.Config{RootCAs: ca.pool})["tls.ciphers"]
	obs := r.Observed.(CiphersObserved)
	if len(obs.KeyExchange) != 1 || obs.KeyExchange[0].Group != "secp384r1" ||
		!slices.Equal(obs.KeyExchange[0].Versions, []string{"TLS1.2", "TLS1.3"}) {
		t.Errorf("key exchange = %+v", obs.KeyExchange)
	}
}

// The TLS 1.3 group is judged by the rules of the TLS 1.2 ECDHE curves and
// DH groups, on either path (ServerHello key_share, HelloRetryRequest
// selected_group); names follow the IANA TLS Supported Groups registry.
// secp224r1 is in our supported_groups; the other ids are not, and a real
// server would not pick them: the raw server does, to test the names.
func TestTLS13GroupNamesAndJudgement(t *testing.T) {
	cases := []struct {
		id     uint16
		kind   string
		group  string
		bits   int
		status probes.Status
		rules  []string
	}{
		{0x0015, "ECDHE", "secp224r1", 224, probes.Warn, []string{"tls-ecdh-weak-curve"}},
		{0x001e, "ECDHE", "x448", 448, probes.Pass, nil},
		{0x0101, "DHE", "ffdhe3072", 3072, probes.Pass, nil},
		{0x0104, "DHE", "ffdhe8192", 8192, probes.Pass, nil},
		{0x11ec, "ECDHE", "X25519MLKEM768", 0, probes.Pass, nil},
		{0x11eb, "ECDHE", "SecP256r1MLKEM768", 0, probes.Pass, nil},
		{0x11ed, "ECDHE", "SecP384r1MLKEM1024", 0, probes.Pass, nil},
		{0x7a7a, "ECDHE", "0x7A7A", 0, probes.Pass, nil},
	}
	for _, hrr := range []bool{false, true} {
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%s hrr=%v", tc.group, hrr), func(t *testing.T) {
				addr := startRaw(t, fakeServer{
					versions: []Version{VersionTLS13},
					suites:   map[Version][]uint16{VersionTLS13: {0x1302, 0x1301}},
					hrr:      hrr, group13: tc.id,
				}.serve)
				r := runFamily(t, "https://"+addr, probes.Config{})["tls.ciphers"]
				ks := tls13Kex(r)
				want := KeyExchange{Versions: []string{"TLS1.3"}, Suite: "TLS_AES_256_GCM_SHA384", Kind: tc.kind, Group: tc.group, Bits: tc.bits}
				if len(ks) != 1 || fmt.Sprint(ks[0]) != fmt.Sprint(want) {
					t.Errorf("key exchange = %+v, want %+v", ks, want)
				}
				if r.Status != tc.status || !slices.Equal(rules(r), tc.rules) {
					t.Errorf("got %s %v %+v, want %s %v", r.Status, rules(r), r.Findings, tc.status, tc.rules)
				}
				for _, f := range r.Findings {
					if !strings.HasSuffix(f.Message, "on TLS1.3") {
						t.Errorf("finding does not name the version: %q", f.Message)
					}
				}
			})
		}
	}
}

// The grade caps a weak TLS 1.3 curve as it caps a weak TLS 1.2 one.
func TestTLS13WeakCurveCapsGrade(t *testing.T) {
	addr := startRaw(t, fakeServer{
		versions: []Version{VersionTLS13},
		suites:   map[Version][]uint16{VersionTLS13: {0x1301}},
		group13:  0x0015,
	}.serve)
	host, port, _ := net.SplitHostPort(addr)
	e, err := Enumerate(context.Background(), Endpoint{Host: host, Port: port}, Options{Timeout: 5 * time.Second, PerHost: 2})
	if err != nil {
		t.Fatal(err)
	}
	g := gradeOf(e, &CertFacts{Trusted: true, HostnameMatch: true, KeyType: "ECDSA", KeyBits: 256})
	if g.Grade != capWeakCurve || !slices.Contains(g.Caps, capWeakCurve+": ECDHE curve secp224r1") {
		t.Errorf("grade = %+v", g)
	}
}

// TestInteropTLS13GroupMatchesSSLScan: the group openssl s_server selects
// at TLS 1.3, against sslscan's "Server Key Exchange Group(s)".
//
// Where sslscan and we differ, RFC 8446 4.2.8 settles it:
//   - sslscan lists every group the server accepts, offering each alone;
//     we record the one the server selects for our hello. Both are right:
//     a ServerHello carries exactly one KeyShareEntry, "in the same group
//     as the KeyShareEntry value offered by the client that the server has
//     selected", and an HRR's selected_group is "the mutually supported
//     group the server intends to negotiate" (4.2.8): one group protects
//     the session, and it must be among the groups the server accepts.
//   - sslscan's group bits column says 260 for secp521r1 and 112 for
//     ffdhe2048: its estimate of security strength, not the group's size.
//     RFC 8446 4.2.8.2 makes a secp521r1 key share an uncompressed point
//     of two 66-octet coordinates (the 521-bit curve), and 4.2.8.1 an
//     ffdhe share as long as its 2048-bit prime: the sizes we record, and
//     those sslscan's own handshakes report (its cipher lines' ecdhebits
//     and dhebits). x25519 is the exception, explained at the comparison.
func TestInteropTLS13GroupMatchesSSLScan(t *testing.T) {
	oracle.Require(t, "openssl", "sslscan")
	pki := newInteropPKI(t)
	cases := []struct {
		groups string // s_server -groups
		id     string // what we must observe
		name   string
		kind   string
		bits   int
	}{
		{"P-521", "0x0019", "secp521r1", "ECDHE", 521},
		{"ffdhe2048", "0x0100", "ffdhe2048", "DHE", 2048},
		{"X448", "0x001E", "x448", "ECDHE", 448},
		// two groups: sslscan lists both; we see the one selected
		{"P-521:X25519", "", "", "ECDHE", 0},
	}
	for _, tc := range cases {
		t.Run(tc.groups, func(t *testing.T) {
			addr := startInterop(t, interopServer{name: tc.groups, start: opensslServer("-tls1_3", "-groups", tc.groups)}, pki)
			r := runFamily(t, "https://"+addr, probes.Config{RootCAs: pki.ca.pool})["tls.ciphers"]
			ks := tls13Kex(r)
			if len(ks) != 1 {
				t.Fatalf("TLS 1.3 key exchange = %+v, want one group", ks)
			}
			k := ks[0]

			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			scan, err := oracle.SSLScanGroups(ctx, addr)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			var match *oracle.Group
			for i, g := range scan {
				if g.Version != "TLS1.3" {
					continue
				}
				ids = append(ids, g.ID)
				if g.ID == groupID(k) {
					match = &scan[i]
				}
			}
			t.Logf("sslscan: %+v; selfassess: %+v", scan, k)
			if match == nil {
				t.Fatalf("selfassess observed %s (%s), sslscan's TLS 1.3 groups are %v", k.Group, groupID(k), ids)
			}
			if k.Kind != tc.kind || !strings.HasPrefix(match.Name, k.Group) {
				t.Errorf("selfassess names %s %s, sslscan %q", k.Kind, k.Group, match.Name)
			}
			if tc.id != "" {
				if !slices.Equal(ids, []string{tc.id}) || k.Group != tc.name || k.Bits != tc.bits {
					t.Errorf("sslscan %v, selfassess %s %d bits; the server has only %s", ids, k.Group, k.Bits, tc.name)
				}
			} else if len(ids) != strings.Count(tc.groups, ":")+1 {
				t.Errorf("sslscan lists %v for -groups %s", ids, tc.groups)
			}
			// x25519: sslscan's handshakes say 253 bits, we say 255. RFC
			// 8446 4.2.8.2 takes X25519 from RFC 7748, whose field is
			// 2^255-19 (32-byte shares); OpenSSL counts the bits of the
			// prime subgroup's order (2^252+...), 253. The field size is
			// what we record for every curve, TLS 1.2 included.
			want := k.Bits
			if k.Group == "x25519" {
				want = 253
			}
			if match.HandshakeBits != 0 && match.HandshakeBits != want {
				t.Errorf("sslscan's handshakes used %d bits of %s, selfassess says %d", match.HandshakeBits, match.Name, k.Bits)
			}
		})
	}
}

// groupID is the code point of an observed group, as sslscan writes it
// (the IANA registry, for the groups these servers have).
func groupID(k KeyExchange) string {
	return map[string]string{"secp521r1": "0x0019", "ffdhe2048": "0x0100", "x448": "0x001E", "x25519": "0x001D"}[k.Group]
}
