package all

import (
	"context"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/selfassess/selfassess/probes"
)

// countingListener counts the connections accepted.
type countingListener struct {
	net.Listener
	n atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// TestFamiliesShareHostSlots: the TLS and HTTP families draw from the
// run's per-host slots. While a holder keeps every slot of the host, no
// probe opens a connection to it; once they are free, both families run.
func TestFamiliesShareHostSlots(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<!doctype html><p>hi</p>")
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	ln := &countingListener{Listener: srv.Listener}
	srv.Listener = ln
	srv.StartTLS()
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	targets := []probes.Target{{Kind: probes.KindURL, Value: srv.URL + "/"}}
	cfg := probes.Config{RootCAs: pool, Timeout: 5 * time.Second, PerHost: 2, Only: []string{"tls.versions", "http.headers"}}.Defaults()

	slots := cfg.Hosts.For("127.0.0.1")
	for range cap(slots) {
		slots <- struct{}{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	rs := probes.Run(ctx, Families(), targets, cfg)
	cancel()
	if n := ln.n.Load(); n != 0 {
		t.Fatalf("%d connections opened while the host's slots were all taken", n)
	}
	for _, r := range rs {
		if r.Status != probes.Error {
			t.Errorf("%s: %s %q while blocked, want error", r.ID, r.Status, r.Summary)
		}
	}

	for range cap(slots) {
		<-slots
	}
	rs = probes.Run(context.Background(), Families(), targets, cfg)
	if len(rs) != 2 {
		t.Fatalf("got %d results, want tls.versions and http.headers", len(rs))
	}
	for _, r := range rs {
		if r.Status == probes.Error {
			t.Errorf("%s: error %q with free slots", r.ID, r.Summary)
		}
	}
	if ln.n.Load() == 0 {
		t.Error("no connection reached the server")
	}
	if len(slots) != 0 {
		t.Errorf("%d slots still taken after the run", len(slots))
	}
}
