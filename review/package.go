package review

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/selfassess/selfassess/report"
	"github.com/selfassess/selfassess/submission"
)

// JSON renders review.json.
func JSON(r *Review) ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Write assembles the signed review package in dir (review.json,
// review.md, VERIFY.md, allowed_signers, SHA256SUMS, SHA256SUMS.sig) and
// its zip (zipPath, "" for none). A review is always signed.
func Write(dir, zipPath string, r *Review, signer ssh.Signer, date time.Time) (*submission.Package, error) {
	if signer == nil {
		return nil, errors.New("a review must be signed (give --sign-key or set " + submission.EnvSigningKey + ")")
	}
	js, err := JSON(r)
	if err != nil {
		return nil, err
	}
	if err := ValidateJSON(js); err != nil {
		return nil, fmt.Errorf("review.json does not match its schema: %v", err)
	}
	sig, err := pdfSignature(r, signer, date)
	if err != nil {
		return nil, err
	}
	pdf, err := SignedPDF(r, sig)
	if err != nil {
		return nil, fmt.Errorf("rendering %s: %v", PDFFile, err)
	}
	files := []submission.File{{Name: JSONFile, Data: js}, {Name: MDFile, Data: Markdown(r)}, {Name: PDFFile, Data: pdf}}
	return submission.Build(dir, files, nil, submission.Options{Signer: signer, Date: date, Zip: zipPath,
		Namespace: Namespace, Principal: Principal, VerifyMD: verifyMD(ssh.FingerprintSHA256(signer.PublicKey()))})
}

// pdfSignature signs review.pdf with the reviewer's key when it can sign a
// PDF (ECDSA, RSA; not Ed25519 or ssh-agent), over a certificate naming the
// reviewer; nil otherwise (the review package is signed either way).
func pdfSignature(r *Review, signer ssh.Signer, date time.Time) (*report.PDFSignature, error) {
	s, ok := signer.(*submission.Signer)
	if !ok {
		return nil, nil
	}
	key, _ := s.PDFKey()
	if key == nil {
		return nil, nil
	}
	name := line(r.Reviewer.Name)
	if name == "" {
		name = "selfassess reviewer " + r.Reviewer.Key
	}
	cert, err := submission.CertificateFor(key, "", name, date)
	if err != nil {
		return nil, fmt.Errorf("the review's PDF certificate: %v", err)
	}
	return &report.PDFSignature{Key: key, Chain: []*x509.Certificate{cert}, Name: name}, nil
}

// Opened is a review package read and verified.
type Opened struct {
	Review *Review
	// Check is the package verification (hashes, signature, namespace).
	Check *submission.Result
	// Files are the review package's files by name, as verified, so the
	// team's next package can carry the review under review/.
	Files map[string][]byte
}

// packageFiles are the files of a review package.
var packageFiles = []string{JSONFile, MDFile, PDFFile, submission.VerifyFile, submission.AllowedSignersFile, submission.SumsFile, submission.SigFile}

// VerifyError is a review that cannot be trusted; the message says why.
type VerifyError struct{ Msg string }

func (e *VerifyError) Error() string { return e.Msg }

// Open verifies a review package (folder or zip) against the reviewer
// keys (allowed_signers lines for principal and namespace
// selfassess-review) and reads its review.json. An error reading the input
// is returned as is; a review that does not verify is a *VerifyError.
func Open(path string, keys []submission.AllowedSigner, now time.Time) (*Opened, error) {
	trust := submission.TrustedKeys{Signers: keys, Source: "the reviewer keys", Namespace: Namespace, Principal: Principal,
		Keep: packageFiles, Now: func() time.Time { return now }}
	res, err := submission.Verify(path, trust)
	if err != nil {
		return nil, err
	}
	if !res.OK() {
		return nil, &VerifyError{Msg: fmt.Sprintf("review %s does not verify: %s", path, res.FirstProblem())}
	}
	b, ok := res.Files[JSONFile]
	if !ok {
		return nil, &VerifyError{Msg: fmt.Sprintf("review %s holds no %s", path, JSONFile)}
	}
	r, err := ParseJSON(b)
	if err != nil {
		return nil, &VerifyError{Msg: fmt.Sprintf("review %s: %s: %v", path, JSONFile, err)}
	}
	if r.Reviewer.Key != res.KeyFP {
		return nil, &VerifyError{Msg: fmt.Sprintf("review %s names reviewer key %s but is signed by %s", path, r.Reviewer.Key, res.KeyFP)}
	}
	if err := r.Consistent(); err != nil {
		return nil, &VerifyError{Msg: fmt.Sprintf("review %s: %v", path, err)}
	}
	return &Opened{Review: r, Check: res, Files: res.Files}, nil
}

// ParseJSON reads review.json, checked against its schema.
func ParseJSON(b []byte) (*Review, error) {
	if err := ValidateJSON(b); err != nil {
		return nil, err
	}
	var r Review
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Binds checks that the review is of the package whose SHA256SUMS digest is sums.
func (r *Review) Binds(sums string) error {
	if r.Submission.SHA256SUMS != sums {
		return &VerifyError{Msg: fmt.Sprintf("the review is of another package (SHA256SUMS digest %s, this package's is %s)", short(r.Submission.SHA256SUMS), short(sums))}
	}
	return nil
}
