package report

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"

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

// sigField is where the visible signature field goes, in PDF points.
type sigField struct {
	page               uint32
	llx, lly, urx, ury float64
	placed             bool
}

// signPDF adds the signature to a rendered PDF as an incremental update.
// digitorus/pdfsign writes the signature field, its appearance and the
// placeholder; the CMS inside is ours (internal/cms), because the
// library's CMS takes its signing time from the clock, and the date must
// come from SOURCE_DATE_EPOCH for identical bytes.
func signPDF(in []byte, s *PDFSignature, field sigField, date time.Time) ([]byte, error) {
	if s == nil || s.Key == nil || len(s.Chain) == 0 {
		return nil, errors.New("no key or certificate")
	}
	// Size the placeholder ourselves: the library adds nothing for an
	// RSA-SHA256 certificate, so a 3072-bit signature overflowed it and its
	// retry appended a second update ("Not total document signed").
	probe, err := cms.Sign(nil, s.Chain, s.Key, date)
	if err != nil {
		return nil, err
	}
	room := len(probe) + 64 // ECDSA signatures vary by a few bytes
	rdr, err := pdf.NewReader(bytes.NewReader(in), int64(len(in)))
	if err != nil {
		return nil, fmt.Errorf("reading the rendered PDF: %w", err)
	}
	var out bytes.Buffer
	ctx := &sign.SignContext{
		InputFile:  bytes.NewReader(in),
		OutputFile: &out,
		PDFReader:  rdr,
		SignData: sign.SignData{
			Signature: sign.SignDataSignature{
				CertType: sign.ApprovalSignature,
				Info: sign.SignDataSignatureInfo{
					Name:   s.Name,
					Reason: "Security self-assessment submitted to the provider",
					Date:   date.UTC(),
				},
			},
			Signer:            s.Key,
			DigestAlgorithm:   crypto.SHA256,
			Certificate:       s.Chain[0],
			CertificateChains: [][]*x509.Certificate{s.Chain},
			Appearance: sign.Appearance{
				Visible: field.placed, Page: field.page,
				LowerLeftX: field.llx, LowerLeftY: field.lly, UpperRightX: field.urx, UpperRightY: field.ury,
			},
		},
		// The library adds its own estimate to this; room for its CMS
		// (ours plus an empty revocation attribute) is ample.
		SignatureMaxLengthBase: uint32(hex.EncodedLen(room + 1024)),
	}
	if err := ctx.SignPDF(); err != nil {
		return nil, err
	}
	b := out.Bytes()
	br := ctx.ByteRangeValues
	if len(br) != 4 || br[0] != 0 || br[2]+br[3] != int64(len(b)) || br[1] >= br[2] ||
		b[br[1]] != '<' || b[br[2]-1] != '>' {
		return nil, fmt.Errorf("the signature does not cover the whole document (byte range %v of %d bytes)", br, len(b))
	}
	signed := make([]byte, 0, br[1]+br[3])
	signed = append(append(signed, b[:br[1]]...), b[br[2]:]...)
	der, err := cms.Sign(signed, s.Chain, s.Key, date)
	if err != nil {
		return nil, err
	}
	hole := b[br[1]+1 : br[2]-1]
	if hex.EncodedLen(len(der)) > len(hole) {
		return nil, fmt.Errorf("signature of %d bytes does not fit its placeholder of %d", len(der), len(hole)/2)
	}
	n := hex.Encode(hole, der)
	for i := n; i < len(hole); i++ {
		hole[i] = '0'
	}
	return b, nil
}
