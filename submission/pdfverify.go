package submission

import (
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/selfassess/selfassess/internal/cms"
)

// maxPDF bounds a PDF held in memory to check its embedded signature.
const maxPDF = 256 << 20

// signedPDFs are the package's own PDFs whose embedded signature verify
// checks; evidence files are the team's own documents.
var signedPDFs = []string{"report.pdf", "review.pdf"}

// PDFCheck is what verify found in one PDF's embedded signature.
type PDFCheck struct {
	Name   string
	Signed bool
	// Valid: the CMS signature verifies over the signed byte ranges, which
	// cover the whole file but the signature itself, with a certificate
	// over the key that signed SHA256SUMS.
	Valid       bool
	Subject     string // the signing certificate's subject
	SelfSigned  bool
	SigningTime time.Time
	Problem     string // why it is not valid
}

// PDFSignature is one embedded PDF signature, checked cryptographically.
type PDFSignature struct {
	Chain       []*x509.Certificate
	SigningTime time.Time
}

// VerifyPDFSignature finds the signature of a PDF (its last /ByteRange)
// and checks that it covers the whole file but its own /Contents, and that
// the CMS in /Contents signs those bytes. (nil, nil): the PDF is unsigned.
func VerifyPDFSignature(b []byte) (*PDFSignature, error) {
	n := bytes.Count(b, []byte("/ByteRange"))
	if n == 0 {
		return nil, nil
	}
	if n > 1 {
		return nil, fmt.Errorf("%d signatures, want one", n)
	}
	i := bytes.Index(b, []byte("/ByteRange"))
	rest := b[i+len("/ByteRange"):]
	end := bytes.IndexByte(rest, ']')
	open := bytes.IndexByte(rest, '[')
	if open < 0 || end < open || end > 80 {
		return nil, errors.New("malformed /ByteRange")
	}
	fields := strings.Fields(string(rest[open+1 : end]))
	if len(fields) != 4 {
		return nil, errors.New("malformed /ByteRange")
	}
	var br [4]int64
	for k, f := range fields {
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil || v < 0 || v > int64(len(b)) {
			return nil, errors.New("malformed /ByteRange")
		}
		br[k] = v
	}
	if br[0] != 0 || br[1] >= br[2] || br[2]+br[3] != int64(len(b)) || br[2]-br[1] < 2 {
		return nil, errors.New("the signature does not cover the whole document (bytes were added or left out)")
	}
	if b[br[1]] != '<' || b[br[2]-1] != '>' {
		return nil, errors.New("the signed ranges do not surround the signature")
	}
	hole := b[br[1]+1 : br[2]-1]
	der := make([]byte, len(hole)/2)
	if _, err := hex.Decode(der, hole[:len(der)*2]); err != nil {
		return nil, errors.New("the signature is not hex")
	}
	content := make([]byte, 0, br[1]+br[3])
	content = append(append(content, b[:br[1]]...), b[br[2]:]...)
	sig, err := cms.Verify(der, content)
	if err != nil {
		return nil, err
	}
	return &PDFSignature{Chain: sig.Chain, SigningTime: sig.SigningTime}, nil
}

// checkPDFs checks each top-level PDF's embedded signature against the key
// that signed SHA256SUMS. A PDF without one is reported, not failed (an
// Ed25519 key cannot sign a PDF); a bad one fails verification.
func checkPDFs(files map[string]*pkgFile, res *Result) {
	for _, name := range signedPDFs {
		f, ok := files[name]
		if !ok || f.data == nil {
			continue
		}
		pc := PDFCheck{Name: name}
		sig, err := VerifyPDFSignature(f.data)
		switch {
		case err != nil:
			pc.Signed, pc.Problem = true, err.Error()
		case sig == nil:
		default:
			pc.Signed = true
			leaf := sig.Chain[0]
			pc.Subject, pc.SigningTime = leaf.Subject.String(), sig.SigningTime
			pc.SelfSigned = bytes.Equal(leaf.RawIssuer, leaf.RawSubject)
			pub, err := ssh.NewPublicKey(leaf.PublicKey)
			switch {
			case err != nil:
				pc.Problem = "the certificate's key is not an SSH key type: " + err.Error()
			case res.signerKey == nil:
				pc.Problem = "no valid package signature to compare its key with"
			case !bytes.Equal(pub.Marshal(), res.signerKey.Marshal()):
				pc.Problem = fmt.Sprintf("signed with key %s, not the package's signing key %s", ssh.FingerprintSHA256(pub), res.KeyFP)
			default:
				pc.Valid = true
			}
		}
		if pc.Problem != "" {
			res.Problems = append(res.Problems, fmt.Sprintf("%s: PDF signature: %s", name, pc.Problem))
		}
		res.PDFs = append(res.PDFs, pc)
	}
	sort.Slice(res.PDFs, func(i, j int) bool { return res.PDFs[i].Name < res.PDFs[j].Name })
}
