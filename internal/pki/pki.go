// Package pki makes private certificate authorities, server certificates
// and handshake-only TLS servers for tests, benchmarks and demo servers
// (loopback only; nothing here is meant to protect real traffic).
package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// CA is a private certificate authority with an ECDSA P-256 key.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	// Pool holds Cert alone: trust for clients of the CA's servers.
	Pool *x509.CertPool
}

// NewCA makes a self-signed CA named name, valid from notBefore to notAfter.
func NewCA(name string, notBefore, notAfter time.Time) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &CA{Cert: cert, Key: key, Pool: pool}, nil
}

// CertPEM is the CA certificate in PEM, as --ca-file reads it.
func (ca *CA) CertPEM() []byte { return CertsPEM(ca.Cert.Raw) }

// Leaf describes a server certificate.
type Leaf struct {
	// Hosts are DNS names or IP addresses (IP SANs); the first is also the
	// subject's common name. At least one is required.
	Hosts               []string
	NotBefore, NotAfter time.Time
	RSABits             int // 0: an ECDSA P-256 key
	// SignatureAlgorithm: 0 lets crypto/x509 choose.
	SignatureAlgorithm x509.SignatureAlgorithm
}

// Issue signs a server certificate for l and returns it with its key, the
// chain being the leaf then the CA certificate.
func (ca *CA) Issue(l Leaf) (tls.Certificate, error) {
	if len(l.Hosts) == 0 {
		return tls.Certificate{}, errors.New("pki: a leaf needs at least one host")
	}
	var key crypto.Signer
	var err error
	if l.RSABits > 0 {
		key, err = rsa.GenerateKey(rand.Reader, l.RSABits)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:       serial(),
		Subject:            pkix.Name{CommonName: l.Hosts[0]},
		NotBefore:          l.NotBefore,
		NotAfter:           l.NotAfter,
		KeyUsage:           x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:        []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		SignatureAlgorithm: l.SignatureAlgorithm,
	}
	for _, h := range l.Hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		return tls.Certificate{}, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der, ca.Cert.Raw}, PrivateKey: key, Leaf: leaf}, nil
}

// serial is a random 128-bit serial number, unique without coordination.
func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return n.Add(n, big.NewInt(1))
}

// CertsPEM encodes DER certificates as consecutive PEM blocks.
func CertsPEM(ders ...[]byte) []byte {
	var out []byte
	for _, d := range ders {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: d})...)
	}
	return out
}

// KeyPEM encodes a private key as PKCS#8 PEM.
func KeyPEM(key crypto.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// WriteFiles writes c's chain to dir/name.crt and its key to dir/name.key
// (both 0600), the files nginx and openssl s_server take.
func WriteFiles(dir, name string, c tls.Certificate) (certFile, keyFile string, err error) {
	certFile = filepath.Join(dir, name+".crt")
	keyFile = filepath.Join(dir, name+".key")
	keyPEM, err := KeyPEM(c.PrivateKey)
	if err != nil {
		return "", "", fmt.Errorf("pki: %s: %w", name, err)
	}
	if err := os.WriteFile(certFile, CertsPEM(c.Certificate...), 0o600); err != nil {
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
