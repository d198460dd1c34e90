package submission

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"

	"github.com/selfassess/selfassess/internal/evidence"
	"github.com/selfassess/selfassess/internal/input"
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
	// Info, when set, is the file as it was checked: the copy refuses
	// another file found at Src (replaced since).
	Info os.FileInfo
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
const maxEvidenceFile = evidence.MaxFile

// Build is BuildContext without cancellation.
func Build(dir string, files []File, evidence []EvidenceFile, opts Options) (*Package, error) {
	return BuildContext(context.Background(), dir, files, evidence, opts)
}

// BuildContext writes the package: files, evidence copies, VERIFY.md,
// allowed_signers, SHA256SUMS and SHA256SUMS.sig, then the zip. It builds
// them in a temporary folder beside dir and swaps it into place, then
// renames the new zip over the old one, so a failure, a full disk or a
// cancelled ctx leaves the previous package (folder and zip) as it was.
// Files in the previous folder that its SHA256SUMS did not list (the
// team's own) are carried over and reported as Foreign. The caller holds
// LockOutput(dir), so no other run replaces the package at the same time.
func BuildContext(ctx context.Context, dir string, files []File, evidence []EvidenceFile, opts Options) (pkg *Package, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := checkOutDir(abs); err != nil {
		return nil, err
	}
	if err := checkZipPaths(opts.Zip); err != nil {
		return nil, err
	}
	parent, base := filepath.Dir(abs), filepath.Base(abs)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(parent, "."+base+newSuffix)
	if err != nil {
		return nil, err
	}
	zipTmp, ageTmp := "", ""
	defer func() {
		if err != nil { // the previous package stays; nothing of ours is left
			os.RemoveAll(tmp)
			for _, f := range []string{zipTmp, ageTmp} {
				if f != "" {
					os.Remove(f)
				}
			}
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, err
	}
	previous := listedIn(filepath.Join(abs, SumsFile))

	sums := map[string]string{} // name → hex
	// claim accepts a name for the package: safe, and not taken yet.
	claim := func(name, what string) error {
		if err := checkName(name); err != nil {
			return err
		}
		if _, dup := sums[name]; dup {
			return fmt.Errorf("%s %s given twice", what, name)
		}
		return nil
	}
	put := func(name string, data []byte) error {
		if err := claim(name, "package file"); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		p := filepath.Join(tmp, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := writeSynced(p, data); err != nil {
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
		if err := claim(name, "evidence file"); err != nil {
			return nil, err
		}
		sum, err := copyRegular(ctx, e, filepath.Join(tmp, filepath.FromSlash(name)))
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
		vmd = verifyMD(base, opts.Zip, fp, allowed, opts.EncryptTo)
	}
	if err := put(VerifyFile, vmd); err != nil {
		return nil, err
	}

	sumsData := FormatSums(sums)
	if err := writeSynced(filepath.Join(tmp, SumsFile), sumsData); err != nil {
		return nil, err
	}
	all := map[string][]byte{SumsFile: sumsData}
	if signed {
		sig, err := SignNamespace(sumsData, opts.Signer, opts.Namespace)
		if err != nil {
			return nil, fmt.Errorf("signing %s: %w", SumsFile, err)
		}
		if err := writeSynced(filepath.Join(tmp, SigFile), sig); err != nil {
			return nil, err
		}
		all[SigFile] = sig
	}

	pkg = &Package{Dir: dir, Zip: opts.Zip, Fingerprint: fp}
	for n := range sums {
		pkg.Files = append(pkg.Files, n)
	}
	for n := range all {
		pkg.Files = append(pkg.Files, n)
	}
	sort.Strings(pkg.Files)
	if pkg.Foreign, err = carryForeign(ctx, abs, tmp, pkg.Files, previous, opts.Zip); err != nil {
		return nil, err
	}
	if err := step("files"); err != nil {
		return nil, err
	}

	if opts.Zip != "" {
		if zipTmp, err = writeZip(ctx, opts.Zip, tmp, base, pkg.Files, opts.Date); err != nil {
			return nil, fmt.Errorf("writing %s: %w", opts.Zip, err)
		}
	}
	if zipTmp != "" && len(opts.EncryptTo) > 0 {
		f, cerr := os.CreateTemp(filepath.Dir(opts.Zip), "."+filepath.Base(opts.Zip)+newSuffix+"age-*")
		if cerr != nil {
			return nil, cerr
		}
		ageTmp = f.Name()
		eerr := encryptFile(f, zipTmp, opts.EncryptTo)
		if cerr := f.Close(); eerr == nil {
			eerr = cerr
		}
		if eerr != nil {
			return nil, fmt.Errorf("encrypting %s: %w", opts.Zip, eerr)
		}
	}
	if err := step("zip"); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// The swap: the folder first, then the .age and the zip. Each file they
	// replace or remove is kept aside until all are in place; if one cannot
	// follow, all go back, so the folder, the zip and the .age always
	// belong to one package.
	old, err := swapIn(tmp, abs)
	if err != nil {
		return nil, fmt.Errorf("replacing %s: %w", dir, err)
	}
	var beside placer
	undo := func(cause error) error {
		if rerr := beside.rollback(); rerr != nil {
			cause = fmt.Errorf("%w; restoring the previous zip failed too: %v", cause, rerr)
		}
		if old == "" { // there was no previous package
			os.RemoveAll(abs)
			return cause
		}
		back, rerr := "", step("restore")
		if rerr == nil {
			back, rerr = swapIn(old, abs)
		}
		if rerr != nil {
			tmp = "" // with the exchange, old is tmp: keep it
			return fmt.Errorf("%w; restoring the previous package failed too: %v (it is in %s; move it before the next run)", cause, rerr, old)
		}
		os.RemoveAll(back)
		return fmt.Errorf("%w; the previous package is back in place", cause)
	}
	if err := step("swap"); err != nil {
		return nil, undo(err)
	}
	if opts.Zip != "" {
		aside := "." + filepath.Base(opts.Zip) + oldSuffix
		// The new .age, or none: a stale one would not match this package.
		if err := beside.put(ageTmp, opts.Zip+AgeExt, aside+"age-"); err != nil {
			return nil, undo(fmt.Errorf("replacing %s: %w", opts.Zip+AgeExt, err))
		}
		if ageTmp != "" {
			ageTmp, pkg.Encrypted = "", opts.Zip+AgeExt
		}
		if err := step("age"); err != nil {
			return nil, undo(err)
		}
		// The new zip, or none when only the encrypted one is kept.
		plain := zipTmp
		if pkg.Encrypted != "" && !opts.KeepPlain {
			plain, pkg.Zip = "", ""
		}
		if err := beside.put(plain, opts.Zip, aside); err != nil {
			return nil, undo(fmt.Errorf("replacing %s: %w", opts.Zip, err))
		}
		if plain != "" {
			zipTmp = ""
		}
		if err := step("plain"); err != nil {
			return nil, undo(err)
		}
	}
	beside.commit()
	if zipTmp != "" {
		os.Remove(zipTmp) // encrypted only: the plain zip was a step
	}
	syncDir(parent)
	if opts.Zip != "" && filepath.Dir(opts.Zip) != parent {
		syncDir(filepath.Dir(opts.Zip))
	}
	if old != "" {
		os.RemoveAll(old) // best effort: LockOutput removes leftovers
	}
	tmp = "" // swapped in: nothing to remove
	return pkg, nil
}

// placer puts files beside the package after the folder swap, keeping
// each file it replaces or removes aside until commit, so that rollback
// can restore every one.
type placer struct {
	undo  []func() error
	aside []string
}

// put moves the temporary file src to dst, or removes dst when src is "".
// A previous dst is kept aside under pattern (a name of ours, which
// LockOutput tidies after a crash).
func (p *placer) put(src, dst, pattern string) error {
	fi, err := os.Lstat(dst)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if src == "" {
			return nil
		}
		if err := os.Rename(src, dst); err != nil {
			return err
		}
		p.undo = append(p.undo, func() error { return os.Remove(dst) })
		return nil
	case err != nil:
		return err
	case fi.IsDir(): // checkZipPaths refused it; it appeared since
		return fmt.Errorf("%s is a folder", dst)
	}
	f, err := os.CreateTemp(filepath.Dir(dst), pattern+"*")
	if err != nil {
		return err
	}
	aside := f.Name()
	f.Close()
	os.Remove(aside) // only its name was wanted
	// A hard link keeps dst in place until the new file replaces it in one
	// rename; without one (or to remove dst) dst itself moves aside.
	if src == "" || os.Link(dst, aside) != nil {
		if err := os.Rename(dst, aside); err != nil {
			return err
		}
	}
	p.undo = append(p.undo, func() error { return os.Rename(aside, dst) })
	p.aside = append(p.aside, aside)
	if src == "" {
		return nil
	}
	return os.Rename(src, dst)
}

// rollback puts back what put replaced or removed, last first.
func (p *placer) rollback() error {
	var msgs []string
	for i := len(p.undo) - 1; i >= 0; i-- {
		if err := p.undo[i](); err != nil {
			msgs = append(msgs, err.Error())
		}
	}
	p.undo = nil
	if len(msgs) > 0 {
		return errors.New(strings.Join(msgs, "; ")) // one line
	}
	return nil
}

// commit drops the files kept aside (best effort: LockOutput removes
// what is left).
func (p *placer) commit() {
	for _, a := range p.aside {
		os.Remove(a)
	}
	p.undo, p.aside = nil, nil
}

// checkZipPaths refuses a folder where the zip or its .age goes: the
// build replaces or removes both, and a folder there is the team's.
func checkZipPaths(zipPath string) error {
	if zipPath == "" {
		return nil
	}
	for _, p := range []string{zipPath, zipPath + AgeExt} {
		if fi, err := os.Lstat(p); err == nil && fi.IsDir() {
			return inputErr("move that folder away, or name another output folder",
				fmt.Errorf("%s is a folder; the package's zip and its encrypted copy are written (or removed as stale) there", p))
		}
	}
	return nil
}

// Names of our temporary folders and files beside the package.
const (
	newSuffix = ".new-"
	oldSuffix = ".old-"
)

// step is a test hook: it fails the build between steps ("files", "zip",
// "swap", "age", "plain") to show that the previous package survives, or
// fails putting it back ("restore").
var step = func(string) error { return nil }

// checkOutDir refuses a folder the swap must not replace: the working
// folder (or one holding it), and a folder of other files that holds no
// package, whose files would be taken for the team's package.
func checkOutDir(abs string) error {
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(abs, wd); err == nil && (rel == "." || !strings.HasPrefix(rel, "..")) {
			return inputErr("name a folder for the package, e.g. selfassess-out",
				fmt.Errorf("%s holds the current folder; the package replaces its folder as a whole", abs))
		}
	}
	fi, err := os.Lstat(abs)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return inputErr("name a folder (it is created when missing)", fmt.Errorf("%s is not a folder", abs))
	}
	if _, err := os.Lstat(filepath.Join(abs, SumsFile)); err == nil {
		return nil
	}
	ents, err := os.ReadDir(abs)
	if err != nil {
		return err
	}
	if len(ents) > 0 {
		return inputErr("name a new or empty folder, or the folder of an earlier package",
			fmt.Errorf("%s holds files but no selfassess package; the package replaces its folder as a whole", abs))
	}
	return nil
}

// carryForeign hard-links (else copies) into tmp the files of the previous
// folder that are neither the previous package's nor this one's, and
// returns their names.
func carryForeign(ctx context.Context, abs, tmp string, files, previous []string, zipPath string) ([]string, error) {
	ours := map[string]bool{}
	for _, f := range files {
		ours[f] = true
	}
	for _, f := range previous {
		ours[f] = true
	}
	zipAbs, _ := filepath.Abs(zipPath)
	var out []string
	err := filepath.WalkDir(abs, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			if p == abs && errors.Is(err, os.ErrNotExist) {
				return filepath.SkipDir
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(abs, p)
		if err != nil || rel == "." {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".tmp-") || (zipPath != "" && p == zipAbs) {
			return nil // folders follow their files; .tmp-* were ours
		}
		rel = filepath.ToSlash(rel)
		if ours[rel] {
			return nil
		}
		dst := filepath.Join(tmp, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		switch {
		case d.Type()&os.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			if err := os.Symlink(target, dst); err != nil {
				return err
			}
		case d.Type().IsRegular():
			if err := os.Link(p, dst); err != nil {
				if _, err := copyFile(ctx, p, dst); err != nil {
					return err
				}
			}
		default:
			return nil // a FIFO or socket the team left there is not carried
		}
		out = append(out, rel)
		return nil
	})
	return out, err
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

// writeSynced creates p (in the new folder) and flushes it to disk, so a
// crash after the swap cannot leave a package of empty files.
func writeSynced(p string, data []byte) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// copyRegular copies an evidence file (never a symlink or device) into
// dst and returns its hash. When e.Info is set (the file was checked) it
// must still be that file.
func copyRegular(ctx context.Context, e EvidenceFile, dst string) (string, error) {
	in, err := os.OpenFile(e.Src, os.O_RDONLY|openNoFollow, 0)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return "", inputErr("copy the file itself into place", fmt.Errorf("evidence file %s is not a regular file (symlinks and devices are not copied)", e.Src))
		}
		return "", inputErr("", fmt.Errorf("evidence file %v", unwrapPath(err)))
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return "", err
	}
	if !fi.Mode().IsRegular() {
		return "", inputErr("copy the file itself into place", fmt.Errorf("evidence file %s is not a regular file (symlinks and devices are not copied)", e.Src))
	}
	if e.Info != nil && !os.SameFile(fi, e.Info) {
		return "", inputErr("run again", fmt.Errorf("evidence file %s was replaced after it was checked", e.Src))
	}
	if fi.Size() > maxEvidenceFile {
		return "", inputErr("", fmt.Errorf("evidence file %s is larger than %d MiB", e.Src, maxEvidenceFile>>20))
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", err
	}
	return copyFrom(ctx, in, dst)
}

// copyFile copies the regular file src to dst and returns its hash.
func copyFile(ctx context.Context, src, dst string) (string, error) {
	in, err := input.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	return copyFrom(ctx, in, dst)
}

func copyFrom(ctx context.Context, in io.Reader, dst string) (string, error) {
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(out, h), &ctxReader{ctx: ctx, r: io.LimitReader(in, maxEvidenceFile)})
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ctxReader stops a long copy when ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
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

// writeZip writes the listed files of dir under a top-level folder named
// root into a temporary file beside zipPath, and returns its name: sorted
// entries, fixed times, so the same package gives the same zip.
func writeZip(ctx context.Context, zipPath, dir, root string, files []string, date time.Time) (string, error) {
	if date.IsZero() || date.Year() < 1980 {
		date = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	tmp, err := os.CreateTemp(filepath.Dir(zipPath), "."+filepath.Base(zipPath)+newSuffix+"*")
	if err != nil {
		return "", err
	}
	fail := func(err error) (string, error) {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", err
	}
	zw := zip.NewWriter(tmp)
	for _, name := range files {
		f, err := os.Open(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			return fail(err)
		}
		hdr := &zip.FileHeader{Name: root + "/" + name, Method: zip.Deflate, Modified: date.UTC()}
		hdr.SetMode(0o644)
		w, err := zw.CreateHeader(hdr)
		if err == nil {
			_, err = io.Copy(w, &ctxReader{ctx: ctx, r: f})
		}
		f.Close()
		if err != nil {
			return fail(err)
		}
	}
	if err := zw.Close(); err != nil {
		return fail(err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return tmp.Name(), nil
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

// CheckOut is CheckOutDir for the folder given as --out, naming the flag.
func CheckOut(dir string) error {
	var p *InputError
	if err := CheckOutDir(dir); errors.As(err, &p) {
		return &InputError{Err: fmt.Errorf("--out %s: %w", dir, p.Err), Hint: p.Hint}
	}
	return nil
}

// CheckOutDir is the early check of an output folder, before any question
// or probe: dir must be a folder (or missing) and its zip path not a
// folder. BuildContext refuses both again when it writes.
func CheckOutDir(dir string) error {
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return inputErr("name a folder (it is created when missing)", errors.New("is a file, not a folder"))
	}
	if zi, err := os.Stat(ZipPathFor(dir)); err == nil && zi.IsDir() {
		return inputErr("the package is written beside the output folder as FOLDER.zip", fmt.Errorf("%s is a folder", ZipPathFor(dir)))
	}
	return nil
}
