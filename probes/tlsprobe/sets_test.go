package tlsprobe

import (
	"context"
	"crypto/tls"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/selfassess/selfassess/internal/pki/pkitest"
	"github.com/selfassess/selfassess/probes"
)

// The enumeration and the certificate do not depend on a threshold, only
// the judgement does: a second parameter set for each tls.* probe costs the
// server no connection, and each set still gets its own verdict.
func TestParameterSetsShareOneEnumeration(t *testing.T) {
	ca := newCA(t, "Test CA")
	var conns atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	handshake := pkitest.Handshake(&tls.Config{
		Certificates: []tls.Certificate{ca.leaf(t, leafOpts{hosts: []string{"127.0.0.1"}, rsaBits: 2048,
			notAfter: time.Now().Add(45 * 24 * time.Hour)})},
		MinVersion:   tls.VersionTLS10,
		MaxVersion:   tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA},
	})
	go pkitest.Serve(ln, 5*time.Second, func(c net.Conn) { conns.Add(1); handshake(c) })
	target := []probes.Target{{Kind: probes.KindURL, Value: "https://" + ln.Addr().String()}}

	run := func(sets map[string][]probes.Params) (int64, []probes.Result) {
		conns.Store(0)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		rs := probes.Run(ctx, []probes.Family{NewFamily()}, target, probes.Config{Timeout: 5 * time.Second, RootCAs: ca.pool, ParamSets: sets})
		return conns.Load(), rs
	}
	one, _ := run(nil)
	if one == 0 {
		t.Fatal("no connection reached the server")
	}
	two, rs := run(map[string][]probes.Params{
		"tls.versions":    {nil, {"min_version": "TLS1.0"}},
		"tls.ciphers":     {nil, {"allowed_classes": []string{"strong"}}},
		"tls.certificate": {nil, {"expiry_warn_days": 60}},
	})
	if two != one {
		t.Errorf("%d connections with two parameter sets, %d with one", two, one)
	}
	want := map[string][]probes.Status{
		"tls.versions":    {probes.Fail, probes.Pass}, // TLS 1.0 offered
		"tls.ciphers":     {probes.Warn, probes.Fail}, // a CBC suite
		"tls.certificate": {probes.Pass, probes.Warn}, // 44 days left
	}
	got := map[string][]probes.Status{}
	for _, r := range rs {
		got[r.ID] = append(got[r.ID], r.Status)
	}
	for id, w := range want {
		if len(got[id]) != 2 || got[id][0] != w[0] || got[id][1] != w[1] {
			t.Errorf("%s: statuses %v, want %v", id, got[id], w)
		}
	}
}
