package submission

import (
	"errors"

	"filippo.io/age"

	"github.com/selfassess/selfassess/internal/input"
)

// maxTrustFile bounds a public key, allowed_signers or identity file.
const maxTrustFile = 1 << 20

// LoadTrust is the trust for a submission from --signer (the team's
// public key) or --allowed-signers; with neither, the package's own
// allowed_signers (integrity only). Problems are *input.Problem.
func LoadTrust(signer, allowedSigners string) (TrustedKeys, error) {
	switch {
	case signer != "" && allowedSigners != "":
		return TrustedKeys{}, input.Problemf("", "use --signer or --allowed-signers, not both")
	case signer != "":
		b, err := input.ReadFile(signer, maxTrustFile)
		if err != nil {
			return TrustedKeys{}, input.Problemf("", "--signer: %w", input.PathErr(err))
		}
		keys, err := ParsePublicKeys(b)
		if err != nil {
			return TrustedKeys{}, input.Problemf("give the team's .pub file", "--signer %s: %w", signer, err)
		}
		return TrustedKeys{Keys: keys, Source: "--signer " + signer}, nil
	case allowedSigners != "":
		b, err := input.ReadFile(allowedSigners, maxTrustFile)
		if err != nil {
			return TrustedKeys{}, input.Problemf("", "--allowed-signers: %w", input.PathErr(err))
		}
		signers, err := ParseAllowedSigners(allowedSigners, b)
		if errors.Is(err, ErrCertAuthority) {
			return TrustedKeys{}, input.Problemf("", "--allowed-signers %w", err)
		}
		if err != nil {
			return TrustedKeys{}, input.Problemf("each line is PRINCIPALS [OPTIONS] KEYTYPE KEY; a single .pub file goes to --signer", "--allowed-signers %w", err)
		}
		return TrustedKeys{Signers: signers, Source: "--allowed-signers " + allowedSigners}, nil
	}
	return TrustedKeys{}, nil
}

// IdentitySource is --identity, the key that decrypts an age-encrypted
// package, and where an encrypted SSH key's passphrase comes from.
type IdentitySource struct {
	Path string
	// Getenv reads EnvPassphrase; Prompt (nil without a terminal) asks.
	Getenv func(string) string
	Prompt func(prompt string) ([]byte, error)
}

// identities reads and parses the identity file.
func (s IdentitySource) identities() ([]age.Identity, error) {
	b, err := input.ReadFile(s.Path, maxTrustFile)
	if err != nil {
		return nil, input.Problemf("", "--identity: %w", input.PathErr(err))
	}
	var pass func() ([]byte, error)
	if v := s.passphrase(); v != "" {
		pass = func() ([]byte, error) { return []byte(v), nil }
	} else if s.Prompt != nil {
		pass = func() ([]byte, error) { return s.Prompt("Passphrase for " + s.Path + ": ") }
	}
	ids, err := ParseIdentity("--identity "+s.Path, b, pass)
	if err != nil {
		return nil, &input.Problem{Err: err}
	}
	return ids, nil
}

// VerifyPackage verifies the package at path (zip or folder), decrypting
// an age-encrypted one in memory with id. An identity for a package that
// is not encrypted, or none for one that is, is refused. Every error is a
// *input.Problem: what cannot be verified is what the user gave.
func VerifyPackage(path string, trust TrustedKeys, id IdentitySource) (*Result, error) {
	var res *Result
	var err error
	switch encrypted := IsEncrypted(path); {
	case encrypted && id.Path == "":
		return nil, input.Problemf("give your private key with --identity KEY, or decrypt first: age -d -i KEY "+path+" > PACKAGE.zip",
			"%s is encrypted with age", path)
	case encrypted:
		ids, ierr := id.identities()
		if ierr != nil {
			return nil, ierr
		}
		res, err = VerifyEncrypted(path, ids, trust)
	case id.Path != "":
		return nil, input.Problemf("", "--identity: %s is not encrypted", path)
	default:
		res, err = Verify(path, trust)
	}
	if err != nil && !errors.As(err, new(*input.Problem)) {
		err = &input.Problem{Err: err}
	}
	return res, err
}

func (s IdentitySource) passphrase() string {
	if s.Getenv == nil {
		return ""
	}
	return s.Getenv(EnvPassphrase)
}
