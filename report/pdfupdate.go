package report

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The signature is added to the PDF as an incremental update (ISO 32000-1
// §7.5.6): the rendered file stays byte for byte as it was, followed by a
// signature dictionary, its widget on the last page, the widget's
// appearance, the page and catalog rewritten to reference them, a new xref
// section and trailer. This reads only what fpdf writes (a classic xref
// table, uncompressed object headers), which is all it is ever given.

var (
	reTrailerSize = regexp.MustCompile(`/Size (\d+)`)
	reTrailerRoot = regexp.MustCompile(`/Root (\d+) 0 R`)
	reTrailerInfo = regexp.MustCompile(`/Info (\d+) 0 R`)
	reStartXref   = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)
	rePagesRef    = regexp.MustCompile(`/Pages (\d+) 0 R`)
	reKids        = regexp.MustCompile(`/Kids \[([^\]]*)\]`)
	reRef         = regexp.MustCompile(`(\d+) 0 R`)
)

// byteRangePlaceholder is rewritten in place once the offsets are known;
// the same width holds any file under 10 GB.
const byteRangePlaceholder = "/ByteRange [0 ********** ********** **********]"

type pdfFile struct {
	b       []byte
	size    int // trailer /Size: the next free object number
	root    int
	info    int // 0 when absent
	xref    int // offset of the last xref section
	offsets map[int]int
}

func parsePDF(b []byte) (*pdfFile, error) {
	t := bytes.LastIndex(b, []byte("trailer"))
	m := reStartXref.FindSubmatch(b)
	if t < 0 || m == nil {
		return nil, errors.New("no trailer")
	}
	trailer := b[t:]
	p := &pdfFile{b: b, offsets: map[int]int{}}
	atoi := func(re *regexp.Regexp) int {
		if m := re.FindSubmatch(trailer); m != nil {
			n, _ := strconv.Atoi(string(m[1]))
			return n
		}
		return 0
	}
	p.size, p.root, p.info = atoi(reTrailerSize), atoi(reTrailerRoot), atoi(reTrailerInfo)
	p.xref, _ = strconv.Atoi(string(m[1]))
	if p.size == 0 || p.root == 0 || p.xref <= 0 || p.xref >= len(b) || !bytes.HasPrefix(b[p.xref:], []byte("xref")) {
		return nil, errors.New("unexpected trailer or xref")
	}
	// One subsection "0 N", then N 20-byte entries.
	lines := bytes.SplitN(b[p.xref:], []byte("\n"), 3)
	if len(lines) < 3 {
		return nil, errors.New("short xref")
	}
	var first, count int
	if _, err := fmt.Sscanf(string(lines[1]), "%d %d", &first, &count); err != nil || first != 0 || count != p.size {
		return nil, errors.New("unexpected xref subsection")
	}
	entries := lines[2]
	for i := 0; i < count; i++ {
		if len(entries) < (i+1)*20 {
			return nil, errors.New("short xref table")
		}
		e := entries[i*20 : i*20+20]
		if e[17] != 'n' {
			continue
		}
		off, err := strconv.Atoi(string(e[:10]))
		if err != nil || off >= len(b) {
			return nil, errors.New("bad xref entry")
		}
		p.offsets[i] = off
	}
	return p, nil
}

// dict returns object n's dictionary text, without the outer << >>.
func (p *pdfFile) dict(n int) (string, error) {
	off, ok := p.offsets[n]
	head := fmt.Sprintf("%d 0 obj\n", n)
	if !ok || !bytes.HasPrefix(p.b[off:], []byte(head)) {
		return "", fmt.Errorf("object %d not found", n)
	}
	rest := p.b[off+len(head):]
	end := bytes.Index(rest, []byte("endobj"))
	if end < 0 {
		return "", fmt.Errorf("object %d not closed", n)
	}
	d := strings.TrimSpace(string(rest[:end]))
	if !strings.HasPrefix(d, "<<") || !strings.HasSuffix(d, ">>") || strings.Contains(d, "stream") {
		return "", fmt.Errorf("object %d is not a dictionary", n)
	}
	return d[2 : len(d)-2], nil
}

// lastPage is the object number of the document's last page.
func (p *pdfFile) lastPage() (int, error) {
	cat, err := p.dict(p.root)
	if err != nil {
		return 0, err
	}
	m := rePagesRef.FindStringSubmatch(cat)
	if m == nil {
		return 0, errors.New("catalog without /Pages")
	}
	pages, _ := strconv.Atoi(m[1])
	d, err := p.dict(pages)
	if err != nil {
		return 0, err
	}
	k := reKids.FindStringSubmatch(d)
	if k == nil {
		return 0, errors.New("page tree without /Kids")
	}
	refs := reRef.FindAllStringSubmatch(k[1], -1)
	if len(refs) == 0 {
		return 0, errors.New("no pages")
	}
	last, _ := strconv.Atoi(refs[len(refs)-1][1])
	if d, err := p.dict(last); err != nil || !strings.Contains(d, "/Type /Page") || strings.Contains(d, "/Type /Pages") {
		return 0, errors.New("nested page trees are not expected")
	}
	return last, nil
}

// closingBracket finds the ']' that closes an array whose content starts at
// i, skipping nested arrays and (literal strings), which may hold brackets;
// -1 when there is none.
func closingBracket(s string, i int) int {
	depth, str := 0, 0
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case str > 0 && c == '\\':
			i++
		case str > 0 && c == '(':
			str++
		case str > 0 && c == ')':
			str--
		case str > 0:
		case c == '(':
			str = 1
		case c == '[':
			depth++
		case c == ']' && depth == 0:
			return i
		case c == ']':
			depth--
		}
	}
	return -1
}

// pdfText is a PDF literal string; non-ASCII goes as UTF-16BE with a BOM.
func pdfText(s string) string {
	ascii := true
	for _, r := range s {
		if r > 126 || r < 32 {
			ascii = false
		}
	}
	if ascii {
		r := strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`)
		return "(" + r.Replace(s) + ")"
	}
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, r := range s {
		if r > 0xffff {
			r = '?'
		}
		fmt.Fprintf(&b, "%04X", r)
	}
	b.WriteString(">")
	return b.String()
}

// winAnsi is s as a literal string for a WinAnsiEncoding font (Latin-1
// letters as octal escapes; anything else as '?'), and its length in characters.
func winAnsi(s string) (string, int) {
	var b strings.Builder
	n := 0
	b.WriteByte('(')
	for _, r := range s {
		n++
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 32 && r <= 126:
			b.WriteRune(r)
		case r >= 0xa0 && r <= 0xff:
			fmt.Fprintf(&b, "\\%03o", r)
		default:
			b.WriteByte('?')
		}
	}
	b.WriteByte(')')
	return b.String(), n
}

// appendSignatureField writes the update with a /Contents placeholder of
// room bytes and returns the file and the placeholder's hex span.
func appendSignatureField(in []byte, field sigField, name, reason string, date time.Time, room int) (out []byte, hexStart, hexEnd int, err error) {
	p, err := parsePDF(in)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("reading the rendered PDF: %w", err)
	}
	page, err := p.lastPage()
	if err != nil {
		return nil, 0, 0, err
	}
	pageDict, err := p.dict(page)
	if err != nil {
		return nil, 0, 0, err
	}
	catDict, err := p.dict(p.root)
	if err != nil {
		return nil, 0, 0, err
	}
	if strings.Contains(catDict, "/AcroForm") {
		return nil, 0, 0, errors.New("the PDF already has a form")
	}
	annotsEnd := -1 // index of the ']' closing the page's /Annots array
	if i := strings.Index(pageDict, "/Annots ["); i >= 0 {
		annotsEnd = closingBracket(pageDict, i+len("/Annots ["))
	}
	if strings.Contains(pageDict, "/Annots") && annotsEnd < 0 {
		return nil, 0, 0, errors.New("the last page's /Annots is not an array")
	}
	sigN, widgetN, apN := p.size, p.size+1, p.size+2

	var buf bytes.Buffer
	buf.Write(in)
	if !bytes.HasSuffix(in, []byte("\n")) {
		buf.WriteByte('\n')
	}
	offsets := map[int]int{}
	obj := func(n int, body string) {
		offsets[n] = buf.Len()
		fmt.Fprintf(&buf, "%d 0 obj\n%s\nendobj\n", n, body)
	}

	// The signature dictionary; /Contents is last so the signed ranges are
	// everything before its '<' and after its '>'.
	offsets[sigN] = buf.Len()
	fmt.Fprintf(&buf, "%d 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached\n", sigN)
	fmt.Fprintf(&buf, "/Name %s /Reason %s /M %s\n", pdfText(name), pdfText(reason), pdfText(date.UTC().Format("D:20060102150405Z")))
	buf.WriteString(byteRangePlaceholder + "\n/Contents <")
	hexStart = buf.Len()
	buf.Write(bytes.Repeat([]byte("0"), 2*room))
	hexEnd = buf.Len()
	buf.WriteString("> >>\nendobj\n")

	w, h := field.urx-field.llx, field.ury-field.lly
	text, chars := winAnsi(name)
	size := 10.0
	if tw := float64(chars) * size * 0.55; tw > w-8 {
		size = (w - 8) / (float64(chars) * 0.55)
	}
	stream := fmt.Sprintf("q 0.2 0.2 0.6 rg BT /F1 %.2f Tf 4 %.2f Td %s Tj ET Q", size, (h-size)/2+size*0.22, text)
	obj(widgetN, fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature1) /F 132 /V %d 0 R /P %d 0 R\n/Rect [%.2f %.2f %.2f %.2f] /AP << /N %d 0 R >> >>",
		sigN, page, field.llx, field.lly, field.urx, field.ury, apN))
	obj(apN, fmt.Sprintf("<< /Type /XObject /Subtype /Form /BBox [0 0 %.2f %.2f]\n/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >> >> >>\n/Length %d >>\nstream\n%s\nendstream",
		w, h, len(stream), stream))
	if annotsEnd >= 0 { // links: keep them, add the field
		pageDict = pageDict[:annotsEnd] + fmt.Sprintf(" %d 0 R", widgetN) + pageDict[annotsEnd:]
	} else {
		pageDict += fmt.Sprintf("\n/Annots [%d 0 R]", widgetN)
	}
	obj(page, "<<"+pageDict+">>")
	obj(p.root, "<<"+catDict+fmt.Sprintf("\n/AcroForm << /Fields [%d 0 R] /SigFlags 3 >>\n>>", widgetN))

	xref := buf.Len()
	buf.WriteString("xref\n0 1\n0000000000 65535 f \n")
	for _, n := range []int{page, p.root} {
		fmt.Fprintf(&buf, "%d 1\n%010d 00000 n \n", n, offsets[n])
	}
	fmt.Fprintf(&buf, "%d 3\n", sigN)
	for _, n := range []int{sigN, widgetN, apN} {
		fmt.Fprintf(&buf, "%010d 00000 n \n", offsets[n])
	}
	fmt.Fprintf(&buf, "trailer\n<< /Size %d /Root %d 0 R", p.size+3, p.root)
	if p.info != 0 {
		fmt.Fprintf(&buf, " /Info %d 0 R", p.info)
	}
	fmt.Fprintf(&buf, " /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", p.xref, xref)

	out = buf.Bytes()
	br := fmt.Sprintf("/ByteRange [0 %d %d %d]", hexStart-1, hexEnd+1, len(out)-(hexEnd+1))
	if len(br) > len(byteRangePlaceholder) {
		return nil, 0, 0, errors.New("the PDF is too large to sign")
	}
	at := bytes.Index(out[offsets[sigN]:], []byte(byteRangePlaceholder)) + offsets[sigN]
	copy(out[at:], br+strings.Repeat(" ", len(byteRangePlaceholder)-len(br)))
	return out, hexStart, hexEnd, nil
}
