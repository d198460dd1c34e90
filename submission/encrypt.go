package submission

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"golang.org/x/crypto/ssh"

	"github.com/selfassess/selfassess/internal/input"
)

// AgeExt is the suffix of an encrypted package: PACKAGE.zip.age.
const AgeExt = ".age"

// maxAgeFile bounds an encrypted package opened by verify.
const maxAgeFile = maxTotalSize

// Recipient is one reviewer key the package is encrypted to.
type Recipient struct {
	age.Recipient
	// Label names it in messages: the key type and SSH fingerprint, or the age1… key.
	Label string
}

// ParseRecipients reads recipient lines: ssh-ed25519 or ssh-rsa public keys
// (authorized_keys format) or age1… X25519 keys, one per line; blank lines
// and # comments are skipped. name labels errors (FILE:LINE).
func ParseRecipients(name string, data []byte) ([]Recipient, error) {
	var out []Recipient
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r, err := ParseRecipient(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, n, err)
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no recipient (want ssh-ed25519, ssh-rsa or age1… keys, one per line)", name)
	}
	return out, nil
}

// ParseRecipient reads one recipient: an SSH public key line or an age1… key.
func ParseRecipient(s string) (Recipient, error) {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "age1pq1"):
		return Recipient{}, errors.New("post-quantum age recipients are not supported (Debian's age cannot decrypt them); give an age1… X25519 key or an SSH key")
	case strings.HasPrefix(s, "age1"):
		r, err := age.ParseX25519Recipient(s)
		if err != nil {
			return Recipient{}, fmt.Errorf("not an age recipient: %v", err)
		}
		return Recipient{Recipient: r, Label: s}, nil
	case strings.HasPrefix(s, "ssh-ed25519 "), strings.HasPrefix(s, "ssh-rsa "):
		pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(s))
		if err != nil {
			return Recipient{}, fmt.Errorf("malformed SSH public key: %v", err)
		}
		r, err := agessh.ParseRecipient(s)
		if err != nil {
			return Recipient{}, fmt.Errorf("unusable SSH public key: %v", err)
		}
		return Recipient{Recipient: r, Label: pub.Type() + " " + ssh.FingerprintSHA256(pub)}, nil
	case strings.HasPrefix(s, "ecdsa-sha2-"), strings.HasPrefix(s, "sk-"):
		return Recipient{}, errors.New("age cannot encrypt to ECDSA or security-key SSH keys; give the reviewer's ssh-ed25519 or ssh-rsa key, or an age1… key")
	case strings.HasPrefix(s, "AGE-SECRET-KEY-"), strings.Contains(s, "PRIVATE KEY"):
		return Recipient{}, errors.New("this is a private key; give the reviewer's public key")
	}
	return Recipient{}, errors.New("not a recipient (want an ssh-ed25519 or ssh-rsa public key, or an age1… key)")
}

// encryptFile encrypts src into dst, the caller's temporary file beside
// the package (which the caller renames into place or removes), makes it
// readable like the zip and flushes it to disk, so a crash after the
// rename cannot leave an empty or short .age.
func encryptFile(dst *os.File, src string, recipients []Recipient) error {
	if len(recipients) == 0 {
		return errors.New("no recipient")
	}
	rs := make([]age.Recipient, len(recipients))
	for i, r := range recipients {
		rs[i] = r.Recipient
	}
	in, err := os.Open(src)
	if err != nil {
		return unwrapPath(err)
	}
	defer in.Close()
	w, err := age.Encrypt(dst, rs...)
	if err == nil {
		_, err = io.Copy(w, in)
	}
	if err == nil {
		err = w.Close()
	}
	if err == nil {
		err = dst.Chmod(0o644)
	}
	if err == nil {
		err = dst.Sync() // as the zip: on disk before the rename
	}
	return err
}

// ParseIdentity reads --identity: an OpenSSH ed25519 or RSA private key
// (asking passphrase for an encrypted one, when it is not nil) or an age
// identity file (AGE-SECRET-KEY-…). Errors never quote the key.
func ParseIdentity(name string, data []byte, passphrase func() ([]byte, error)) ([]age.Identity, error) {
	if bytes.Contains(data, []byte("AGE-SECRET-KEY-")) {
		ids, err := age.ParseIdentities(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: not a valid age identity file", name)
		}
		return ids, nil
	}
	if !bytes.Contains(data, []byte("PRIVATE KEY")) {
		return nil, fmt.Errorf("%s holds no private key (want an OpenSSH ed25519/RSA key or an age identity)", name)
	}
	id, err := agessh.ParseIdentity(data)
	var missing *ssh.PassphraseMissingError
	switch {
	case err == nil:
		return []age.Identity{id}, nil
	case errors.As(err, &missing) && missing.PublicKey != nil:
		if passphrase == nil {
			return nil, fmt.Errorf("%s is protected by a passphrase; set %s or run in a terminal", name, EnvPassphrase)
		}
		eid, err := agessh.NewEncryptedSSHIdentity(missing.PublicKey, data, passphrase)
		if err != nil {
			return nil, fmt.Errorf("%s: %s", name, safeErr(err))
		}
		return []age.Identity{eid}, nil
	}
	return nil, fmt.Errorf("%s: not a usable identity: %s", name, safeErr(err))
}

// VerifyEncrypted decrypts an age-encrypted package zip with ids and
// verifies it, without writing the plaintext anywhere: the zip is read
// through age's authenticated random-access reader, chunk by chunk, under
// the same limits as a plain zip.
func VerifyEncrypted(p string, ids []age.Identity, trust TrustedKeys) (*Result, error) {
	f, err := input.Open(p)
	if err != nil {
		return nil, unwrapPath(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, unwrapPath(err)
	}
	if fi.Size() > maxAgeFile {
		return nil, fmt.Errorf("%s: larger than %d GiB", p, maxAgeFile>>30)
	}
	plain, size, err := age.DecryptReaderAt(f, fi.Size(), ids...)
	if err != nil {
		var nomatch *age.NoIdentityMatchError
		// age flattens the key's error to text on the way out
		if errors.Is(err, x509.IncorrectPasswordError) || strings.Contains(err.Error(), x509.IncorrectPasswordError.Error()) {
			return nil, fmt.Errorf("%s: wrong passphrase for the identity", p)
		}
		if errors.As(err, &nomatch) {
			return nil, fmt.Errorf("%s: %w", p, ErrNotForIdentity)
		}
		return nil, fmt.Errorf("%s: cannot decrypt: %v", p, err)
	}
	res := &Result{Source: p, Decrypted: true}
	files, err := readZipAt(p, plain, size, res, keptFiles(trust))
	if err != nil {
		return nil, err
	}
	finish(files, trust, res)
	return res, nil
}

// ErrNotForIdentity: the package was not encrypted to the given key.
var ErrNotForIdentity = errors.New("not encrypted to this identity (ask the team to add your public key with --encrypt-to)")

// IsEncrypted says whether the file starts with age's header.
func IsEncrypted(p string) bool {
	f, err := input.Open(p) // never blocks on a FIFO; a folder is not encrypted
	if err != nil {
		return false
	}
	defer f.Close()
	var head [22]byte
	n, _ := io.ReadFull(f, head[:])
	return bytes.HasPrefix(head[:n], []byte("age-encryption.org/v1\n"))
}
