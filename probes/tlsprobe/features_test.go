package tlsprobe

import (
	"crypto/tls"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/selfassess/selfassess/probes"
)

// TLS compression (CRIME) and secure renegotiation (RFC 5746), read from
// the enumeration's ServerHellos (issue 12 item 28). Debian's OpenSSL 3 is
// built without zlib and always sends renegotiation_info, so the two bad
// cases need the raw server.
func TestCompressionAndRenegotiation(t *testing.T) {
	cases := []struct {
		name     string
		srv      fakeServer
		status   probes.Status
		rules    []string
		reneg    map[string]bool
		compress []string
	}{
		{"DEFLATE chosen", fakeServer{versions: []Version{VersionTLS12}, suites: map[Version][]uint16{VersionTLS12: {0xc02f}}, compress: true},
			probes.Fail, []string{"tls-compression"}, map[string]bool{"TLS1.2": true}, []string{"TLS1.2"}},
		{"no renegotiation_info", fakeServer{versions: []Version{VersionTLS12}, suites: map[Version][]uint16{VersionTLS12: {0xc02f}}, noReneg: true},
			probes.Warn, []string{"tls-no-secure-renegotiation"}, map[string]bool{"TLS1.2": false}, []string{}},
		{"neither", fakeServer{versions: []Version{VersionTLS12, VersionTLS13}, suites: map[Version][]uint16{VersionTLS12: {0xc02f}, VersionTLS13: {0x1301}}},
			probes.Pass, nil, map[string]bool{"TLS1.2": true}, []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := startRaw(t, tc.srv.serve)
			r := runFamily(t, "https://"+addr, probes.Config{})["tls.versions"]
			obs := r.Observed.(VersionsObserved)
			if r.Status != tc.status || !slices.Equal(rules(r), tc.rules) || !mapsEqual(obs.SecureRenegotiation, tc.reneg) || !slices.Equal(obs.Compression, tc.compress) {
				t.Errorf("got %s %q %v, observed %+v", r.Status, r.Summary, rules(r), obs)
			}
		})
	}
	t.Run("Go server", func(t *testing.T) {
		ca := newCA(t, "Reneg CA")
		addr := startGoTLS(t, &tls.Config{Certificates: []tls.Certificate{ca.leaf(t, leafOpts{hosts: []string{"127.0.0.1"}})}, MinVersion: tls.VersionTLS12})
		r := runFamily(t, "https://"+addr, probes.Config{RootCAs: ca.pool})["tls.versions"]
		obs := r.Observed.(VersionsObserved)
		if r.Status != probes.Pass || !obs.SecureRenegotiation["TLS1.2"] || len(obs.Compression) != 0 || strings.Contains(r.Summary, "renegotiation") {
			t.Errorf("got %s %q %+v", r.Status, r.Summary, obs)
		}
	})
}

func mapsEqual(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// The SSL Labs-style grade: each problem caps it, the lowest cap wins, a
// trust problem gives T (issue 12 item 28).
func TestGrade(t *testing.T) {
	ca := newCA(t, "Grade CA")
	other := newCA(t, "Untrusted Grade CA")
	good := ca.leaf(t, leafOpts{hosts: []string{"127.0.0.1"}, rsaBits: 2048})
	cases := []struct {
		name  string
		cfg   *tls.Config
		raw   *fakeServer
		grade string
		trust string
		caps  []string
	}{
		{"modern", &tls.Config{Certificates: []tls.Certificate{good}, MinVersion: tls.VersionTLS12}, nil, "A", "", []string{}},
		{"untrusted certificate", &tls.Config{Certificates: []tls.Certificate{other.leaf(t, leafOpts{hosts: []string{"127.0.0.1"}})}, MinVersion: tls.VersionTLS12}, nil,
			"T", "A", []string{"T: certificate untrusted"}},
		{"TLS 1.1 and CBC only", &tls.Config{Certificates: []tls.Certificate{good}, MinVersion: tls.VersionTLS11, MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA}}, nil,
			"B", "", []string{"B: TLS1.1 offered", "B: no forward secrecy", "B: no AEAD suite"}},
		{"480-bit DH group", nil, &fakeServer{versions: []Version{VersionTLS12}, suites: map[Version][]uint16{VersionTLS12: {0x009e}}, dhP: modp(t, 768), dhG: big.NewInt(2), chain: good.Certificate},
			"F", "", []string{"F: broken DHE group (768 bits)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var addr string
			if tc.raw != nil {
				addr = startRaw(t, tc.raw.serve)
			} else {
				addr = startGoTLS(t, tc.cfg)
			}
			r := runFamily(t, "https://"+addr, probes.Config{RootCAs: ca.pool})["tls.versions"]
			g := r.Observed.(VersionsObserved).Grade
			if g == nil || g.Grade != tc.grade || g.IgnoringTrust != tc.trust || !slices.Equal(g.Caps, tc.caps) ||
				!strings.HasPrefix(r.Findings[len(r.Findings)-1].Message, "SSL Labs-style grade "+tc.grade) {
				t.Errorf("got %q %+v", r.Summary, g)
			}
		})
	}
}
