package project

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/input"
	"github.com/selfassess/selfassess/submission"
)

// Find returns the settings run uses: the named file (which must exist),
// or ./selfassess.yaml when present, or empty settings. A file with
// problems gives *input.Errors; one that cannot be read, *input.Problem.
func Find(named string) (*Config, error) {
	path := named
	if path == "" {
		path = DefaultFile
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return &Config{}, nil
		}
	}
	c, err := Load(path)
	var ce *input.Errors
	if err != nil && !errors.As(err, &ce) {
		return nil, input.Problemf("create one with 'selfassess init'", "--config: %v", input.PathErr(err))
	}
	return c, err
}

// FlagFor names the `selfassess init` flag behind a setting path such as
// "contacts[1]", so init's errors speak of what the user typed.
func FlagFor(setting string) string {
	key, _, _ := strings.Cut(setting, "[")
	switch key {
	case "contacts":
		return "--contact"
	case "targets":
		return "--target"
	case "output":
		return "--out"
	}
	return "--" + strings.ReplaceAll(key, "_", "-")
}

// CheckFlags refuses settings without what a project cannot do without,
// naming the missing flags: without a terminal every setting is a flag.
func (c *Config) CheckFlags() error {
	missing := c.Missing()
	if len(missing) == 0 {
		return nil
	}
	for i, key := range missing {
		missing[i] = FlagFor(key)
	}
	return input.Problemf("in CI mode every setting comes from flags; see 'selfassess init --help'", "missing %s", strings.Join(missing, ", "))
}

// CheckChecklist accepts a built-in checklist id or a checklist file that
// loads without problems.
func CheckChecklist(name string) error {
	if checklist.IsBuiltin(name) {
		return nil
	}
	_, err := checklist.Resolve(name)
	var nf *checklist.NotFoundError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &nf):
		return input.Problemf(nf.Hint(), "--checklist: %v", err)
	}
	return input.Problemf("check it with 'selfassess checklist validate "+name+"'", "--checklist %s: %v", name, err)
}

// Encode is selfassess.yaml as init writes it at path. The paths in c,
// typed relative to the current directory, are rewritten relative to the
// file first (c changes). The file must read back as written: that applies
// run's checks (e-mail addresses, URLs, severity, no key material) to what
// init was given, and a problem names the flag it came from.
func (c *Config) Encode(path string) ([]byte, error) {
	c.RelativeTo(path)
	data, err := Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", path, err)
	}
	if _, err := Parse(path, data); err != nil {
		var ce *input.Errors
		if errors.As(err, &ce) && len(ce.List) > 0 {
			return nil, input.Problemf("", "%s: %s", FlagFor(ce.List[0].Path), ce.List[0].Msg)
		}
		return nil, &input.Problem{Err: err}
	}
	return data, nil
}

// DefaultSource proposes the current directory as the source tree when it
// is a git checkout (init usually runs at the repository's root); a value
// given as a flag wins.
func DefaultSource(flag string) string {
	if flag != "" {
		return flag
	}
	if _, err := os.Stat(".git"); err == nil {
		return "."
	}
	return ""
}

// How init came by sign_key. The values are the questionnaire's choices
// (interview.KeyCreate …), passed through as they are.
const (
	KeyReference = ""       // a flag: the key may live elsewhere (a CI secret)
	KeyCreate    = "create" // write a new key pair at the path
	KeyFile      = "file"   // an existing private key file
	KeyAgent     = "agent"  // the .pub of a key held by ssh-agent
)

// maxPublicKey bounds a key file read for its public half.
const maxPublicKey = 64 << 10

// SignKey is what init learnt about the signing key.
type SignKey struct {
	// Created: a new key pair was written, its private key not encrypted.
	Created bool
	// NoPublic: an existing private key has no .pub beside it.
	NoPublic bool
	// Public is the public key as an authorized_keys line, and Fingerprint
	// its SHA256 fingerprint: what the provider's reviewer needs. Both are
	// empty when the public key is not at hand.
	Public, Fingerprint string
}

// SigningKey creates the key pair init was asked to create at path (as
// `selfassess keygen` would), or reads the public half of an existing key:
// path itself for a key in ssh-agent, path.pub beside a private key file.
// A key given as a flag (KeyReference) may live elsewhere, so its missing
// .pub is no error. Nothing is done when path is empty or holds key
// material (which Encode refuses without echoing it).
func SigningKey(action, path string) (*SignKey, error) {
	k := &SignKey{}
	if path == "" || IsKeyMaterial(path) {
		return k, nil
	}
	file := ExpandHome(path)
	var pub []byte
	switch action {
	case KeyCreate:
		kp, err := submission.NewKey{Path: file, Type: submission.KeyECDSA, Comment: "selfassess"}.Write(nil)
		if err != nil {
			return nil, err
		}
		k.Created, pub = true, kp.Public
	case KeyAgent:
		b, err := input.ReadFile(file, maxPublicKey)
		if err != nil {
			return nil, input.Problemf("", "--sign-key: %v", input.PathErr(err))
		}
		pub = b
	case KeyReference:
		if !strings.HasSuffix(file, ".pub") {
			file += ".pub"
		}
		pub, _ = input.ReadFile(file, maxPublicKey) // shown when it is here
	default:
		if _, err := os.Stat(file); err != nil {
			return nil, input.Problemf("create one with 'selfassess keygen', or give the path of an existing key", "--sign-key: %v", input.PathErr(err))
		}
		var err error
		pub, err = input.ReadFile(file+".pub", maxPublicKey)
		k.NoPublic = err != nil
	}
	if pub == nil {
		return k, nil
	}
	pk, _, _, _, err := ssh.ParseAuthorizedKey(pub)
	if err != nil {
		return nil, input.Problemf("give the key's .pub file", "%s: not an SSH public key", path)
	}
	k.Public, k.Fingerprint = strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk))), ssh.FingerprintSHA256(pk)
	return k, nil
}

// ExpandHome turns a leading ~/ into the home directory (a path typed at
// a prompt or in selfassess.yaml; the shell expands it on a command line).
func ExpandHome(p string) string {
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[2:])
		}
	}
	return p
}
