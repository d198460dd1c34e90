package tlsprobe

import (
	"context"
	"net"
	"os/exec"
	"testing"
	"time"

	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/probes/tlsprobe/oracle"
)

// BenchmarkVsSSLScan measures one full tls.* run (versions, every suite,
// certificate) against the same loopback server as sslscan, side by side:
//
//	go test -run '^$' -bench VsSSLScan -count 6 ./probes/tlsprobe/ > bench.txt
//	go run golang.org/x/perf/cmd/benchstat@latest -col /tool bench.txt
//
// sslscan runs with the options that restrict it to the same work
// (oracle.SSLScanArgs: no heartbleed, renegotiation, compression, fallback
// or group checks); "sslscan-default" is sslscan with its defaults.
func BenchmarkVsSSLScan(b *testing.B) {
	oracle.Require(b, "sslscan", "openssl", "nginx")
	pki := newInteropPKI(b)
	for _, name := range []string{"openssl-all-ccm-aria-camellia", "nginx-legacy-serverpref"} {
		var srv interopServer
		for _, s := range interopServers {
			if s.name == name {
				srv = s
			}
		}
		addr := startInterop(b, srv, pki)
		host, port, _ := net.SplitHostPort(addr)
		b.Run("server="+name+"/tool=selfassess", func(b *testing.B) {
			cfg := probes.Config{Timeout: 5 * time.Second, RootCAs: pki.ca.pool}
			target := probes.Target{Kind: probes.KindURL, Value: "https://" + net.JoinHostPort(host, port)}
			conns := 0
			for b.Loop() {
				rs := NewFamily().Run(context.Background(), target, NewFamily().IDs(), cfg)
				for _, r := range rs {
					if r.Status == probes.Error {
						b.Fatalf("%s: %s", r.ID, r.Summary)
					}
				}
				conns = rs[0].Observed.(VersionsObserved).Connections
			}
			b.ReportMetric(float64(conns), "conns/op")
		})
		b.Run("server="+name+"/tool=sslscan", func(b *testing.B) {
			for b.Loop() {
				if out, err := exec.Command("sslscan", oracle.SSLScanArgs(addr, "")...).CombinedOutput(); err != nil {
					b.Fatalf("sslscan: %v\n%s", err, out)
				}
			}
		})
		b.Run("server="+name+"/tool=sslscan-default", func(b *testing.B) {
			for b.Loop() {
				if out, err := exec.Command("sslscan", "--xml=-", "--no-colour", addr).CombinedOutput(); err != nil {
					b.Fatalf("sslscan: %v\n%s", err, out)
				}
			}
		})
	}
}
