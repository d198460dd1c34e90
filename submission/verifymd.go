package submission

import (
	"bytes"
	"fmt"
	"path/filepath"
)

// verifyMD is VERIFY.md: the exact commands a reviewer runs.
func verifyMD(folder, zipPath, fingerprint string, allowed []byte) []byte {
	zipName := folder + ".zip"
	if zipPath != "" {
		zipName = filepath.Base(zipPath)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Verifying this package\n\n")
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
	fmt.Fprintf(&b, "The signing key, as an allowed_signers line:\n\n    %s", allowed)
	return b.Bytes()
}
