package report

import (
	"bytes"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
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
}

// LetterSection is a heading and its paragraphs (each one line of text or a wrapped paragraph).
type LetterSection struct {
	Heading    string
	Paragraphs []string
}

// LetterPDF renders a Letter as PDF with the report's fonts; the same
// letter and date give the same bytes.
func LetterPDF(l Letter) ([]byte, error) {
	f := fpdf.New("P", "mm", "A4", "")
	date := l.Date
	if date.IsZero() {
		date = time.Unix(0, 0)
	}
	f.SetCreationDate(date.UTC())
	f.SetModificationDate(date.UTC())
	f.SetCatalogSort(true)
	f.SetCompression(true)
	f.AddUTF8FontFromBytes("go", "", goregular.TTF)
	f.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(true, bottomMargin)
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
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
