// Package pkitest holds the certificate helpers only tests use: key files
// for nginx and openssl, and handshake-only TLS servers. The selfassess
// binary does not link it.
package pkitest

import (
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/selfassess/selfassess/internal/pki"
)

// WriteFiles writes c's chain to dir/name.crt and its key to dir/name.key
// (both 0600), the files nginx and openssl s_server take.
func WriteFiles(dir, name string, c tls.Certificate) (certFile, keyFile string, err error) {
	certFile = filepath.Join(dir, name+".crt")
	keyFile = filepath.Join(dir, name+".key")
	keyPEM, err := pki.KeyPEM(c.PrivateKey)
	if err != nil {
		return "", "", fmt.Errorf("pki: %s: %w", name, err)
	}
	if err := os.WriteFile(certFile, pki.CertsPEM(c.Certificate...), 0o600); err != nil {
		return "", "", err
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		return "", "", err
	}
	return certFile, keyFile, nil
}

// Serve accepts connections on ln until it is closed and runs handle on
// each in its own goroutine, with a deadline of timeout (none when 0),
// closing the connection afterwards.
func Serve(ln net.Listener, timeout time.Duration, handle func(net.Conn)) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			if timeout > 0 {
				c.SetDeadline(time.Now().Add(timeout))
			}
			handle(c)
		}()
	}
}

// Handshake is a handler for Serve that completes one TLS handshake with
// cfg and hangs up: all a TLS scanner needs from a server.
func Handshake(cfg *tls.Config) func(net.Conn) {
	return func(c net.Conn) { tls.Server(c, cfg).Handshake() }
}
