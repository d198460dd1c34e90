package report

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/selfassess/selfassess/assessment"
)

// Page geometry (A4, mm).
const (
	pageW, pageH = 210.0, 297.0
	margin       = 15.0
	contentW     = pageW - 2*margin
	bottomMargin = 18.0
	lineH        = 4.6
)

type rgb struct{ r, g, b int }

// Status colours: light fills behind a text label (readable in greyscale)
// and strong colours for the chart.
var (
	statusFill = map[assessment.ControlStatus]rgb{
		assessment.ControlPass: {204, 235, 204}, assessment.ControlFail: {246, 190, 190}, assessment.ControlPartial: {252, 228, 170},
		assessment.ControlNotApplicable: {228, 228, 228}, assessment.ControlNotTested: {222, 222, 246}, assessment.ControlError: {238, 204, 238},
		assessment.ControlExcepted: {204, 222, 246},
	}
	statusBar = map[assessment.ControlStatus]rgb{
		assessment.ControlPass: {46, 160, 67}, assessment.ControlFail: {207, 34, 46}, assessment.ControlPartial: {232, 160, 32},
		assessment.ControlNotApplicable: {150, 150, 150}, assessment.ControlNotTested: {110, 110, 200}, assessment.ControlError: {140, 50, 150},
		assessment.ControlExcepted: {50, 110, 200},
	}
	headFill = rgb{40, 52, 72}
	rowRule  = rgb{200, 200, 200}
)

// pdfDoc wraps fpdf with the report's helpers.
type pdfDoc struct {
	*fpdf.Fpdf
	v     *view
	opts  Options
	field sigField // where signature() left room for the signature field
}

// PDF renders report.pdf, signed when opts.PDFSign is set. The same results
// and Options.Date give the same bytes.
func PDF(r *assessment.Results, opts Options) ([]byte, error) {
	b, field, err := renderPDF(r, opts)
	if err != nil || opts.PDFSign == nil {
		return b, err
	}
	signed, err := signPDF(b, opts.PDFSign, field, pdfDate(opts.Date))
	if err != nil {
		return nil, fmt.Errorf("PDF signature: %w", err)
	}
	return signed, nil
}

// pdfDate is the date a PDF carries: the given one, or the epoch.
func pdfDate(d time.Time) time.Time {
	if d.IsZero() {
		return time.Unix(0, 0)
	}
	return d
}

// newPDF starts an A4 document with the report's fonts and margins, dated
// date (see pdfDate).
func newPDF(date time.Time) *fpdf.Fpdf {
	f := fpdf.New("P", "mm", "A4", "")
	// Reproducibility: fixed dates and sorted catalogs (the trailer ID is empty).
	// No Go Mono: fpdf's subset of it came out different from run to run.
	f.SetCreationDate(pdfDate(date).UTC())
	f.SetModificationDate(pdfDate(date).UTC())
	f.SetCatalogSort(true)
	f.SetCompression(true)
	f.AddUTF8FontFromBytes("go", "", goregular.TTF)
	f.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(true, bottomMargin)
	return f
}

// renderPDF lays the report out; field is the room left for the signature.
func renderPDF(r *assessment.Results, opts Options) ([]byte, sigField, error) {
	v := newView(r, opts)
	r = v.R // names and values from targets and trees quoted
	f := newPDF(opts.Date)
	f.AddUTF8FontFromBytes("go", "I", goitalic.TTF)
	title := "Security self-assessment: " + orDefault(r.Project.Integration, r.Checklist.ID)
	f.SetTitle(title, true)
	f.SetSubject(r.Checklist.Title+" "+r.Checklist.Version, true)
	f.SetAuthor(r.Project.Organisation, true)
	f.SetCreator(r.Tool.Name+" "+r.Tool.Version, true)
	f.SetProducer(r.Tool.Name, true)
	f.AliasNbPages("{nb}")
	d := &pdfDoc{Fpdf: f, v: v, opts: opts}
	f.SetFooterFunc(func() {
		f.SetY(-12)
		f.SetFont("go", "", 8)
		f.SetTextColor(90, 90, 90)
		left := fmt.Sprintf("%s · %s %s · %s", orDefault(r.Project.Integration, "selfassess"), r.Checklist.ID, r.Checklist.Version, v.Date)
		f.CellFormat(contentW/2, 5, left, "", 0, "L", false, 0, "")
		f.CellFormat(contentW/2, 5, fmt.Sprintf("page %d of {nb}", f.PageNo()), "", 0, "R", false, 0, "")
		f.SetTextColor(0, 0, 0)
	})

	d.cover()
	d.summary()
	d.controls()
	d.findings()
	d.attested()
	d.exceptions()
	d.plan()
	d.reviewResponse()
	d.appendix()
	d.signature()

	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, sigField{}, err
	}
	return buf.Bytes(), d.field, nil
}

func (d *pdfDoc) font(style string, size float64) { d.SetFont("go", style, size) }

func (d *pdfDoc) fill(c rgb) { d.SetFillColor(c.r, c.g, c.b) }

// heading starts a top-level part with a bookmark.
func (d *pdfDoc) heading(text string, newPage bool) {
	if newPage {
		d.AddPage()
	} else {
		d.Ln(5)
		d.ensure(45) // the heading, a table header and a few rows: no orphaned heading
	}
	d.Bookmark(text, 0, -1)
	d.font("B", 16)
	d.SetTextColor(headFill.r, headFill.g, headFill.b)
	d.CellFormat(contentW, 9, text, "", 1, "L", false, 0, "")
	d.SetTextColor(0, 0, 0)
	d.Ln(2)
}

func (d *pdfDoc) subheading(text string, level int) {
	d.ensure(30) // the heading plus a table header and a two-line row, or a few lines of text
	d.Ln(2)
	if level >= 0 {
		d.Bookmark(text, level, -1)
	}
	d.font("B", 12)
	d.MultiCell(contentW, 6, text, "", "L", false)
	d.Ln(1)
}

func (d *pdfDoc) para(style string, size float64, text string) {
	d.font(style, size)
	d.MultiCell(contentW, lineH, text, "", "L", false)
}

// ensure starts a new page unless h mm fit above the bottom margin.
func (d *pdfDoc) ensure(h float64) {
	if d.GetY()+h > pageH-bottomMargin {
		d.AddPage()
	}
}

func (d *pdfDoc) cover() {
	r := d.v.R
	d.AddPage()
	d.Bookmark("Cover", 0, -1)
	d.SetY(40)
	d.font("", 12)
	d.SetTextColor(90, 90, 90)
	d.CellFormat(contentW, 7, orDefault(r.Checklist.Provider, "Provider")+" security certification", "", 1, "L", false, 0, "")
	d.SetTextColor(0, 0, 0)
	d.font("B", 24)
	d.MultiCell(contentW, 11, "Security self-assessment", "", "L", false)
	d.font("", 18)
	d.MultiCell(contentW, 9, orDefault(r.Project.Integration, r.Checklist.ID), "", "L", false)
	d.Ln(8)

	// Verdict box: colour plus the verdict in words.
	ready := r.Summary.Verdict == assessment.Ready
	c := statusFill[assessment.ControlFail]
	if ready {
		c = statusFill[assessment.ControlPass]
	}
	y := d.GetY()
	d.fill(c)
	d.SetDrawColor(60, 60, 60)
	d.Rect(margin, y, contentW, 22, "FD")
	d.SetXY(margin+5, y+3)
	d.font("B", 20)
	d.CellFormat(contentW-10, 9, "Verdict: "+VerdictLabel(r.Summary.Verdict), "", 2, "L", false, 0, "")
	d.font("", 11)
	d.CellFormat(contentW-10, 6, fmt.Sprintf("Score %d/100 · %d controls · %d failing · %d partial · %d not tested",
		r.Summary.Score, r.Summary.Total, r.Summary.Fail, r.Summary.Partial, r.Summary.NotTested), "", 1, "L", false, 0, "")
	d.SetY(y + 30)
	if len(r.Gate.Reasons) > 0 { // the reader of page 1 learns why, not only the verdict
		d.font("B", 10)
		d.MultiCell(contentW, 5.2, "Not ready because:", "", "L", false)
		d.font("", 10)
		for i, reason := range r.Gate.Reasons {
			if i == 4 && len(r.Gate.Reasons) > 5 {
				d.MultiCell(contentW, 5.2, fmt.Sprintf("•  … and %d more (see the executive summary)", len(r.Gate.Reasons)-4), "", "L", false)
				break
			}
			d.MultiCell(contentW, 5.2, "•  "+reason, "", "L", false)
		}
		d.Ln(4)
	}

	targets := strings.Join(r.Targets, "\n")
	facts := [][2]string{
		{"Organisation", orDefault(r.Project.Organisation, "—")},
		{"Integration", orDefault(r.Project.Integration, "—")},
		{"Contacts", orDefault(strings.Join(r.Project.Contacts, "\n"), "—")},
		{"Provider checklist", fmt.Sprintf("%s (%s, id %s, version %s)", r.Checklist.Title, r.Checklist.Provider, r.Checklist.ID, r.Checklist.Version)},
		{"Checklist SHA-256", orDefault(r.Checklist.SHA256, "—")},
		{"Targets", orDefault(targets, "—")},
		{"Assessment run", fmt.Sprintf("%s – %s", fmtTime(r.StartedAt), fmtTime(r.FinishedAt))},
		{"Report date", d.v.Date},
		{"Tool", r.Tool.Name + " " + r.Tool.Version},
		{"Signed by", orDefault(d.v.Signer, "not signed")},
	}
	for _, kv := range facts {
		d.factRow(kv[0], kv[1])
	}
}

// factRow prints "label  value" with the value wrapped.
func (d *pdfDoc) factRow(label, value string) {
	const lw = 42.0
	d.font("", 10)
	lines := d.wrap(value, contentW-lw)
	d.ensure(min(float64(len(lines))*5.2, 40)) // a long list (many targets) flows onto the next page
	y := d.GetY()
	d.font("B", 10)
	d.SetXY(margin, y)
	d.CellFormat(lw, 5.2, label, "", 0, "L", false, 0, "")
	d.font("", 10)
	d.SetY(y)
	for _, l := range lines {
		d.SetX(margin + lw)
		d.CellFormat(contentW-lw, 5.2, l, "", 1, "L", false, 0, "")
	}
	d.Ln(1)
}

func (d *pdfDoc) summary() {
	r := d.v.R
	d.heading("Executive summary", true)
	d.para("", 10, fmt.Sprintf("%d controls evaluated. Score %d/100. Verdict: %s.", r.Summary.Total, r.Summary.Score, VerdictLabel(r.Summary.Verdict)))
	d.Ln(3)

	var rows [][]string
	var styles []assessment.ControlStatus
	for _, sc := range d.v.StatusCount {
		rows = append(rows, []string{sc.Label, fmt.Sprint(sc.N)})
		styles = append(styles, sc.Status)
	}
	rows = append(rows, []string{"TOTAL", fmt.Sprint(r.Summary.Total)})
	styles = append(styles, "")
	d.table([]column{{"Status", 50, "L"}, {"Controls", 25, "R"}}, rows, func(row, col int) (assessment.ControlStatus, bool) {
		return styles[row], col == 0
	})
	d.Ln(4)

	d.subheading("The gate", -1)
	gate := fmt.Sprintf("A failure of severity %s or higher blocks readiness; ", orDefault(r.Gate.FailOn, "any"))
	if r.Gate.AllowUnanswered {
		gate += "unanswered controls are allowed."
	} else {
		gate += "unanswered controls block readiness."
	}
	d.para("", 10, gate)
	if len(r.Gate.Reasons) > 0 {
		d.Ln(1)
		d.para("B", 10, "Not ready because:")
		for _, reason := range r.Gate.Reasons {
			d.para("", 10, "•  "+reason)
		}
	}
	d.Ln(4)
	d.chart()
}

// chart draws one stacked bar per section, each segment labelled with its
// count, and a legend naming every status (so it reads in greyscale).
func (d *pdfDoc) chart() {
	secs := d.v.Sections
	const labelW, barH, gap = 55.0, 6.0, 3.0
	need := 12 + float64(len(secs))*(barH+gap) + 16
	d.ensure(need)
	d.subheading("Status by section", -1)
	max := 0
	for _, s := range secs {
		if n := len(s.Controls); n > max {
			max = n
		}
	}
	if max == 0 {
		d.para("I", 10, "No controls.")
		return
	}
	barW := contentW - labelW - 12
	d.SetDrawColor(255, 255, 255)
	d.SetLineWidth(0.3)
	for _, s := range secs {
		y := d.GetY()
		d.font("", 9)
		d.SetXY(margin, y)
		d.CellFormat(labelW, barH, truncate(d, s.Title, labelW-2), "", 0, "L", false, 0, "")
		x := margin + labelW
		for _, st := range assessment.ControlStatuses {
			n := s.Counts[st]
			if n == 0 {
				continue
			}
			w := barW * float64(n) / float64(max)
			d.fill(statusBar[st])
			d.Rect(x, y, w, barH, "FD")
			if w >= 5 {
				d.font("B", 8)
				d.SetTextColor(255, 255, 255)
				d.SetXY(x, y)
				d.CellFormat(w, barH, fmt.Sprint(n), "", 0, "C", false, 0, "")
				d.SetTextColor(0, 0, 0)
			}
			x += w
		}
		d.font("", 8)
		d.SetXY(x+1, y)
		d.CellFormat(10, barH, fmt.Sprint(len(s.Controls)), "", 0, "L", false, 0, "")
		d.SetY(y + barH + gap)
	}
	// legend
	d.Ln(2)
	x := margin
	y := d.GetY()
	d.font("", 8)
	for _, st := range assessment.ControlStatuses {
		label := StatusLabel(st)
		w := d.GetStringWidth(label) + 8
		if x+w > margin+contentW {
			x, y = margin, y+5
		}
		d.fill(statusBar[st])
		d.Rect(x, y+0.8, 3.5, 3.5, "F")
		d.SetXY(x+4.5, y)
		d.CellFormat(w-4.5, 5, label, "", 0, "L", false, 0, "")
		x += w + 2
	}
	d.SetDrawColor(0, 0, 0)
	d.SetY(y + 8)
}

func truncate(d *pdfDoc, s string, w float64) string {
	if d.GetStringWidth(s) <= w {
		return s
	}
	rs := []rune(s)
	for len(rs) > 1 && d.GetStringWidth(string(rs)+"…") > w {
		rs = rs[:len(rs)-1]
	}
	return string(rs) + "…"
}

// wrap splits s into lines no wider than w in the current font. Lines break
// at spaces; a token too wide for a line (a control id such as
// FH-ISSUE-HARDCODED-CREDENTIALS, a URL, a path) breaks after a '-', '/' or
// '_', and only a piece still too wide is cut between characters. fpdf's
// SplitText cuts long words anywhere, which made ids unreadable.
func (d *pdfDoc) wrap(s string, w float64) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		line, lineW := "", 0.0
		flush := func() {
			lines = append(lines, strings.TrimRight(line, " "))
			line, lineW = "", 0
		}
		for _, word := range strings.Fields(para) {
			sep := ""
			if line != "" {
				sep = " "
			}
			for _, piece := range d.breakToken(word, w) {
				pw := d.GetStringWidth(sep + piece)
				if line != "" && lineW+pw > w {
					flush()
					sep, pw = "", d.GetStringWidth(piece)
				}
				line += sep + piece
				lineW += pw
				sep = ""
			}
		}
		flush()
	}
	return lines
}

// breakToken cuts a space-free token into pieces that each fit in w where
// possible: after '-', '/' or '_' first, between characters as a last resort.
func (d *pdfDoc) breakToken(tok string, w float64) []string {
	if d.GetStringWidth(tok) <= w {
		return []string{tok}
	}
	var pieces []string
	start := 0
	for i, r := range tok {
		if (r == '-' || r == '/' || r == '_') && i+1 < len(tok) {
			pieces = append(pieces, tok[start:i+1])
			start = i + 1
		}
	}
	pieces = append(pieces, tok[start:])
	var out []string
	for _, p := range pieces {
		for d.GetStringWidth(p) > w {
			rs := []rune(p)
			n := 1 // at least one rune per line, however narrow w is
			for n < len(rs) && d.GetStringWidth(string(rs[:n+1])) <= w {
				n++
			}
			out = append(out, string(rs[:n]))
			p = string(rs[n:])
		}
		out = append(out, p)
	}
	return out
}

// maxCellLines is how many lines of a table cell fit on one page under the header.
const maxCellLines = 60 // (pageH - margin - bottomMargin - header 6.5 - padding) / 4.2 mm per line

type column struct {
	title string
	width float64
	align string
}

// table draws rows with wrapped cells; a row never splits, and the header is
// repeated at the top of every page the table continues on. style says which
// cell shows a status (filled, bold) and which is bold.
func (d *pdfDoc) table(cols []column, rows [][]string, style func(row, col int) (assessment.ControlStatus, bool)) {
	const pad = 1.2
	tableW := 0.0
	for _, c := range cols {
		tableW += c.width
	}
	header := func() {
		d.font("B", 9)
		d.fill(headFill)
		d.SetTextColor(255, 255, 255)
		x := margin
		y := d.GetY()
		for _, c := range cols {
			d.SetXY(x, y)
			d.CellFormat(c.width, 6.5, c.title, "", 0, c.align, true, 0, "")
			x += c.width
		}
		d.SetTextColor(0, 0, 0)
		d.SetY(y + 6.5)
	}
	d.ensure(6.5 + 2*lineH)
	header()
	for i, row := range rows {
		// measure
		h := 0.0
		lines := make([][]string, len(cols))
		for j, c := range cols {
			st, bold := style(i, j)
			fs := ""
			if bold || st != "" {
				fs = "B"
			}
			d.font(fs, 9)
			ls := d.wrap(row[j], c.width-2*pad)
			if len(ls) > maxCellLines { // a row never splits, so it must fit on a page
				ls = append(ls[:maxCellLines-1], "[… cut; see report.md]")
			}
			lines[j] = ls
			if lh := float64(len(ls))*4.2 + 2*pad; lh > h {
				h = lh
			}
		}
		if d.GetY()+h > pageH-bottomMargin {
			d.AddPage()
			header()
		}
		y := d.GetY()
		x := margin
		for j, c := range cols {
			st, bold := style(i, j)
			fs := ""
			if bold || st != "" {
				fs = "B"
			}
			if st != "" {
				d.fill(statusFill[st])
				d.Rect(x, y, c.width, h, "F")
			}
			d.font(fs, 9)
			for k, l := range lines[j] {
				d.SetXY(x+pad, y+pad+float64(k)*4.2)
				d.CellFormat(c.width-2*pad, 4.2, l, "", 0, c.align, false, 0, "")
			}
			x += c.width
		}
		d.SetDrawColor(rowRule.r, rowRule.g, rowRule.b)
		d.Line(margin, y+h, margin+tableW, y+h)
		d.SetDrawColor(0, 0, 0)
		d.SetY(y + h)
	}
}

func (d *pdfDoc) controls() {
	d.heading("Controls by section", true)
	cols := []column{{"Control", 58, "L"}, {"Title", 84, "L"}, {"Severity", 16, "L"}, {"Status", 22, "L"}}
	for _, s := range d.v.Sections {
		d.subheading(s.Title, 1)
		var rows [][]string
		for _, c := range s.Controls {
			rows = append(rows, []string{c.ID, c.Title, c.Severity, StatusLabel(c.Status)})
		}
		d.table(cols, rows, func(row, col int) (assessment.ControlStatus, bool) {
			if col == 3 {
				return s.Controls[row].Status, true
			}
			return "", col == 0
		})
		d.Ln(3)
	}
}

func (d *pdfDoc) findings() {
	d.heading("Findings", true)
	if len(d.v.Findings) == 0 {
		d.para("I", 10, "No control failed, is partial, errored or untested.")
		return
	}
	for _, c := range d.v.Findings {
		d.ensure(30)
		y := d.GetY()
		// status tag, then the control heading
		d.font("B", 9)
		tag := StatusLabel(c.Status)
		w := d.GetStringWidth(tag) + 4
		d.fill(statusFill[c.Status])
		d.Rect(margin, y+0.5, w, 5.5, "F")
		d.SetXY(margin, y+0.5)
		d.CellFormat(w, 5.5, tag, "", 0, "C", false, 0, "")
		d.Bookmark(c.ID, 1, y)
		d.SetXY(margin+w+2, y)
		d.font("B", 11)
		d.MultiCell(contentW-w-2, 6, c.ID+": "+c.Title, "", "L", false)
		d.font("", 9)
		meta := "Severity: " + c.Severity
		if len(c.Mappings) > 0 {
			meta += " · Maps to: " + strings.Join(c.Mappings, "; ")
		}
		d.SetTextColor(80, 80, 80)
		d.MultiCell(contentW, lineH, meta, "", "L", false)
		d.SetTextColor(0, 0, 0)
		if c.Requirement != "" {
			d.para("I", 9.5, c.Requirement)
		}
		if ev := shownEvidence(c); len(ev) > 0 {
			d.Ln(1)
			d.para("B", 9.5, "Observed")
			for _, e := range ev {
				d.para("", 9, "•  "+evidenceLine(e))
			}
		}
		if c.Note != "" {
			d.para("", 9, "Note: "+c.Note)
		}
		if c.Remediation != "" {
			d.Ln(1)
			d.para("B", 9.5, "Remediation")
			d.para("", 9.5, c.Remediation)
		}
		if c.Owner != "" || c.Due != "" {
			d.para("", 9.5, fmt.Sprintf("Owner: %s · Due: %s", orDefault(c.Owner, "—"), d.v.Due(c)))
		}
		d.answeredBy(c)
		d.Ln(4)
	}
}

func (d *pdfDoc) answeredBy(c *assessment.Control) {
	switch {
	case c.AnsweredBy != "" && c.AnsweredAt != nil:
		d.para("", 9, fmt.Sprintf("Answered by %s on %s", c.AnsweredBy, fmtTime(*c.AnsweredAt)))
	case c.AnsweredBy != "":
		d.para("", 9, "Answered by "+c.AnsweredBy)
	case c.AnsweredAt != nil:
		d.para("", 9, "Answered on "+fmtTime(*c.AnsweredAt))
	}
}

// attested lists, for the controls not under Findings, every answer with
// its label, the note, the evidence files and who answered when.
func (d *pdfDoc) attested() {
	d.heading("What the team attested for the other controls", true)
	if len(d.v.Attested) == 0 {
		d.para("I", 10, "Nothing else was attested.")
		return
	}
	for _, c := range d.v.Attested {
		d.ensure(20)
		d.font("B", 10.5)
		d.MultiCell(contentW, 6, fmt.Sprintf("%s: %s — %s", c.ID, c.Title, StatusLabel(c.Status)), "", "L", false)
		for _, a := range c.Answers {
			line := "•  " + a.Prompt + " " + orDefault(a.Label, "—")
			if a.Pass != nil && !*a.Pass {
				line += " (fails)"
			}
			d.para("", 9, line)
		}
		if c.NotApplicable != "" {
			d.para("", 9, "•  Not applicable: "+c.NotApplicable)
		}
		if c.Note != "" {
			d.para("", 9, "•  Note: "+c.Note)
		}
		for _, e := range c.Evidence {
			if e.Kind == "file" {
				d.para("", 9, "•  "+fileLine(e))
			}
		}
		if c.Owner != "" || c.Due != "" {
			d.para("", 9, fmt.Sprintf("•  Owner of the fix: %s · due %s", orDefault(c.Owner, "—"), d.v.Due(c)))
		}
		d.answeredBy(c)
		d.Ln(3)
	}
}

func (d *pdfDoc) exceptions() {
	r := d.v.R
	d.heading("Exceptions register", true)
	var rows [][]string
	var states []assessment.ControlStatus
	for _, c := range d.v.Exceptions {
		e := c.Exception
		rows = append(rows, []string{c.ID, e.Justification, e.ApprovedBy, e.Expires, "ACTIVE"})
		states = append(states, assessment.ControlExcepted)
	}
	for _, e := range r.ExpiredExceptions {
		rows = append(rows, []string{e.Control, e.Justification, e.ApprovedBy, e.Expires, "EXPIRED (ignored)"})
		states = append(states, assessment.ControlFail)
	}
	if len(rows) == 0 {
		d.para("I", 10, "No exceptions.")
	} else {
		d.table([]column{{"Control", 40, "L"}, {"Justification", 56, "L"}, {"Approved by", 30, "L"}, {"Expires", 22, "L"}, {"State", 32, "L"}}, rows,
			func(row, col int) (assessment.ControlStatus, bool) {
				if col == 4 {
					return states[row], true
				}
				return "", col == 0
			})
	}
	// not applicable justifications belong with the accepted deviations
	var na [][]string
	for i := range r.Controls {
		if c := &r.Controls[i]; c.Status == assessment.ControlNotApplicable {
			na = append(na, []string{c.ID, c.Title, orDefault(c.NotApplicable, "no justification given")})
		}
	}
	if len(na) > 0 {
		d.Ln(4)
		d.subheading("Not applicable", -1)
		d.table([]column{{"Control", 46, "L"}, {"Title", 50, "L"}, {"Justification", 84, "L"}}, na,
			func(row, col int) (assessment.ControlStatus, bool) { return "", col == 0 })
	}
}

func (d *pdfDoc) plan() {
	d.heading("Remediation plan", false)
	if len(d.v.Plan) == 0 {
		d.para("I", 10, "Nothing to remediate.")
		return
	}
	var rows [][]string
	for _, c := range d.v.Plan {
		rows = append(rows, []string{c.ID, c.Severity, StatusLabel(c.Status), orDefault(c.Remediation, "—"), orDefault(c.Owner, "—"), d.v.Due(c)})
	}
	d.table([]column{{"Control", 46, "L"}, {"Severity", 16, "L"}, {"Status", 20, "L"}, {"Remediation", 54, "L"}, {"Owner", 22, "L"}, {"Due", 22, "L"}}, rows,
		func(row, col int) (assessment.ControlStatus, bool) {
			if col == 2 {
				return d.v.Plan[row].Status, true
			}
			return "", col == 0
		})
}

func (d *pdfDoc) appendix() {
	r := d.v.R
	d.heading("Appendix: probe details", true)
	if len(r.Probes) == 0 {
		d.para("I", 10, "No probes ran.")
		return
	}
	var rows [][]string
	for _, p := range r.Probes {
		rows = append(rows, []string{p.ID, p.Target, strings.ToUpper(string(p.Status)), p.Summary, fmt.Sprintf("%d ms", p.DurationMS)})
	}
	d.table([]column{{"Probe", 38, "L"}, {"Target", 54, "L"}, {"Status", 17, "L"}, {"Summary", 54, "L"}, {"Time", 17, "R"}}, rows,
		func(row, col int) (assessment.ControlStatus, bool) {
			if col == 2 {
				return probeStatusColour(string(r.Probes[row].Status)), true
			}
			return "", col == 0
		})
	for _, p := range r.Probes {
		if len(p.Findings) == 0 {
			continue
		}
		d.subheading(p.ID+" @ "+p.Target, -1)
		for _, f := range p.Findings {
			line := fmt.Sprintf("•  [%s] %s: %s", f.Status, f.Rule, f.Message)
			if f.Location != "" {
				line += " (" + f.Location + ")"
			}
			if f.Evidence != "" {
				line += " — evidence " + f.Evidence
			}
			d.para("", 9, line)
		}
	}
}

// probeStatusColour maps probe statuses onto the control palette.
func probeStatusColour(s string) assessment.ControlStatus {
	switch s {
	case "pass":
		return assessment.ControlPass
	case "fail":
		return assessment.ControlFail
	case "warn":
		return assessment.ControlPartial
	case "error":
		return assessment.ControlError
	}
	return assessment.ControlNotApplicable
}

// signature draws the signature block on the last page. With a PDF
// signature it leaves a strip at its foot for the signature field, whose
// appearance the PDF reader draws (the signer's name) and which opens the
// signature panel when clicked.
func (d *pdfDoc) signature() {
	d.Ln(6)
	d.ensure(56)
	d.Bookmark("Signature", 0, -1)
	y := d.GetY()
	w := contentW - 8
	d.SetXY(margin+4, y+3)
	d.font("B", 12)
	d.CellFormat(w, 6, "Signature", "", 2, "L", false, 0, "")
	line := func(style, text string) {
		d.SetX(margin + 4)
		d.font(style, 9.5)
		d.MultiCell(w, lineH, text, "", "L", false)
	}
	sig := d.opts.PDFSign
	switch {
	case d.v.Signer != "" && sig != nil:
		line("", "This PDF carries a digital signature (your PDF reader's signature panel shows it), and SHA256SUMS of the package is signed with the same key (SSH signature, namespace \"selfassess\"). VERIFY.md lists the commands to check both.")
		line("B", "Signer: "+sig.Name)
		line("", "Certificate: "+sig.Chain[0].Subject.String()+certKind(sig.Chain))
		line("B", "Key fingerprint: "+d.v.Signer)
	case d.v.Signer != "":
		line("", "SHA256SUMS of this package is signed with the SSH key below (signature namespace \"selfassess\"). VERIFY.md lists the commands to check it.")
		line("B", "Key fingerprint: "+d.v.Signer)
		if d.opts.PDFNotSigned != "" {
			line("", "No PDF signature: "+d.opts.PDFNotSigned+".")
		}
	default:
		line("", "NOT SIGNED: this report was produced without a signing key. Its integrity can be checked against SHA256SUMS only.")
	}
	line("", "Signed: "+d.v.Date+" · "+d.v.R.Tool.Name+" "+d.v.R.Tool.Version)
	bottom := d.GetY() + 2
	if sig != nil {
		// The field: a strip inside the block, in PDF points from the lower left.
		const k = 72 / 25.4
		top := bottom
		bottom = top + 9
		d.field = sigField{placed: true, // signature() draws on the last page
			llx: (margin + 4) * k, urx: (margin + 4 + w/2) * k,
			lly: (pageH - bottom) * k, ury: (pageH - top) * k}
		d.SetDrawColor(170, 170, 170)
		d.Rect(margin+4, top, w/2, bottom-top, "D")
		bottom += 2
	}
	d.SetDrawColor(60, 60, 60)
	d.Rect(margin, y, contentW, bottom-y+1, "D")
	d.SetY(bottom + 3)
}

// certKind says whether the certificate is the key's own or a CA's.
func certKind(chain []*x509.Certificate) string {
	c := chain[0]
	if bytes.Equal(c.RawIssuer, c.RawSubject) {
		return " (self-signed over the key below)"
	}
	return ", issued by " + c.Issuer.String()
}
