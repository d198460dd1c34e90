package report

import (
	"bytes"
	"fmt"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// Letter is a short document: a title, facts as label/value rows, then
// sections of paragraphs (a reviewer's findings letter or letter of
// approval). No report layout, no signature block.
type Letter struct {
	Title    string
	Facts    [][2]string
	Sections []LetterSection
	Date     time.Time // creation date (reproducible output)
	Author   string
	// Sign, when set, ends the letter with a signature block and embeds a
	// PDF signature (signing time: Date); KeyFingerprint names the key there.
	Sign           *PDFSignature
	KeyFingerprint string
}

// LetterSection is a heading and its paragraphs (each one line of text or a wrapped paragraph).
type LetterSection struct {
	Heading    string
	Paragraphs []string
}

// LetterPDF renders a Letter as PDF with the report's fonts; the same
// letter and date give the same bytes.
func LetterPDF(l Letter) ([]byte, error) {
	f := newPDF(l.Date)
	f.SetTitle(l.Title, true)
	f.SetAuthor(l.Author, true)
	f.SetCreator("selfassess", true)
	f.AddPage()
	f.SetFont("go", "B", 18)
	f.MultiCell(contentW, 9, l.Title, "", "L", false)
	f.Ln(4)
	for _, kv := range l.Facts {
		f.SetFont("go", "B", 10)
		f.CellFormat(42, lineH+1, kv[0], "", 0, "L", false, 0, "")
		f.SetFont("go", "", 10)
		f.MultiCell(contentW-42, lineH+1, kv[1], "", "L", false)
	}
	for _, s := range l.Sections {
		f.Ln(4)
		if s.Heading != "" {
			f.SetFont("go", "B", 12)
			f.MultiCell(contentW, 6, s.Heading, "", "L", false)
			f.Ln(1)
		}
		f.SetFont("go", "", 10)
		for _, p := range s.Paragraphs {
			f.MultiCell(contentW, lineH, p, "", "L", false)
			f.Ln(1)
		}
	}
	var field sigField
	if l.Sign != nil {
		field = letterSignature(f, l)
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, err
	}
	if l.Sign == nil {
		return buf.Bytes(), nil
	}
	signed, err := signPDF(buf.Bytes(), l.Sign, field, pdfDate(l.Date))
	if err != nil {
		return nil, fmt.Errorf("PDF signature: %w", err)
	}
	return signed, nil
}

// letterSignature draws the signer, key and date with room for the
// signature field below, on the last page; it returns the field.
func letterSignature(f *fpdf.Fpdf, l Letter) sigField {
	f.Ln(6)
	if _, h := f.GetPageSize(); f.GetY()+40 > h-bottomMargin {
		f.AddPage()
	}
	y := f.GetY()
	w := contentW - 8
	f.SetXY(margin+4, y+3)
	f.SetFont("go", "B", 11)
	f.MultiCell(w, 6, "Signature", "", "L", false)
	f.SetFont("go", "", 9.5)
	for _, line := range []string{"Signer: " + l.Sign.Name, "Key fingerprint: " + l.KeyFingerprint, "Signed: " + l.Date.UTC().Format(time.DateOnly)} {
		f.SetX(margin + 4)
		f.MultiCell(w, lineH, line, "", "L", false)
	}
	top := f.GetY() + 2
	bottom := top + 9
	f.SetDrawColor(170, 170, 170)
	f.Rect(margin+4, top, w/2, bottom-top, "D")
	f.SetDrawColor(60, 60, 60)
	f.Rect(margin, y, contentW, bottom+2-y+1, "D")
	const k = 72 / 25.4
	return sigField{placed: true, llx: (margin + 4) * k, urx: (margin + 4 + w/2) * k, lly: (pageH - bottom) * k, ury: (pageH - top) * k}
}
