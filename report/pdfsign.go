package report

import (
	"crypto"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/selfassess/selfassess/internal/cms"
)

// PDFSignature is what signs report.pdf with an embedded PDF signature
// (adbe.pkcs7.detached), which Acrobat's signature panel and poppler's
// pdfsig show.
type PDFSignature struct {
	// Key signs; it must sign deterministically (RFC 6979 ECDSA, RSA
	// PKCS #1 v1.5) for reproducible output.
	Key crypto.Signer
	// Chain is the signing certificate (over Key) and its issuers.
	Chain []*x509.Certificate
	// Name is the signer shown in the signature block and the panel.
	Name string
}

// sigField is where the visible signature field goes on the last page, in
// PDF points from the lower left.
type sigField struct {
	llx, lly, urx, ury float64
	placed             bool
}

// signPDF adds the signature to a rendered PDF as an incremental update
// (pdfupdate.go) holding a detached CMS signature (internal/cms) over every
// byte but the signature's own hex. The signing time is date, so
// SOURCE_DATE_EPOCH gives identical bytes.
func signPDF(in []byte, s *PDFSignature, field sigField, date time.Time) ([]byte, error) {
	if s == nil || s.Key == nil || len(s.Chain) == 0 {
		return nil, errors.New("no key or certificate")
	}
	if !field.placed {
		return nil, errors.New("no room for the signature field")
	}
	// Size the placeholder from a signature over nothing: the same
	// certificates and attributes, and a signature of the same length
	// (ECDSA's varies by a few bytes, hence the margin).
	probe, err := cms.Sign(nil, s.Chain, s.Key, date)
	if err != nil {
		return nil, err
	}
	b, hexStart, hexEnd, err := appendSignatureField(in, field, s.Name, "Security self-assessment submitted to the provider", date, len(probe)+64)
	if err != nil {
		return nil, err
	}
	signed := make([]byte, 0, len(b)-(hexEnd-hexStart))
	signed = append(append(signed, b[:hexStart-1]...), b[hexEnd+1:]...)
	der, err := cms.Sign(signed, s.Chain, s.Key, date)
	if err != nil {
		return nil, err
	}
	hole := b[hexStart:hexEnd]
	if hex.EncodedLen(len(der)) > len(hole) {
		return nil, fmt.Errorf("signature of %d bytes does not fit its placeholder of %d", len(der), len(hole)/2)
	}
	n := hex.Encode(hole, der)
	for i := n; i < len(hole); i++ {
		hole[i] = '0'
	}
	return b, nil
}
