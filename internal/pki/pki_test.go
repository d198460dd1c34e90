package pki

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
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
