package submission

import (
	"bytes"
	"fmt"
	"path/filepath"
)

// verifyMD is VERIFY.md: the exact commands a reviewer runs.
func verifyMD(folder, zipPath, fingerprint string, allowed []byte, encryptedTo []Recipient) []byte {
	zipName := folder + ".zip"
	if zipPath != "" {
		zipName = filepath.Base(zipPath)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Verifying this package\n\n")
	if len(encryptedTo) > 0 {
		fmt.Fprintf(&b, "This package travels encrypted with age as `%s%s`, readable only with the private key of:\n\n", zipName, AgeExt)
		for _, r := range encryptedTo {
			fmt.Fprintf(&b, "- %s\n", r.Label)
		}
		fmt.Fprintf(&b, "\nDecrypt it with stock age (Debian/Ubuntu: `apt install age`), or verify it without writing the\nplain zip anywhere:\n\n")
		fmt.Fprintf(&b, "```sh\nage -d -i ~/.ssh/id_ed25519 %s%s > %s\nselfassess verify %s%s --identity ~/.ssh/id_ed25519 --signer team.pub\n```\n\n", zipName, AgeExt, zipName, zipName, AgeExt)
	}
	if fingerprint == "" {
		fmt.Fprintf(&b, "**This package is NOT signed.** `SHA256SUMS` lets you check that the files are intact,\n")
		fmt.Fprintf(&b, "but nothing proves who produced them. Ask the team for a signed package.\n\n")
		fmt.Fprintf(&b, "```sh\ncd %s\nsha256sum -c SHA256SUMS\n```\n", folder)
		return b.Bytes()
	}
	fmt.Fprintf(&b, "`SHA256SUMS` lists the SHA-256 of every file in this package; `SHA256SUMS.sig` is an SSH\n")
	fmt.Fprintf(&b, "signature of it (namespace `%s`) made with the key\n\n    %s\n\n", Namespace, fingerprint)
	fmt.Fprintf(&b, "Compare that fingerprint with the public key the team gave you through another channel\n")
	fmt.Fprintf(&b, "(`ssh-keygen -lf team.pub` prints it). The `allowed_signers` file in this package only\n")
	fmt.Fprintf(&b, "repeats the key that signed it: checking against it proves the files are intact, not who signed them.\n\n")
	fmt.Fprintf(&b, "## With selfassess\n\n```sh\nselfassess verify %s --signer team.pub\n```\n\n", zipName)
	fmt.Fprintf(&b, "## With stock tools (OpenSSH 8.1+ and coreutils)\n\n```sh\nunzip %s && cd %s\n", zipName, folder)
	fmt.Fprintf(&b, "sha256sum -c SHA256SUMS\n")
	fmt.Fprintf(&b, "echo \"%s namespaces=\\\"%s\\\" $(cat ../team.pub)\" > ../team_allowed_signers\n", Principal, Namespace)
	fmt.Fprintf(&b, "ssh-keygen -Y verify -f ../team_allowed_signers -I %s -n %s -s SHA256SUMS.sig < SHA256SUMS\n```\n\n", Principal, Namespace)
	fmt.Fprintf(&b, "Integrity only, against the key the package names itself:\n\n```sh\n")
	fmt.Fprintf(&b, "ssh-keygen -Y verify -f allowed_signers -I %s -n %s -s SHA256SUMS.sig < SHA256SUMS\n```\n\n", Principal, Namespace)
	fmt.Fprintf(&b, "`sha256sum -c` does not notice files added to the folder; `selfassess verify` does.\n\n")
	fmt.Fprintf(&b, "`report.pdf` also carries an embedded PDF signature over the same key when the key is ECDSA\n")
	fmt.Fprintf(&b, "or RSA (Ed25519 PDF signatures are accepted by no PDF reader): your PDF reader's signature panel\n")
	fmt.Fprintf(&b, "shows it, `pdfsig report.pdf` (poppler-utils) checks it, and `selfassess verify` checks that its\n")
	fmt.Fprintf(&b, "certificate's key is the key above.\n\n")
	fmt.Fprintf(&b, "The signing key, as an allowed_signers line:\n\n    %s", allowed)
	return b.Bytes()
}
