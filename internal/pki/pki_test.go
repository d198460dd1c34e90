package pki

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIssueVerifies(t *testing.T) {
	now := time.Now()
	ca, err := NewCA("test CA", now.Add(-time.Hour), now.Add(time.Hour))
	require.NoError(t, err)
	leaf, err := ca.Issue(Leaf{Hosts: []string{"127.0.0.1", "localhost"}, NotBefore: now.Add(-time.Minute), NotAfter: now.Add(time.Hour), RSABits: 2048})
	require.NoError(t, err)
	require.Len(t, leaf.Certificate, 2)
	assert.Equal(t, ca.Cert.Raw, leaf.Certificate[1])
	assert.Equal(t, 2048, leaf.PrivateKey.(*rsa.PrivateKey).N.BitLen())
	for _, host := range []string{"127.0.0.1", "localhost"} {
		_, err = leaf.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool, DNSName: host})
		assert.NoError(t, err, host)
	}
	_, err = leaf.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool, DNSName: "example.com"})
	assert.Error(t, err, "a name not in the SANs")
	other, err := NewCA("other CA", now.Add(-time.Hour), now.Add(time.Hour))
	require.NoError(t, err)
	_, err = leaf.Leaf.Verify(x509.VerifyOptions{Roots: other.Pool, DNSName: "localhost"})
	assert.Error(t, err, "another CA's pool")

	ec, err := ca.Issue(Leaf{Hosts: []string{"a.test"}, NotBefore: now, NotAfter: now.Add(time.Hour)})
	require.NoError(t, err)
	assert.IsType(t, &ecdsa.PrivateKey{}, ec.PrivateKey)
	assert.NotEqual(t, leaf.Leaf.SerialNumber, ec.Leaf.SerialNumber)

	_, err = ca.Issue(Leaf{})
	assert.Error(t, err)
}

func TestWriteFilesAndServe(t *testing.T) {
	now := time.Now()
	ca, err := NewCA("test CA", now.Add(-time.Hour), now.Add(time.Hour))
	require.NoError(t, err)
	leaf, err := ca.Issue(Leaf{Hosts: []string{"127.0.0.1"}, NotBefore: now.Add(-time.Minute), NotAfter: now.Add(time.Hour)})
	require.NoError(t, err)
	dir := t.TempDir()
	certFile, keyFile, err := WriteFiles(dir, "srv", leaf)
	require.NoError(t, err)
	for _, f := range []string{certFile, keyFile} {
		st, err := os.Stat(f)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), f)
	}
	assert.Equal(t, filepath.Join(dir, "srv.key"), keyFile)
	loaded, err := tls.LoadX509KeyPair(certFile, keyFile)
	require.NoError(t, err)
	assert.Equal(t, leaf.Certificate, loaded.Certificate)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go Serve(ln, 5*time.Second, Handshake(&tls.Config{Certificates: []tls.Certificate{loaded}}))
	conn, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: ca.Pool, ServerName: "127.0.0.1"})
	require.NoError(t, err, "the handshake verifies against the CA")
	conn.Close()

	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(ca.CertPEM()))
	assert.True(t, pool.Equal(ca.Pool))
}
