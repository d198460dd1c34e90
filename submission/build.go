package submission

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"
)

// File is one file of the package, by its slash-separated relative name.
type File struct {
	Name string
	Data []byte
}

// EvidenceFile is a file on disk copied into evidence/Name.
type EvidenceFile struct {
	Name string // relative to evidence/
	Src  string
}

// Options control Build.
type Options struct {
	// Signer signs SHA256SUMS; nil writes an unsigned package.
	Signer ssh.Signer
	// Date is every zip entry's modification time (the report date).
	Date time.Time
	// Zip is the path of the zip to write; "" writes none.
	Zip string
	// Namespace and Principal of the signature and the allowed_signers
	// line; "" means the submission's (selfassess). Reviews use
	// selfassess-review.
	Namespace, Principal string
	// VerifyMD, when set, replaces the generated VERIFY.md (whose commands
	// are the submission's).
	VerifyMD []byte
	// EncryptTo, when set, encrypts the zip with age to these reviewers as
	// Zip+".age" and removes the plain zip unless KeepPlain.
	EncryptTo []Recipient
	KeepPlain bool
}

// Package describes what Build wrote.
type Package struct {
	Dir         string
	Zip         string
	Files       []string // relative names, sorted, including SHA256SUMS(.sig)
	Fingerprint string   // "" when unsigned
	// Encrypted is the age-encrypted zip ("" when not encrypted); Zip is
	// then "" unless the plain zip was kept.
	Encrypted string
	// Foreign are files already in Dir that are not part of the package;
	// verifying the folder reports them as extra (the zip is clean).
	Foreign []string
}

// maxEvidenceFile bounds one evidence file.
const maxEvidenceFile = 256 << 20

// Build writes the package into dir: files, evidence copies, VERIFY.md,
// allowed_signers, SHA256SUMS and SHA256SUMS.sig, then the zip. Files a
// previous package in dir listed and this one does not are removed; other
// files are left alone and reported as Foreign.
func Build(dir string, files []File, evidence []EvidenceFile, opts Options) (*Package, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	previous := listedIn(filepath.Join(dir, SumsFile))

	sums := map[string]string{} // name → hex
	put := func(name string, data []byte) error {
		if err := checkName(name); err != nil {
			return err
		}
		if _, dup := sums[name]; dup {
			return fmt.Errorf("package file %s given twice", name)
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := writeReplacing(p, data); err != nil {
			return err
		}
		h := sha256.Sum256(data)
		sums[name] = hex.EncodeToString(h[:])
		return nil
	}
	for _, f := range files {
		if err := put(f.Name, f.Data); err != nil {
			return nil, err
		}
	}
	for _, e := range evidence {
		name := path.Join(EvidenceDir, e.Name)
		dst := filepath.Join(dir, filepath.FromSlash(name))
		if err := checkName(name); err != nil {
			return nil, err
		}
		if _, dup := sums[name]; dup {
			return nil, fmt.Errorf("evidence file %s given twice", name)
		}
		sum, err := copyRegular(e.Src, dst)
		if err != nil {
			return nil, err
		}
		sums[name] = sum
	}
	signed := opts.Signer != nil
	fp := ""
	var allowed []byte
	if signed {
		fp = ssh.FingerprintSHA256(opts.Signer.PublicKey())
		allowed = AllowedSignersLineFor(opts.Signer.PublicKey(), opts.Principal, opts.Namespace)
		if err := put(AllowedSignersFile, allowed); err != nil {
			return nil, err
		}
	}
	vmd := opts.VerifyMD
	if vmd == nil {
		vmd = verifyMD(filepath.Base(dir), opts.Zip, fp, allowed, opts.EncryptTo)
	}
	if err := put(VerifyFile, vmd); err != nil {
		return nil, err
	}

	sumsData := FormatSums(sums)
	if err := writeReplacing(filepath.Join(dir, SumsFile), sumsData); err != nil {
		return nil, err
	}
	all := map[string][]byte{SumsFile: sumsData}
	sigPath := filepath.Join(dir, SigFile)
	if signed {
		sig, err := SignNamespace(sumsData, opts.Signer, opts.Namespace)
		if err != nil {
			return nil, fmt.Errorf("signing %s: %w", SumsFile, err)
		}
		if err := writeReplacing(sigPath, sig); err != nil {
			return nil, err
		}
		all[SigFile] = sig
	} else if err := os.Remove(sigPath); err != nil && !os.IsNotExist(err) {
		return nil, err // a stale signature would not match
	}

	pkg := &Package{Dir: dir, Zip: opts.Zip, Fingerprint: fp}
	for n := range sums {
		pkg.Files = append(pkg.Files, n)
	}
	for n := range all {
		pkg.Files = append(pkg.Files, n)
	}
	sort.Strings(pkg.Files)

	// Remove what the previous package listed and this one does not.
	for _, n := range previous {
		if _, ok := sums[n]; ok || checkName(n) != nil {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(n))
		if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() {
			os.Remove(p)
		}
	}
	pkg.Foreign = foreignFiles(dir, pkg.Files, opts.Zip)

	if opts.Zip != "" {
		if err := writeZip(opts.Zip, dir, pkg.Files, opts.Date); err != nil {
			return nil, fmt.Errorf("writing %s: %w", opts.Zip, err)
		}
	}
	if opts.Zip != "" && len(opts.EncryptTo) > 0 {
		pkg.Encrypted = opts.Zip + AgeExt
		if err := EncryptFile(opts.Zip, pkg.Encrypted, opts.EncryptTo); err != nil {
			return nil, fmt.Errorf("encrypting %s: %w", opts.Zip, err)
		}
		if !opts.KeepPlain {
			if err := os.Remove(opts.Zip); err != nil {
				return nil, err
			}
			pkg.Zip = ""
		}
	} else if opts.Zip != "" {
		// A stale encrypted copy of an earlier package would not match this one.
		if err := os.Remove(opts.Zip + AgeExt); err != nil && !os.IsNotExist(err) {
			return nil, err
		}
	}
	return pkg, nil
}

// Sign returns the armored SSH signature (namespace selfassess) of data.
func Sign(data []byte, signer ssh.Signer) ([]byte, error) {
	return SignNamespace(data, signer, Namespace)
}

// SignNamespace signs data under namespace ("" = selfassess).
func SignNamespace(data []byte, signer ssh.Signer, namespace string) ([]byte, error) {
	if namespace == "" {
		namespace = Namespace
	}
	if s, ok := signer.(*Signer); ok {
		signer = s.Signer // its AlgorithmSigner: RSA keys sign with rsa-sha2-512
	}
	sig, err := sshsig.Sign(bytes.NewReader(data), signer, sshsig.HashSHA512, namespace)
	if err != nil {
		return nil, err
	}
	return sshsig.Armor(sig), nil
}

// AllowedSignersLine is an allowed_signers entry for pub, limited to the namespace.
func AllowedSignersLine(pub ssh.PublicKey) []byte {
	return AllowedSignersLineFor(pub, Principal, Namespace)
}

// AllowedSignersLineFor is an allowed_signers entry for pub naming
// principal, limited to namespace ("" = the submission's).
func AllowedSignersLineFor(pub ssh.PublicKey, principal, namespace string) []byte {
	if principal == "" {
		principal = Principal
	}
	if namespace == "" {
		namespace = Namespace
	}
	key := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
	return []byte(fmt.Sprintf("%s namespaces=%q %s\n", principal, namespace, key))
}

// FormatSums writes "HEX  name" lines sorted by name (sha256sum -c format).
func FormatSums(sums map[string]string) []byte {
	names := make([]string, 0, len(sums))
	for n := range sums {
		names = append(names, n)
	}
	sort.Strings(names)
	var b bytes.Buffer
	for _, n := range names {
		fmt.Fprintf(&b, "%s  %s\n", sums[n], n)
	}
	return b.Bytes()
}

// checkName accepts clean, relative, slash-separated names without "..".
func checkName(name string) error {
	if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, "\\") || path.Clean(name) != name ||
		name == ".." || strings.HasPrefix(name, "../") || strings.ContainsAny(name, "\n\r") || (len(name) > 1 && name[1] == ':') {
		return fmt.Errorf("unsafe package path %q", name)
	}
	return nil
}

// writeReplacing writes data to p via a temp file and rename, so a reader
// never sees half a file and a symlink at p is replaced, not followed.
func writeReplacing(p string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-"+filepath.Base(p)+"-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// copyRegular copies a regular file (never a symlink or device) and returns its hash.
func copyRegular(src, dst string) (string, error) {
	fi, err := os.Lstat(src)
	if err != nil {
		return "", inputErr("", fmt.Errorf("evidence file %v", unwrapPath(err)))
	}
	if !fi.Mode().IsRegular() {
		return "", inputErr("copy the file itself into place", fmt.Errorf("evidence file %s is not a regular file (symlinks and devices are not copied)", src))
	}
	if fi.Size() > maxEvidenceFile {
		return "", inputErr("", fmt.Errorf("evidence file %s is larger than %d MiB", src, maxEvidenceFile>>20))
	}
	if dfi, err := os.Stat(dst); err == nil && os.SameFile(fi, dfi) {
		// already in place (answers kept inside the output folder)
		b, err := os.ReadFile(src)
		if err != nil {
			return "", err
		}
		h := sha256.Sum256(b)
		return hex.EncodeToString(h[:]), nil
	}
	in, err := os.Open(src)
	if err != nil {
		return "", inputErr("", fmt.Errorf("evidence file %v", unwrapPath(err)))
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".tmp-evidence-*")
	if err != nil {
		return "", err
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(tmp, h), io.LimitReader(in, maxEvidenceFile))
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// listedIn returns the names a SHA256SUMS file lists (nil if none).
func listedIn(p string) []string {
	b, err := readBounded(p, maxSums)
	if err != nil {
		return nil
	}
	entries, err := ParseSums(b)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name)
	}
	return out
}

// foreignFiles lists files in dir that the package does not hold.
func foreignFiles(dir string, files []string, zipPath string) []string {
	ours := map[string]bool{}
	for _, f := range files {
		ours[f] = true
	}
	zipAbs, _ := filepath.Abs(zipPath)
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return nil
		}
		rel = filepath.ToSlash(rel)
		if abs, _ := filepath.Abs(p); zipPath != "" && abs == zipAbs {
			return nil
		}
		if !ours[rel] {
			out = append(out, rel)
		}
		return nil
	})
	return out
}

// writeZip writes the listed files under a top-level folder named after
// dir: sorted entries, fixed times, so the same package gives the same zip.
func writeZip(zipPath, dir string, files []string, date time.Time) error {
	if date.IsZero() || date.Year() < 1980 {
		date = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	root := zipRoot(dir)
	tmp, err := os.CreateTemp(filepath.Dir(zipPath), ".tmp-zip-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	zw := zip.NewWriter(tmp)
	for _, name := range files {
		f, err := os.Open(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			tmp.Close()
			return err
		}
		hdr := &zip.FileHeader{Name: root + "/" + name, Method: zip.Deflate, Modified: date.UTC()}
		hdr.SetMode(0o644)
		w, err := zw.CreateHeader(hdr)
		if err == nil {
			_, err = io.Copy(w, f)
		}
		f.Close()
		if err != nil {
			tmp.Close()
			return err
		}
	}
	if err := zw.Close(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), zipPath)
}

func zipRoot(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	b := filepath.Base(abs)
	if b == "/" || b == "." || b == "" {
		b = "package"
	}
	return b
}

// ZipPathFor is where the zip of a package folder goes: next to it, named
// after it ("out" → "out.zip").
func ZipPathFor(dir string) string {
	c := filepath.Clean(dir)
	if b := filepath.Base(c); b != "." && b != ".." && b != string(filepath.Separator) {
		return c + ".zip"
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	return filepath.Join(filepath.Dir(abs), zipRoot(dir)+".zip")
}
