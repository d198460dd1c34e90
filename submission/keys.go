package submission

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/selfassess/selfassess/internal/input"
)

// maxKeyFile bounds key files read (a private key is a few KiB).
const maxKeyFile = 64 << 10

// KeySource says where the signing key comes from.
type KeySource struct {
	// Path is --sign-key: an OpenSSH private key file, or a public key
	// whose private half is in ssh-agent.
	Path string
	// Getenv reads SELFASSESS_SIGNING_KEY, SELFASSESS_KEY_PASSPHRASE and SSH_AUTH_SOCK.
	Getenv func(string) string
	// Prompt asks for a passphrase; nil when the session is not interactive.
	Prompt func(prompt string) ([]byte, error)
	// Ephemeral, without Path, is a fresh in-memory key (the demo), whatever
	// the environment holds.
	Ephemeral bool
}

// Signer is a loaded signing key.
type Signer struct {
	ssh.Signer
	// From says where the key came from, for messages ("key file id_ed25519", "ssh-agent", …).
	From   string
	closer io.Closer
	// key is the private key when it was read from a file or the
	// environment (nil for ssh-agent): the PDF signature needs it.
	key crypto.PrivateKey
}

// Close releases the ssh-agent connection, if any.
func (s *Signer) Close() error {
	if s == nil || s.closer == nil {
		return nil
	}
	return s.closer.Close()
}

// Fingerprint is the key's SHA256:… fingerprint.
func (s *Signer) Fingerprint() string { return ssh.FingerprintSHA256(s.PublicKey()) }

// LoadSigner returns the signing key named by src, or nil (no error) when
// no key is configured at all. Errors never contain key material or the
// passphrase.
func LoadSigner(src KeySource) (*Signer, error) {
	s, err := loadSigner(src)
	if err != nil || s == nil {
		return nil, err
	}
	if err := checkKeyType(s.PublicKey()); err != nil {
		s.Close()
		name := "--sign-key " + src.Path
		if src.Path == "" {
			name = "$" + EnvSigningKey
		}
		return nil, inputErr("generate one with 'selfassess keygen'", fmt.Errorf("%s: %v", name, err))
	}
	return s, nil
}

// minRSABits: shorter RSA keys are refused by current OpenSSH and by reviewers.
const minRSABits = 2048

// checkKeyType accepts the key types a reviewer's ssh-keygen verifies
// today: Ed25519, ECDSA and RSA of at least 2048 bits (not DSA).
func checkKeyType(pub ssh.PublicKey) error {
	switch pub.Type() {
	case ssh.KeyAlgoED25519, ssh.KeyAlgoECDSA256, ssh.KeyAlgoECDSA384, ssh.KeyAlgoECDSA521:
		return nil
	case ssh.KeyAlgoRSA:
		if ck, ok := pub.(ssh.CryptoPublicKey); ok {
			if rk, ok := ck.CryptoPublicKey().(*rsa.PublicKey); ok && rk.N.BitLen() < minRSABits {
				return fmt.Errorf("an RSA key of %d bits is too short to sign (at least %d)", rk.N.BitLen(), minRSABits)
			}
		}
		return nil
	}
	return fmt.Errorf("a %s key cannot sign the package (use Ed25519, ECDSA or RSA)", pub.Type())
}

func loadSigner(src KeySource) (*Signer, error) {
	if src.Ephemeral && src.Path == "" {
		s, err := EphemeralSigner()
		if err != nil {
			return nil, fmt.Errorf("generating the demo key: %v", err)
		}
		return s, nil
	}
	getenv := src.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if src.Path != "" {
		return loadKeyFile(src.Path, getenv, src.Prompt)
	}
	if v := getenv(EnvSigningKey); strings.TrimSpace(v) != "" {
		s, err := parsePrivate([]byte(v), EnvSigningKey, getenv, src.Prompt)
		if err != nil {
			return nil, err
		}
		s.From = "$" + EnvSigningKey
		return s, nil
	}
	return nil, nil
}

func loadKeyFile(path string, getenv func(string) string, prompt func(string) ([]byte, error)) (*Signer, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, inputErr("", fmt.Errorf("--sign-key: %v", unwrapPath(err)))
	}
	if !fi.Mode().IsRegular() {
		return nil, inputErr("", fmt.Errorf("--sign-key %s: not a regular file", path))
	}
	b, err := readBounded(path, maxKeyFile)
	if err != nil {
		return nil, inputErr("", fmt.Errorf("--sign-key %s: %v", path, err))
	}
	// A public key: its private half must be in ssh-agent.
	if pub, _, _, _, err := ssh.ParseAuthorizedKey(b); err == nil {
		return agentSigner(path, pub, getenv)
	}
	// A private key: refuse it when others may read it, as ssh does.
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, inputErr("chmod 600 "+path, fmt.Errorf("--sign-key %s: private key is accessible by group or others (mode %04o)", path, perm))
	}
	s, err := parsePrivate(b, path, getenv, prompt)
	if err != nil {
		return nil, err
	}
	s.From = "key file " + path
	return s, nil
}

// parsePrivate parses an OpenSSH (or PEM) private key, asking for the
// passphrase when it is encrypted. name labels errors (a path or a variable).
func parsePrivate(b []byte, name string, getenv func(string) string, prompt func(string) ([]byte, error)) (*Signer, error) {
	raw, err := ssh.ParseRawPrivateKey(b)
	var missing *ssh.PassphraseMissingError
	switch {
	case err == nil:
		return newSigner(raw)
	case errors.As(err, &missing):
	default:
		if !strings.Contains(string(b), "PRIVATE KEY") {
			return nil, inputErr("generate one with 'selfassess keygen'", fmt.Errorf("%s does not hold an OpenSSH private key", name))
		}
		return nil, inputErr("", fmt.Errorf("%s: cannot parse the private key: %s", name, safeErr(err)))
	}
	var pass []byte
	if v := getenv(EnvPassphrase); v != "" {
		pass = []byte(v)
	} else if prompt != nil {
		pass, err = prompt(fmt.Sprintf("Passphrase for %s: ", name))
		if err != nil {
			return nil, inputErr("", fmt.Errorf("reading the passphrase: %v", err))
		}
	} else {
		return nil, inputErr("set "+EnvPassphrase+" or run in a terminal to be asked",
			fmt.Errorf("%s is protected by a passphrase", name))
	}
	raw, err = ssh.ParseRawPrivateKeyWithPassphrase(b, pass)
	clear(pass)
	if err != nil {
		if errors.Is(err, x509.IncorrectPasswordError) {
			return nil, inputErr("", fmt.Errorf("wrong passphrase for %s", name))
		}
		return nil, inputErr("", fmt.Errorf("%s: cannot decrypt the private key: %s", name, safeErr(err)))
	}
	return newSigner(raw)
}

// newSigner wraps a parsed private key. ECDSA signs through
// deterministicSigner (RFC 6979), so the SSH signature over SHA256SUMS is
// as reproducible as an Ed25519 one.
func newSigner(raw crypto.PrivateKey) (*Signer, error) {
	var (
		s   ssh.Signer
		err error
	)
	if k, ok := raw.(*ecdsa.PrivateKey); ok {
		s, err = ssh.NewSignerFromSigner(deterministicSigner{key: k})
	} else {
		s, err = ssh.NewSignerFromKey(raw)
	}
	if err != nil {
		return nil, inputErr("", fmt.Errorf("unsupported key: %s", safeErr(err)))
	}
	return &Signer{Signer: s, key: raw}, nil
}

// safeErr keeps a parse error's message but never more than one short line
// (the ssh package's errors do not quote key material; be sure anyway).
func safeErr(err error) string {
	m := err.Error()
	if len(m) > 120 || strings.Contains(m, "\n") {
		return "invalid key data"
	}
	return m
}

// agentSigner finds pub among ssh-agent's keys.
func agentSigner(path string, pub ssh.PublicKey, getenv func(string) string) (*Signer, error) {
	sock := getenv(EnvAuthSock)
	if sock == "" {
		return nil, inputErr("start ssh-agent and 'ssh-add' the key, or name the private key file",
			fmt.Errorf("--sign-key %s is a public key, so its private half must be in ssh-agent, but %s is not set", path, EnvAuthSock))
	}
	conn, err := net.DialTimeout("unix", sock, 5*time.Second)
	if err != nil {
		return nil, fmt.Errorf("connecting to ssh-agent at %s: %v", sock, unwrapPath(err))
	}
	signers, err := agent.NewClient(conn).Signers()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("listing ssh-agent keys: %v", err)
	}
	want := string(pub.Marshal())
	for _, s := range signers {
		if string(s.PublicKey().Marshal()) == want {
			return &Signer{Signer: s, From: "ssh-agent", closer: conn}, nil
		}
	}
	conn.Close()
	return nil, inputErr("add it with 'ssh-add' (ssh-add -l lists the agent's keys)",
		fmt.Errorf("ssh-agent does not hold the key %s (%s)", path, ssh.FingerprintSHA256(pub)))
}

func readBounded(path string, max int64) ([]byte, error) {
	b, err := input.ReadFile(path, max)
	var fe *input.FileError
	if errors.As(err, &fe) {
		return nil, errors.New(fe.Msg) // callers name the file
	}
	return b, unwrapPath(err)
}

// unwrapPath drops *PathError's op so messages read "x: no such file or directory".
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %v", pe.Path, pe.Err)
	}
	return err
}

// Key types keygen makes.
const (
	KeyECDSA   = "ecdsa"   // P-256: signs the package (SSH) and the PDF
	KeyEd25519 = "ed25519" // signs the package only: PDF readers refuse Ed25519
	KeyRSA     = "rsa"     // 3072 bits: signs both, slower and larger
)

// KeyTypes lists the types GenerateKey accepts, the default first.
var KeyTypes = []string{KeyECDSA, KeyEd25519, KeyRSA}

// KeyPair is a generated key.
type KeyPair struct {
	PrivatePEM  []byte // OpenSSH private key (encrypted when a passphrase was given)
	Public      []byte // authorized_keys line
	Fingerprint string
}

// GenerateKey makes an ECDSA P-256 OpenSSH key pair (the default type); an
// empty passphrase leaves the private key unencrypted.
func GenerateKey(passphrase []byte, comment string) (*KeyPair, error) {
	return GenerateKeyType(KeyECDSA, passphrase, comment)
}

// GenerateKeyType makes an OpenSSH key pair of the given type ("" = ECDSA P-256).
func GenerateKeyType(keyType string, passphrase []byte, comment string) (*KeyPair, error) {
	priv, err := newPrivateKey(keyType)
	if err != nil {
		return nil, err
	}
	var blk *pem.Block
	if len(passphrase) > 0 {
		blk, err = ssh.MarshalPrivateKeyWithPassphrase(priv, comment, passphrase)
	} else {
		blk, err = ssh.MarshalPrivateKey(priv, comment)
	}
	if err != nil {
		return nil, err
	}
	sp, err := ssh.NewPublicKey(priv.(crypto.Signer).Public())
	if err != nil {
		return nil, err
	}
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp)))
	if comment != "" {
		line += " " + comment
	}
	return &KeyPair{PrivatePEM: pem.EncodeToMemory(blk), Public: []byte(line + "\n"), Fingerprint: ssh.FingerprintSHA256(sp)}, nil
}

func newPrivateKey(keyType string) (crypto.PrivateKey, error) {
	switch keyType {
	case "", KeyECDSA:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case KeyEd25519:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	case KeyRSA:
		return rsa.GenerateKey(rand.Reader, 3072)
	}
	return nil, inputErr("one of "+strings.Join(KeyTypes, ", "), fmt.Errorf("unknown key type %q", keyType))
}

// EphemeralSigner is a fresh in-memory ECDSA P-256 key (the demo), so the
// demo's PDF is signed too.
func EphemeralSigner() (*Signer, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	s, err := newSigner(priv)
	if err != nil {
		return nil, err
	}
	s.From = "an ephemeral key (demo)"
	return s, nil
}

// WriteKeyPair writes path (0600) and path.pub (0644); existing files are
// kept unless force.
func WriteKeyPair(path string, kp *KeyPair, force bool) error {
	pubPath := path + ".pub"
	if !force {
		for _, p := range []string{path, pubPath} {
			if _, err := os.Lstat(p); err == nil {
				return inputErr("use --force to replace it, or choose another --out", fmt.Errorf("%s already exists", p))
			}
		}
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
	}
	if err := writeFileMode(path, kp.PrivatePEM, 0o600, force); err != nil {
		return err
	}
	return writeFileMode(pubPath, kp.Public, 0o644, force)
}

// writeFileMode creates path with exactly perm (umask aside, chmod after).
func writeFileMode(path string, b []byte, perm os.FileMode, replace bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if replace {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	f, err := os.OpenFile(path, flags, perm)
	if err != nil {
		return unwrapPath(err)
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
