package pkitest

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/internal/pki"
)

func TestWriteFilesAndServe(t *testing.T) {
	now := time.Now()
	ca, err := pki.NewCA("test CA", now.Add(-time.Hour), now.Add(time.Hour))
	require.NoError(t, err)
	leaf, err := ca.Issue(pki.Leaf{Hosts: []string{"127.0.0.1"}, NotBefore: now.Add(-time.Minute), NotAfter: now.Add(time.Hour)})
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

// Test helpers stay out of the binary.
func TestOnlyTestsImportIt(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/selfassess/selfassess").Output()
	require.NoError(t, err)
	assert.NotContains(t, strings.Fields(string(out)), "github.com/selfassess/selfassess/internal/pki/pkitest")
}
