package submission

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"
)

// A DSA or short RSA key is refused when it is loaded, before anything is
// asked or probed (issue 10.11), with the reason and never the key.
func TestLoadSignerRefusesWeakKeyTypes(t *testing.T) {
	short, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	blk, err := ssh.MarshalPrivateKey(short, "")
	require.NoError(t, err)
	dir := t.TempDir()
	p := filepath.Join(dir, "short")
	require.NoError(t, os.WriteFile(p, pem.EncodeToMemory(blk), 0o600))
	_, err = LoadSigner(KeySource{Path: p})
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "--sign-key "+p+": an RSA key of 1024 bits is too short to sign (at least 2048)", err.Error())

	_, err = LoadSigner(KeySource{Getenv: func(k string) string {
		if k == EnvSigningKey {
			return string(pem.EncodeToMemory(blk))
		}
		return ""
	}})
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "$SELFASSESS_SIGNING_KEY: an RSA key of 1024 bits is too short to sign (at least 2048)", err.Error())

	good, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	blk, err = ssh.MarshalPrivateKey(good, "")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, pem.EncodeToMemory(blk), 0o600))
	s, err := LoadSigner(KeySource{Path: p})
	require.NoError(t, err)
	assert.Equal(t, ssh.KeyAlgoRSA, s.PublicKey().Type())
}
