// Package submission assembles the signed package: files, SHA256SUMS,
// SSH signature (namespace selfassess), zip; and verifies one. It also loads
// signing keys (file, ssh-agent, environment) and generates key pairs.
package submission

import (
	"errors"

	"github.com/selfassess/selfassess/internal/input"
)

// Namespace is the SSH signature namespace.
const Namespace = "selfassess"

// Principal is the identity named in the package's allowed_signers.
const Principal = "selfassess"

// Names of the package's own files.
const (
	SumsFile           = "SHA256SUMS"
	SigFile            = "SHA256SUMS.sig"
	AllowedSignersFile = "allowed_signers"
	VerifyFile         = "VERIFY.md"
	EvidenceDir        = "evidence"
)

// Environment variables read for signing.
const (
	EnvPassphrase = "SELFASSESS_KEY_PASSPHRASE"
	EnvSigningKey = "SELFASSESS_SIGNING_KEY"
	EnvAuthSock   = "SSH_AUTH_SOCK"
)

// InputError is a problem with what the user gave (a key, a path): exit 2
// in the CLI. Hint, when set, says how to fix it.
type InputError = input.Problem

func inputErr(hint string, err error) error { return &InputError{Err: err, Hint: hint} }

// errNotPackage: the path holds no SHA256SUMS at all.
var errNotPackage = errors.New("not a selfassess package: no " + SumsFile)
