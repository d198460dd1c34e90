package cms

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var at = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)

func cert(t *testing.T, key crypto.Signer) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "t"}, NotBefore: at, NotAfter: at.AddDate(1, 0, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	require.NoError(t, err)
	c, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return c
}

// TestSignVerify: a signature verifies over its content only, and a changed
// signature byte or another certificate's key is caught; RSA signs the same
// bytes twice (PKCS #1 v1.5 is deterministic).
func TestSignVerify(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	for name, key := range map[string]crypto.Signer{"ecdsa": ec, "rsa": rk} {
		t.Run(name, func(t *testing.T) {
			c := cert(t, key)
			der, err := Sign([]byte("content"), []*x509.Certificate{c}, key, at)
			require.NoError(t, err)
			sig, err := Verify(append(der, 0, 0, 0), []byte("content")) // zero padding, as in a PDF
			require.NoError(t, err)
			assert.Equal(t, at, sig.SigningTime)
			assert.Equal(t, c.Raw, sig.Chain[0].Raw)

			_, err = Verify(der, []byte("contenT"))
			assert.ErrorContains(t, err, "message digest does not match")

			bad := append([]byte(nil), der...)
			bad[len(bad)-3] ^= 1 // inside the signature value
			_, err = Verify(bad, []byte("content"))
			assert.Error(t, err)

			other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			require.NoError(t, err)
			forged, err := Sign([]byte("content"), []*x509.Certificate{c}, other, at)
			require.NoError(t, err)
			_, err = Verify(forged, []byte("content"))
			assert.ErrorContains(t, err, "does not verify")
			if name == "rsa" {
				again, err := Sign([]byte("content"), []*x509.Certificate{c}, key, at)
				require.NoError(t, err)
				assert.Equal(t, der, again)
			}
		})
	}
}
