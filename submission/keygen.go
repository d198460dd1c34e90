package submission

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/selfassess/selfassess/internal/input"
)

// NewKey is a key pair to make and write: `selfassess keygen`'s flags, or
// the key `selfassess init` offers to create. Its errors name keygen's
// flags.
type NewKey struct {
	// Path is the private key (0600); the public key goes to Path.pub.
	Path string
	// Type is one of KeyTypes.
	Type    string
	Comment string
	// PassphraseEnv names the environment variable holding the passphrase
	// that encrypts the private key ("": not encrypted). A passphrase never
	// comes from a flag: it would show in the process list and the history.
	PassphraseEnv string
	// Force replaces existing key files.
	Force bool
}

// Write checks the request, makes the key pair and writes both files.
// getenv reads PassphraseEnv. A request the user got wrong is an
// *input.Problem; a failure to generate or write is any other error.
func (n NewKey) Write(getenv func(string) string) (*KeyPair, error) {
	if strings.HasSuffix(n.Path, ".pub") { // --sign-key reads a .pub path as "the key is in ssh-agent"
		return nil, input.Problemf("name the private key; its public key is written next to it as PATH.pub",
			"--out %s: the private key's path must not end in .pub", n.Path)
	}
	var pass []byte
	if n.PassphraseEnv != "" {
		v := getenv(n.PassphraseEnv)
		if v == "" {
			return nil, input.Problemf("export the passphrase in that variable first", "--passphrase-env: %s is not set or empty", n.PassphraseEnv)
		}
		pass = []byte(v)
	}
	defer clear(pass)
	if !slices.Contains(KeyTypes, n.Type) {
		return nil, input.Problemf("", "--type %q: want one of %s", n.Type, strings.Join(KeyTypes, ", "))
	}
	kp, err := GenerateKeyType(n.Type, pass, n.Comment)
	if err != nil {
		return nil, fmt.Errorf("generating the key: %w", err)
	}
	if err := WriteKeyPair(n.Path, kp, n.Force); err != nil {
		var ie *InputError
		if errors.As(err, &ie) {
			return nil, err
		}
		return nil, fmt.Errorf("writing %s: %w", n.Path, input.PathErr(err))
	}
	return kp, nil
}
