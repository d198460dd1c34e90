// Command manyservers starts N loopback crypto/tls servers (TLS 1.2 and
// 1.3, a private CA) for the scale measurement of `selfassess probe`:
//
//	go run ./probes/tlsprobe/testdata/manyservers -n 100 -ca /tmp/ca.pem > /tmp/urls &
//	/usr/bin/time -v selfassess probe --only 'tls.*' --format json --ca-file /tmp/ca.pem $(cat /tmp/urls) > /dev/null
//
// It prints one https URL per line, then serves until killed.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"time"

	"github.com/selfassess/selfassess/internal/pki"
	"github.com/selfassess/selfassess/internal/pki/pkitest"
)

func main() {
	n := flag.Int("n", 100, "number of servers")
	caFile := flag.String("ca", "ca.pem", "write the CA certificate here")
	flag.Parse()

	now := time.Now()
	ca, err := pki.NewCA("manyservers CA", now.Add(-time.Hour), now.Add(365*24*time.Hour))
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*caFile, ca.CertPEM(), 0o644); err != nil {
		log.Fatal(err)
	}
	leaf, err := ca.Issue(pki.Leaf{Hosts: []string{"127.0.0.1"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(90 * 24 * time.Hour)})
	if err != nil {
		log.Fatal(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{leaf}}
	for i := 0; i < *n; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("https://%s\n", ln.Addr())
		go pkitest.Serve(ln, 10*time.Second, pkitest.Handshake(cfg))
	}
	os.Stdout.Sync()
	select {}
}
