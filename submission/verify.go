package submission

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"

	"github.com/selfassess/selfassess/internal/input"
)

// Limits for reading untrusted packages (zip bombs, huge folders).
const (
	maxSums         = 4 << 20  // SHA256SUMS, allowed_signers
	maxSig          = 64 << 10 // SHA256SUMS.sig
	maxEntries      = 20000    // files in a package
	maxEntrySize    = 1 << 30  // one file, decompressed
	maxTotalSize    = 4 << 30  // all files, decompressed
	maxCompressRate = 200      // decompressed/compressed for large entries
	smallEntry      = 1 << 20  // entries below this are not ratio-checked
)

// SumEntry is one SHA256SUMS line.
type SumEntry struct {
	Hex  string
	Name string
}

// ParseSums reads "HEX  name" / "HEX *name" lines.
func ParseSums(b []byte) ([]SumEntry, error) {
	var out []SumEntry
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if line == "" {
			continue
		}
		if len(line) < 67 || (line[64] != ' ') || (line[65] != ' ' && line[65] != '*') {
			return nil, fmt.Errorf("%s line %d: want \"SHA256  path\"", SumsFile, n)
		}
		h := strings.ToLower(line[:64])
		if _, err := hex.DecodeString(h); err != nil {
			return nil, fmt.Errorf("%s line %d: bad hex digest", SumsFile, n)
		}
		out = append(out, SumEntry{Hex: h, Name: line[66:]})
	}
	return out, sc.Err()
}

// TrustedKeys says which keys may have signed the package.
type TrustedKeys struct {
	// Keys are keys trusted outright (--signer), for any principal.
	Keys []ssh.PublicKey
	// Signers are allowed_signers lines (--allowed-signers): the key must be
	// listed for principal selfassess, within its valid-after/valid-before,
	// and for namespace selfassess when the line restricts namespaces.
	// With neither Keys nor Signers, the package's own allowed_signers is
	// used the same way, which proves integrity only.
	Signers []AllowedSigner
	// Source describes where the keys came from, for the report.
	Source string
	// Now is the time validity is checked at; nil means time.Now.
	Now func() time.Time
	// Namespace and Principal the signature must carry and the key be
	// allowed for; "" means the submission's (selfassess). A review is
	// checked with selfassess-review, so neither passes for the other.
	Namespace, Principal string
	// Keep names files whose contents Result.Files returns (bounded by
	// MaxKept), read in the same pass that hashes them.
	Keep []string
}

// MaxKept bounds one file returned in Result.Files.
const MaxKept = 64 << 20

func (t TrustedKeys) namespace() string {
	if t.Namespace == "" {
		return Namespace
	}
	return t.Namespace
}

func (t TrustedKeys) principal() string {
	if t.Principal == "" {
		return Principal
	}
	return t.Principal
}

// Result is what verification found.
type Result struct {
	Source string // what was verified
	// Checked are files whose hash matched.
	Checked    []string
	Mismatched []string
	Missing    []string
	Extra      []string
	// Rejected are entries refused outright (escaping paths, links, bombs).
	Rejected []string
	// Problems are other failures (malformed SHA256SUMS, bad signature…).
	Problems []string

	Signed      bool
	SignatureOK bool
	KeyFP       string // the signing key's fingerprint
	// ValidUntrusted: the signature is sound but by a key the given trust
	// does not list (another team's key, or a rotated one).
	ValidUntrusted bool
	KeyType        string
	TrustSource    string
	// IdentityProven: the key was given by the verifier, not taken from the package.
	IdentityProven bool
	// SumsSHA256 is the hex SHA-256 of SHA256SUMS: the package's digest,
	// which a review names.
	SumsSHA256 string
	// Files holds the contents of TrustedKeys.Keep's files that were found.
	Files map[string][]byte
	// PDFs are the embedded signatures of the package's top-level PDFs.
	PDFs []PDFCheck
	// Decrypted: the package was an age-encrypted zip, opened in memory.
	Decrypted bool

	signerKey ssh.PublicKey // the key that signed SHA256SUMS, once checked
}

// OK: every hash matched, nothing missing, extra or rejected, and a valid signature.
func (r *Result) OK() bool {
	return len(r.Mismatched)+len(r.Missing)+len(r.Extra)+len(r.Rejected)+len(r.Problems) == 0 && r.Signed && r.SignatureOK
}

// pkgFile is one file of a package being verified.
type pkgFile struct {
	hash string
	data []byte // kept only for the package's own small files
}

// Verify checks a package folder or zip. An error means the input could
// not be read as a package at all (exit 2); verification failures are in Result.
func Verify(p string, trust TrustedKeys) (*Result, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, unwrapPath(err)
	}
	res := &Result{Source: p}
	kept := keptFiles(trust)
	var files map[string]*pkgFile
	if fi.IsDir() {
		files, err = readDir(p, res, kept)
	} else {
		files, err = readZip(p, fi.Size(), res, kept)
	}
	if err != nil {
		return nil, err
	}
	finish(files, trust, res)
	return res, nil
}

// keptFiles are the files whose contents verification reads (name → size
// limit): the package's own, the PDFs whose embedded signature it checks,
// and trust.Keep.
func keptFiles(trust TrustedKeys) map[string]int64 {
	kept := map[string]int64{SumsFile: maxSums, SigFile: maxSig, AllowedSignersFile: maxSums}
	for _, name := range signedPDFs {
		kept[name] = maxPDF
	}
	for _, k := range trust.Keep {
		if _, own := kept[k]; !own {
			kept[k] = MaxKept
		}
	}
	return kept
}

// finish checks what was read and returns trust.Keep's files.
func finish(files map[string]*pkgFile, trust TrustedKeys, res *Result) {
	check(files, trust, res)
	for _, k := range trust.Keep {
		if f, ok := files[k]; ok && f.data != nil {
			if res.Files == nil {
				res.Files = map[string][]byte{}
			}
			res.Files[k] = f.data
		}
	}
}

// ownFile: the package's own files, never listed in SHA256SUMS (but allowed_signers).
func ownFile(name string) bool {
	return name == SumsFile || name == SigFile || name == AllowedSignersFile
}

// hashReader hashes r (bounded) and keeps the data of the files in kept
// (name → size limit).
func hashReader(name string, r io.Reader, limit int64, kept map[string]int64) (*pkgFile, int64, error) {
	h := sha256.New()
	var buf *bytes.Buffer
	w := io.Writer(h)
	if kl, ok := kept[name]; ok {
		buf = &bytes.Buffer{}
		w = io.MultiWriter(h, buf)
		limit = min(limit, kl)
	}
	n, err := io.Copy(w, io.LimitReader(r, limit+1))
	if err != nil {
		return nil, n, err
	}
	if n > limit {
		return nil, n, fmt.Errorf("larger than %d bytes", limit)
	}
	f := &pkgFile{hash: hex.EncodeToString(h.Sum(nil))}
	if buf != nil {
		f.data = buf.Bytes()
	}
	return f, n, nil
}

func readDir(dir string, res *Result, kept map[string]int64) (map[string]*pkgFile, error) {
	if _, err := os.Stat(filepath.Join(dir, SumsFile)); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, errNotPackage)
	}
	files := map[string]*pkgFile{}
	var total int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			res.Rejected = append(res.Rejected, rel+": is a symbolic link")
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			res.Rejected = append(res.Rejected, rel+": not a regular file")
			return nil
		}
		if len(files) >= maxEntries {
			return fmt.Errorf("more than %d files", maxEntries)
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		pf, n, err := hashReader(rel, f, maxEntrySize, kept)
		if err != nil {
			res.Rejected = append(res.Rejected, rel+": "+err.Error())
			return nil
		}
		if total += n; total > maxTotalSize {
			return fmt.Errorf("more than %d GiB in total", maxTotalSize>>30)
		}
		files[rel] = pf
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %v", dir, unwrapPath(err))
	}
	return files, nil
}

// zipEntryName validates a zip entry name: relative, no "..", no
// backslashes or drive letters. It returns the cleaned name.
func zipEntryName(name string) (string, error) {
	switch {
	case name == "":
		return "", errors.New("empty name")
	case strings.Contains(name, "\\"):
		return "", errors.New("backslash in name")
	case strings.HasPrefix(name, "/"), len(name) > 1 && name[1] == ':':
		return "", errors.New("absolute path")
	}
	for _, part := range strings.Split(strings.TrimSuffix(name, "/"), "/") {
		if part == ".." {
			return "", errors.New("escapes the package folder (..)")
		}
	}
	return path.Clean(name), nil
}

func readZip(p string, size int64, res *Result, kept map[string]int64) (map[string]*pkgFile, error) {
	zf, err := input.Open(p)
	if err != nil {
		return nil, unwrapPath(err)
	}
	defer zf.Close()
	return readZipAt(p, zf, size, res, kept)
}

// readZipAt reads a package zip from r (a file, or the plaintext of an
// age-encrypted one); p names it in errors.
func readZipAt(p string, r io.ReaderAt, size int64, res *Result, kept map[string]int64) (map[string]*pkgFile, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%s: not a zip file or folder: %v", p, err)
	}
	if len(zr.File) > maxEntries {
		return nil, fmt.Errorf("%s: more than %d entries", p, maxEntries)
	}
	// Validate every name first; a single bad entry rejects the archive.
	var names []string
	bad := false
	for _, f := range zr.File {
		name, err := zipEntryName(f.Name)
		if err != nil {
			res.Rejected = append(res.Rejected, fmt.Sprintf("%q: %v", f.Name, err))
			bad = true
			continue
		}
		mode := f.Mode()
		switch {
		case mode&fs.ModeSymlink != 0:
			res.Rejected = append(res.Rejected, fmt.Sprintf("%q: is a symbolic link", f.Name))
			bad = true
		case mode.IsDir() || strings.HasSuffix(f.Name, "/"):
		case !mode.IsRegular():
			res.Rejected = append(res.Rejected, fmt.Sprintf("%q: not a regular file", f.Name))
			bad = true
		default:
			names = append(names, name)
		}
	}
	if bad {
		return map[string]*pkgFile{}, nil
	}
	root := commonRoot(names)
	files := map[string]*pkgFile{}
	var total int64
	for _, f := range zr.File {
		name, _ := zipEntryName(f.Name)
		if f.Mode().IsDir() || strings.HasSuffix(f.Name, "/") {
			continue
		}
		rel := strings.TrimPrefix(name, root)
		if _, dup := files[rel]; dup {
			res.Rejected = append(res.Rejected, fmt.Sprintf("%q: duplicate entry", f.Name))
			continue
		}
		if f.UncompressedSize64 > maxEntrySize {
			res.Rejected = append(res.Rejected, fmt.Sprintf("%q: larger than %d MiB", f.Name, maxEntrySize>>20))
			continue
		}
		limit := int64(maxEntrySize)
		// Bound the decompression ratio: a few KiB must not inflate to GiB.
		if r := int64(f.CompressedSize64) * maxCompressRate; r > smallEntry && r < limit {
			limit = r
		} else if r <= smallEntry {
			limit = min(limit, smallEntry)
		}
		rc, err := f.Open()
		if err != nil {
			res.Rejected = append(res.Rejected, fmt.Sprintf("%q: %v", f.Name, err))
			continue
		}
		pf, n, err := hashReader(rel, rc, limit, kept)
		rc.Close()
		if err != nil {
			res.Rejected = append(res.Rejected, fmt.Sprintf("%q: %v", f.Name, err))
			continue
		}
		if total += n; total > maxTotalSize {
			return nil, fmt.Errorf("%s: more than %d GiB when decompressed", p, maxTotalSize>>30)
		}
		files[rel] = pf
	}
	return files, nil
}

// commonRoot is "dir/" when every name is under the same top-level folder.
func commonRoot(names []string) string {
	if len(names) == 0 {
		return ""
	}
	i := strings.IndexByte(names[0], '/')
	if i < 0 {
		return ""
	}
	root := names[0][:i+1]
	for _, n := range names[1:] {
		if !strings.HasPrefix(n, root) {
			return ""
		}
	}
	return root
}

func check(files map[string]*pkgFile, trust TrustedKeys, res *Result) {
	if len(res.Rejected) > 0 {
		return // a rejected archive is not examined further
	}
	sumsFile, ok := files[SumsFile]
	if !ok {
		res.Problems = append(res.Problems, SumsFile+" is missing")
		return
	}
	sumsHash := sha256.Sum256(sumsFile.data)
	res.SumsSHA256 = hex.EncodeToString(sumsHash[:])
	entries, err := ParseSums(sumsFile.data)
	if err != nil {
		res.Problems = append(res.Problems, err.Error())
		return
	}
	listed := map[string]bool{}
	for _, e := range entries {
		if err := checkName(e.Name); err != nil || ownFile(e.Name) && e.Name != AllowedSignersFile {
			res.Problems = append(res.Problems, fmt.Sprintf("%s lists %q", SumsFile, e.Name))
			continue
		}
		if listed[e.Name] {
			res.Problems = append(res.Problems, fmt.Sprintf("%s lists %q twice", SumsFile, e.Name))
			continue
		}
		listed[e.Name] = true
		f, ok := files[e.Name]
		switch {
		case !ok:
			res.Missing = append(res.Missing, e.Name)
		case f.hash != e.Hex:
			res.Mismatched = append(res.Mismatched, e.Name)
		default:
			res.Checked = append(res.Checked, e.Name)
		}
	}
	for n := range files {
		if !listed[n] && n != SumsFile && n != SigFile {
			res.Extra = append(res.Extra, n)
		}
	}
	sort.Strings(res.Extra)
	checkSignature(files, sumsFile.data, trust, res)
	checkPDFs(files, res)
}

func checkSignature(files map[string]*pkgFile, sums []byte, trust TrustedKeys, res *Result) {
	sigFile, ok := files[SigFile]
	if !ok {
		res.Problems = append(res.Problems, "the package is not signed ("+SigFile+" is missing)")
		return
	}
	res.Signed = true
	sig, err := sshsig.Unarmor(sigFile.data)
	if err != nil {
		res.Problems = append(res.Problems, SigFile+" is not an SSH signature: "+err.Error())
		return
	}
	res.KeyFP = ssh.FingerprintSHA256(sig.PublicKey)
	res.KeyType = sig.PublicKey.Type()
	if sig.Namespace != trust.namespace() {
		res.Problems = append(res.Problems, fmt.Sprintf("signature namespace is %q, want %q", sig.Namespace, trust.namespace()))
		return
	}
	res.TrustSource = trust.Source
	signers := trust.Signers
	if len(trust.Keys) == 0 && len(signers) == 0 {
		res.TrustSource = "the package's own " + AllowedSignersFile
		af, ok := files[AllowedSignersFile]
		if !ok {
			res.Problems = append(res.Problems, AllowedSignersFile+" is missing; give --signer or --allowed-signers")
			return
		}
		signers, err = ParseAllowedSigners(AllowedSignersFile, af.data)
		if err != nil {
			res.Problems = append(res.Problems, err.Error())
			return
		}
	} else {
		res.IdentityProven = true
	}
	// Checked before trust so a reviewer learns whether the signature is
	// sound but by another key, or broken.
	sigErr := sshsig.Verify(bytes.NewReader(sums), sig, sig.PublicKey, sig.HashAlgorithm, trust.namespace())
	if ok, why := trusted(sig.PublicKey, trust, signers); !ok {
		p := fmt.Sprintf("signed by %s, which is not a trusted key (%s)", res.KeyFP, res.TrustSource)
		if sigErr == nil {
			res.ValidUntrusted = true
			p = fmt.Sprintf("the signature is valid, but by %s, not by the key you trust (%s)", res.KeyFP, res.TrustSource)
		}
		if why != "" {
			p += ": " + why
		}
		res.Problems = append(res.Problems, p)
		return
	}
	if sigErr != nil {
		res.Problems = append(res.Problems, "the signature does not match "+SumsFile)
		return
	}
	res.SignatureOK = true
	res.signerKey = sig.PublicKey
}

// trusted: key is one of trust.Keys, or an allowed signer for principal
// and namespace selfassess now (ssh-keygen -Y verify -I selfassess -n
// selfassess). why says what the lines listing the key lack; "" when none
// lists it.
func trusted(key ssh.PublicKey, trust TrustedKeys, signers []AllowedSigner) (ok bool, why string) {
	for _, k := range trust.Keys {
		if string(k.Marshal()) == string(key.Marshal()) {
			return true, ""
		}
	}
	now := time.Now()
	if trust.Now != nil {
		now = trust.Now()
	}
	var reasons []string
	for i := range signers {
		ok, reason := signers[i].verdict(key, trust.principal(), trust.namespace(), now)
		if ok {
			return true, ""
		}
		if reason != "" {
			reasons = append(reasons, reason)
		}
	}
	return false, strings.Join(reasons, "; ")
}

// ParsePublicKeys reads one or more authorized_keys-format public keys (--signer).
func ParsePublicKeys(b []byte) ([]ssh.PublicKey, error) {
	var keys []ssh.PublicKey
	rest := b
	for len(bytes.TrimSpace(rest)) > 0 {
		pub, _, _, r, err := ssh.ParseAuthorizedKey(rest)
		if err != nil {
			if len(keys) > 0 {
				break
			}
			return nil, errors.New("no SSH public key found")
		}
		keys = append(keys, pub)
		rest = r
	}
	if len(keys) == 0 {
		return nil, errors.New("no SSH public key found")
	}
	return keys, nil
}
