package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/image/font/gofont/gobold"

	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/internal/synthetic"
	"github.com/selfassess/selfassess/internal/testenv"
	"github.com/selfassess/selfassess/probes"
)

const fixture = "../testdata/results/finhub-acme.json"

var date = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)

func load(t testing.TB) *assessment.Results {
	t.Helper()
	r, err := LoadResults(fixture)
	require.NoError(t, err)
	return r
}

// requireTool finds an external tool; missing skips locally, fails in CI.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	return testenv.RequireTool(t, name)
}

func TestFixtureCoversEveryStatus(t *testing.T) {
	r := load(t)
	seen := map[assessment.ControlStatus]bool{}
	for _, c := range r.Controls {
		seen[c.Status] = true
	}
	for _, s := range assessment.ControlStatuses {
		assert.True(t, seen[s], "fixture lacks a %s control", s)
	}
}

func TestJSONRoundTripsAndValidates(t *testing.T) {
	r := load(t)
	b, err := JSON(r)
	require.NoError(t, err)
	require.NoError(t, ValidateResults(b))
	again, err := ParseResults("x", b)
	require.NoError(t, err)
	assert.Equal(t, r, again)

	// A results value as the evaluator builds it, with nil slices, validates too.
	empty := &assessment.Results{Schema: assessment.SchemaID, Tool: assessment.Tool{Name: "selfassess"},
		Checklist: assessment.ChecklistRef{ID: "x"}, Summary: assessment.Summary{Verdict: assessment.Ready},
		Controls: []assessment.Control{{ID: "C1", Severity: "low", Status: assessment.ControlPass}}}
	b, err = JSON(empty)
	require.NoError(t, err)
	require.NoError(t, ValidateResults(b))
}

// Every field DESIGN.md's results.json contract names is present under that
// name, even when empty: scripts index them without checking.
func TestJSONHasEveryContractField(t *testing.T) {
	r := &assessment.Results{Schema: assessment.SchemaID,
		Controls: []assessment.Control{{ID: "C1", Severity: "low", Status: assessment.ControlPass}},
		Probes:   []probes.Result{{ID: "tls.versions", Status: probes.Pass}}}
	b, err := JSON(r)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b, &doc))
	has := func(obj any, where string, keys ...string) {
		m, ok := obj.(map[string]any)
		require.True(t, ok, where)
		for _, k := range keys {
			assert.Contains(t, m, k, "%s.%s", where, k)
		}
	}
	has(doc, "results", "schema", "tool", "checklist", "targets", "started_at", "finished_at", "summary", "controls", "probes")
	has(doc["checklist"], "checklist", "id", "version", "sha256")
	has(doc["summary"], "summary", "total", "pass", "fail", "partial", "not_applicable", "not_tested", "error", "excepted", "score", "verdict")
	has(doc["controls"].([]any)[0], "controls[0]", "id", "section", "title", "severity", "status", "answers", "probe_refs", "evidence", "exception", "remediation")
	has(doc["probes"].([]any)[0], "probes[0]", "id", "target", "status", "summary", "observed", "duration_ms")
}

func TestLoadResultsErrors(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(fixture)
	require.NoError(t, err)
	cases := map[string]struct {
		data string
		want string
	}{
		"syntax":    {"{\n  \"schema\": \"selfassess/results/v1\",\n  \"tool\": {,\n}", "syntax.json:3:12: invalid character ','"},
		"type":      {"{\n\"schema\": \"selfassess/results/v1\",\n\"targets\": 5}", "type.json:3:12: field targets: cannot use JSON number"},
		"schema":    {`{"schema": "something/else"}`, `not a selfassess results file (schema "something/else"`},
		"badstatus": {strings.Replace(string(good), `"status": "error"`, `"status": "broken"`, 1), "badstatus.json: at /controls/7/status: value must be one of"},
		"missing":   {`{"schema": "selfassess/results/v1"}`, "missing.json: at /: missing properties"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name+".json")
			require.NoError(t, os.WriteFile(p, []byte(c.data), 0o644))
			_, err := LoadResults(p)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.NotContains(t, err.Error(), "\n")
		})
	}
}

func TestParseFormats(t *testing.T) {
	f, err := ParseFormats("pdf, md,pdf")
	require.NoError(t, err)
	assert.Equal(t, []string{"pdf", "md"}, f)
	f, err = ParseFormats("")
	require.NoError(t, err)
	assert.Equal(t, FormatOrder, f)
	_, err = ParseFormats("md,docx")
	assert.ErrorContains(t, err, `unknown format "docx"`)
}

func TestMarkdownContent(t *testing.T) {
	r := load(t)
	b, err := Markdown(r, Options{Date: date, Signer: "SHA256:testkey"})
	require.NoError(t, err)
	md := string(b)
	for _, c := range r.Controls {
		assert.Contains(t, md, c.Title)
	}
	for _, want := range []string{
		"| Organisation | Acme Payments GmbH |", "FinHub Partner Security Certification", "version 2025.1",
		"`https://checkout.acme.example`", "| Date | 2026-11-21 |", "**NOT READY**", "score 48/100",
		"| FAIL | 3 |", "| EXCEPTED | 1 |", "FH-AUTH-1 (critical) failed",
		"### Authentication & Authorization", "### Data Protection",
		"FinHub live API key committed: fk_live_Hy*** (`config/payments.go:42`)",
		"**Remediation:** Remove the key", "Owner: Platform team (Jonas Weber) · Due: 2026-12-05",
		"| FH-TLS-3 | Legacy POS terminals", "| active |", "| FH-WEB-1 | CSP rollout in progress. |", "**expired** (ignored)",
		"We serve Swiss merchants only", "SHA256:testkey", "| source.secrets | `./checkout-service` | FAIL |",
	} {
		assert.Contains(t, md, want)
	}
	// Remediation plan: critical before medium, dated before undated.
	plan := md[strings.Index(md, "## Remediation plan"):]
	assert.Less(t, strings.Index(plan, "| FH-WH-1 |"), strings.Index(plan, "| FH-AUTH-1 |"), "earlier due date first within critical")
	assert.Less(t, strings.Index(plan, "| FH-AUTH-1 |"), strings.Index(plan, "| FH-TLS-2 |"))
	// a passing control is not a finding
	findings := md[strings.Index(md, "## Findings"):strings.Index(md, "## Not applicable")]
	assert.NotContains(t, findings, "FH-TLS-1")
}

func TestTemplateDirOverride(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, ReportTemplate), []byte("custom {{ .R.Project.Organisation }} {{ verdict .R.Summary.Verdict }}\n"), 0o644))
	b, err := Markdown(load(t), Options{TemplateDir: dir})
	require.NoError(t, err)
	assert.Equal(t, "custom Acme Payments GmbH NOT READY\n", string(b))

	require.NoError(t, os.WriteFile(filepath.Join(dir, ReportTemplate), []byte("{{ .Nope }}"), 0o644))
	_, err = Markdown(load(t), Options{TemplateDir: dir})
	assert.ErrorContains(t, err, "report.md.tmpl:1:3")
}

func TestJUnit(t *testing.T) {
	r := load(t)
	b, err := JUnit(r)
	require.NoError(t, err)
	var suites junitSuites
	require.NoError(t, xml.Unmarshal(b, &suites))
	assert.Equal(t, len(r.Controls), suites.Tests)
	assert.Equal(t, 4, suites.Failures) // 3 fail + 1 partial
	assert.Equal(t, 1, suites.Errors)
	assert.Equal(t, 2, suites.Skipped) // not_tested + not_applicable
	cases := map[string]junitCase{}
	for _, s := range suites.Suites {
		for _, c := range s.Cases {
			cases[c.Name[:strings.Index(c.Name, ":")]] = c
		}
	}
	require.Len(t, cases, len(r.Controls))
	auth := cases["FH-AUTH-1"]
	assert.Equal(t, "auth", auth.Classname)
	require.NotNil(t, auth.Failure)
	assert.Contains(t, auth.Failure.Text, "FinHub live API key committed: fk_live_Hy*** (config/payments.go:42)")
	assert.Contains(t, auth.Failure.Text, "Remediation: Remove the key")
	assert.NotNil(t, cases["FH-AUTH-3"].Skipped)
	assert.NotNil(t, cases["FH-DATA-3"].Skipped)
	assert.NotNil(t, cases["FH-DATA-2"].Error)
	assert.Nil(t, cases["FH-TLS-1"].Failure)
}

func TestSARIF(t *testing.T) {
	r := load(t)
	b, err := SARIF(r)
	require.NoError(t, err)
	rep, err := sarif.FromBytes(b)
	require.NoError(t, err)
	require.NoError(t, rep.Validate(), "SARIF 2.1.0 schema")
	assert.Equal(t, "2.1.0", rep.Version)
	run := rep.Runs[0]
	var rules []string
	for _, rl := range run.Tool.Driver.Rules {
		rules = append(rules, *rl.ID)
		if *rl.ID == "FH-WH-1" {
			assert.Contains(t, *rl.Help.Text, "constant-time comparison")
		}
	}
	assert.ElementsMatch(t, []string{"FH-AUTH-1", "FH-TLS-2", "FH-DATA-2", "FH-WH-1", "FH-WEB-1"}, rules)

	var sawSource, sawURL bool
	for _, res := range run.Results {
		for _, loc := range res.Locations {
			al := loc.PhysicalLocation.ArtifactLocation
			if *al.URI == "config/payments.go" {
				sawSource = true
				assert.Equal(t, 42, *loc.PhysicalLocation.Region.StartLine)
			}
			if *al.URI == "https://api.acme.example/webhooks/finhub" {
				sawURL = true
				assert.Nil(t, loc.PhysicalLocation.Region)
			}
		}
	}
	assert.True(t, sawSource, "source finding with file and line")
	assert.True(t, sawURL, "URL finding as artifact location")

	// A summary over the whole source tree points at no file; a URL target keeps its location.
	tree := assessment.Reason{Kind: "probe", Source: "source.secrets@/home/ci/checkout", Location: "/home/ci/checkout"}
	assert.Nil(t, location(tree))
	site := assessment.Reason{Kind: "probe", Source: "http.hsts@https://a.example/", Location: "https://a.example/"}
	require.NotNil(t, location(site))
	assert.Equal(t, "https://a.example/", *location(site).PhysicalLocation.ArtifactLocation.URI)
	var raw map[string]any
	require.NoError(t, json.Unmarshal(b, &raw))
}

func TestPDFDeterministic(t *testing.T) {
	r := load(t)
	a, err := PDF(r, Options{Date: date, Signer: "SHA256:x"})
	require.NoError(t, err)
	b, err := PDF(load(t), Options{Date: date, Signer: "SHA256:x"})
	require.NoError(t, err)
	assert.True(t, bytes.Equal(a, b), "same results and date must give identical bytes")
	c, err := PDF(r, Options{Date: date.Add(time.Hour), Signer: "SHA256:x"})
	require.NoError(t, err)
	assert.False(t, bytes.Equal(a, c), "the date is part of the document")
	assert.True(t, bytes.HasPrefix(a, []byte("%PDF-")))
}

func TestPDFText(t *testing.T) {
	pdftotext := requireTool(t, "pdftotext")
	r := load(t)
	b, err := PDF(r, Options{Date: date, Signer: "SHA256:AbCdEfFingerprint"})
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "report.pdf")
	require.NoError(t, os.WriteFile(p, b, 0o644))
	out, err := exec.Command(pdftotext, "-layout", p, "-").Output()
	require.NoError(t, err)
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, c := range r.Controls {
		assert.Contains(t, text, c.Title, "control title in the PDF")
	}
	for _, want := range []string{"Verdict: NOT READY", "Acme Payments GmbH", "Zoë Müller", "page 1 of", "SHA256:AbCdEfFingerprint",
		"Exceptions register", "Remediation plan", "Appendix: probe details", "fk_live_Hy***", "EXPIRED (ignored)"} {
		assert.Contains(t, text, want)
	}
	pages := strings.Count(string(out), "\f")
	assert.Contains(t, text, "page 1 of "+strconv.Itoa(pages))
}

// TestPDFLongTableRepeatsHeader renders a section too long for one page.
func TestPDFLongTableRepeatsHeader(t *testing.T) {
	pdftotext := requireTool(t, "pdftotext")
	r := synthetic.Results(120)
	b, err := PDF(r, Options{Date: date})
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "long.pdf")
	require.NoError(t, os.WriteFile(p, b, 0o644))
	out, err := exec.Command(pdftotext, "-layout", p, "-").Output()
	require.NoError(t, err)
	pages := strings.Split(string(out), "\f")
	headers := 0
	for _, pg := range pages {
		if strings.Contains(pg, "Control") && strings.Contains(pg, "Severity") && strings.Contains(pg, "SYN-") {
			headers++
		}
	}
	assert.GreaterOrEqual(t, headers, 3, "the controls table spans pages, each with its header")
	for _, c := range r.Controls {
		assert.Contains(t, string(out), c.ID)
	}
}

// Bookmarks: one per part and per section, and one per finding.
func TestPDFBookmarks(t *testing.T) {
	r := load(t)
	b, err := PDF(r, Options{Date: date})
	require.NoError(t, err)
	assert.Contains(t, string(b), "/Type /Outlines")
	utf16 := func(s string) []byte {
		out := []byte{0xfe, 0xff}
		for _, c := range s {
			out = append(out, byte(c>>8), byte(c))
		}
		return out
	}
	for _, title := range []string{"Executive summary", "Controls by section", "Authentication & Authorization", "Transport Security",
		"Data Protection", "Web Application & Webhooks", "Findings", "FH-AUTH-1", "FH-WH-1", "Exceptions register", "Remediation plan",
		"Appendix: probe details", "Signature"} {
		assert.True(t, bytes.Contains(b, append([]byte("/Title ("), utf16(title)...)), "bookmark %q", title)
	}
}

// Table cells wrap long ids at their hyphens, never inside a word, and
// every line fits the width.
func TestPDFWrapBreaksIDsAtHyphens(t *testing.T) {
	f := fpdf.New("P", "mm", "A4", "")
	f.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	f.AddPage()
	d := &pdfDoc{Fpdf: f}
	d.font("B", 9)
	const w = 30.0
	lines := d.wrap("FH-ISSUE-HARDCODED-CREDENTIALS", w)
	require.Greater(t, len(lines), 1, "the id is wider than the cell")
	assert.Equal(t, "FH-ISSUE-HARDCODED-CREDENTIALS", strings.Join(lines, ""))
	for i, l := range lines {
		assert.LessOrEqual(t, d.GetStringWidth(l), w, "line %q fits", l)
		if i < len(lines)-1 {
			assert.True(t, strings.HasSuffix(l, "-"), "line %q ends at a hyphen", l)
		}
	}
	// words wrap at spaces; a token without break points is cut by width
	in := "Keep tokens on the server " + strings.Repeat("x", 80)
	lines = d.wrap(in, w)
	assert.Greater(t, len(lines), 3)
	assert.Equal(t, strings.ReplaceAll(in, " ", ""), strings.ReplaceAll(strings.Join(lines, ""), " ", ""), "nothing lost")
	for _, l := range lines {
		assert.LessOrEqual(t, d.GetStringWidth(l), w, "line %q fits", l)
	}
	assert.Equal(t, []string{"a", "", "b"}, d.wrap("a\n\nb", w), "line breaks are kept")
}

// A note is printed once, and a location that only repeats the probe's
// target is not printed again.
func TestEvidenceNotRepeated(t *testing.T) {
	r := load(t)
	c := &r.Controls[0]
	c.Status, c.Note = assessment.ControlFail, "Tokens live in the backend."
	c.Evidence = []assessment.Reason{
		{Kind: "probe", Source: "http.cookies@https://t.example/", Status: "fail", Message: "cookie lacks flags", Location: "https://t.example/"},
		{Kind: "probe", Source: "js.token-storage@https://t.example/", Status: "fail", Message: "localStorage write", Location: "https://t.example/app.js:4"},
		{Kind: "note", Source: "note", Message: c.Note},
	}
	md, err := Markdown(r, Options{Date: date})
	require.NoError(t, err)
	s := string(md)
	assert.Equal(t, 1, strings.Count(s, c.Note), "the note once")
	assert.Contains(t, s, "- [fail] cookie lacks flags — http.cookies@https://t.example/\n")
	assert.Contains(t, s, "- [fail] localStorage write (`https://t.example/app.js:4`) — js.token-storage@https://t.example/\n")
	assert.Equal(t, "[fail] cookie lacks flags — http.cookies@https://t.example/", evidenceLine(c.Evidence[0]), "the target is named once")
	j, err := JUnit(r)
	require.NoError(t, err)
	assert.Contains(t, string(j), "[fail] cookie lacks flags — http.cookies@https://t.example/")
	assert.Len(t, shownEvidence(c), 2)
}

// Multi-line text from a user's checklist or a probe stays inside its
// blockquote or list item.
func TestMarkdownMultiLineText(t *testing.T) {
	r := load(t)
	c := &r.Controls[0]
	c.Status = assessment.ControlFail
	c.Requirement = "Tokens are stored server-side.\nRefresh tokens are encrypted."
	c.Evidence = []assessment.Reason{{Kind: "probe", Source: "http.error-leak@https://t.example/", Status: "fail", Message: "Traceback:\n  File app.py"}}
	md, err := Markdown(r, Options{Date: date})
	require.NoError(t, err)
	s := string(md)
	assert.Contains(t, s, "\n> Tokens are stored server-side.\n> Refresh tokens are encrypted.\n")
	assert.Contains(t, s, "\n- [fail] Traceback: File app.py — http.error-leak@https://t.example/\n")
}

// No page ends with a section heading whose table starts on the next page.
// Sections of 1, 2, 3, … controls put headings at many heights on the page.
func TestPDFNoOrphanedHeadings(t *testing.T) {
	pdftotext := requireTool(t, "pdftotext")
	r := synthetic.Results(150)
	r.Sections = nil
	size, left := 1, 1
	for i := range r.Controls {
		if left--; left == 0 || i == 0 {
			if i > 0 {
				size++
			}
			left = size
			id := fmt.Sprintf("sec%02d", len(r.Sections)+1)
			r.Sections = append(r.Sections, assessment.SectionStats{ID: id, Title: "Heading of " + id})
		}
		r.Controls[i].Section = r.Sections[len(r.Sections)-1].ID
	}
	b, err := PDF(r, Options{Date: date})
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "orphans.pdf")
	require.NoError(t, os.WriteFile(p, b, 0o644))
	out, err := exec.Command(pdftotext, "-layout", p, "-").Output()
	require.NoError(t, err)
	headings := 0
	for n, page := range strings.Split(string(out), "\f") {
		var lines []string
		for _, l := range strings.Split(page, "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.Contains(l, "page ") {
				lines = append(lines, l)
			}
		}
		headings += strings.Count(page, "Heading of sec")
		if len(lines) > 0 {
			assert.NotContains(t, lines[len(lines)-1], "Heading of sec", "page %d ends with a heading", n+1)
		}
	}
	assert.GreaterOrEqual(t, headings, len(r.Sections), "every section heading is in the PDF")
}

// A cover with many targets flows onto a second page instead of one page per line.
func TestPDFManyTargetsFlow(t *testing.T) {
	pdftotext := requireTool(t, "pdftotext")
	r := load(t)
	r.Targets = nil
	for i := range 120 {
		r.Targets = append(r.Targets, fmt.Sprintf("https://host-%03d.acme.example/", i))
	}
	few, err := PDF(load(t), Options{Date: date})
	require.NoError(t, err)
	many, err := PDF(r, Options{Date: date})
	require.NoError(t, err)
	pages := func(b []byte) (int, string) {
		p := filepath.Join(t.TempDir(), "t.pdf")
		require.NoError(t, os.WriteFile(p, b, 0o644))
		out, err := exec.Command(pdftotext, "-layout", p, "-").Output()
		require.NoError(t, err)
		return strings.Count(string(out), "\f"), string(out)
	}
	nFew, _ := pages(few)
	nMany, text := pages(many)
	assert.LessOrEqual(t, nMany, nFew+3, "120 targets need a few cover pages, not one per line")
	for _, tg := range r.Targets {
		assert.Contains(t, text, tg)
	}
}

// A table cell longer than a page is cut (the full text is in report.md)
// rather than drawn past the page bottom.
func TestPDFHugeCellFitsAPage(t *testing.T) {
	pdftotext := requireTool(t, "pdftotext")
	r := load(t)
	r.Probes[0].Summary = strings.Repeat("very long probe summary text ", 400)
	b, err := PDF(r, Options{Date: date})
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "huge.pdf")
	require.NoError(t, os.WriteFile(p, b, 0o644))
	out, err := exec.Command(pdftotext, "-layout", p, "-").Output()
	require.NoError(t, err)
	assert.Contains(t, string(out), "[… cut; see report.md]")
	for n, page := range strings.Split(string(out), "\f") {
		if strings.Contains(page, "very long probe summary") {
			assert.Contains(t, page, "tls.versions", "page %d: the cut cell is drawn whole, with its row", n+1)
			assert.Contains(t, page, "[… cut; see report.md]", "page %d: the cut cell ends on its page", n+1)
		}
	}
}

// The report's findings and SARIF's rules list controls in Results.Findings
// order (worst first), as the terminal summary does.
func TestFindingsInResultsOrder(t *testing.T) {
	r := load(t)
	var want, wantFailed []string
	for _, c := range r.Findings() {
		want = append(want, c.ID)
		if c.Status.Failed() {
			wantFailed = append(wantFailed, c.ID)
		}
	}
	require.Greater(t, len(wantFailed), 2)

	b, err := Markdown(r, Options{})
	require.NoError(t, err)
	md := string(b)
	findings := md[strings.Index(md, "## Findings"):strings.Index(md, "## What the team attested")]
	var got []string
	for _, l := range strings.Split(findings, "\n") {
		if id, ok := strings.CutPrefix(l, "### "); ok {
			got = append(got, strings.SplitN(id, ":", 2)[0])
		}
	}
	assert.Equal(t, want, got, "report.md findings")

	b, err = SARIF(r)
	require.NoError(t, err)
	rep, err := sarif.FromBytes(b)
	require.NoError(t, err)
	var rules []string
	for _, rl := range rep.Runs[0].Tool.Driver.Rules {
		rules = append(rules, *rl.ID)
	}
	assert.Equal(t, wantFailed, rules, "SARIF rules")
}

// A broken template from TemplateDir is a *TemplateError naming the file;
// the embedded templates and other formats never are.
func TestTemplateErrorIsTyped(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, ReportTemplate), []byte("{{ nope }}"), 0o644))
	_, err := Render(load(t), []string{"md"}, Options{TemplateDir: dir})
	var te *TemplateError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, filepath.Join(dir, ReportTemplate), te.Path)

	_, err = ChangesMarkdown(&assessment.DiffResult{}, "a", "b", dir) // changes.md.tmpl missing from dir
	require.ErrorAs(t, err, &te)

	_, err = Render(load(t), []string{"md", "pdf", "json"}, Options{})
	require.NoError(t, err)
}

// The terminal summary: counts, verdict, then the worst findings first
// (Results.Findings), each with the reason that explains it.
func TestSummary(t *testing.T) {
	r := load(t)
	var buf bytes.Buffer
	require.NoError(t, Summary(&buf, r, 2))
	out := buf.String()
	assert.Contains(t, out, "SECTION  ")
	assert.Contains(t, out, fmt.Sprintf("TOTAL (%d)", r.Summary.Total))
	assert.Contains(t, out, "\nVerdict: NOT-READY (score 48/100, gate: fail on high and above)\n")
	f := r.Findings()
	require.Greater(t, len(f), 2)
	first, second := strings.Index(out, "  "+f[0].ID+" ["), strings.Index(out, "  "+f[1].ID+" [")
	assert.True(t, first > 0 && second > first, "worst finding first:\n%s", out)
	assert.NotContains(t, out, "  "+f[2].ID+" [")
	assert.Contains(t, out, fmt.Sprintf("  … and %d more in the report\n", len(f)-2))
	if e, ok := f[0].WorstReason(); ok {
		assert.Contains(t, out, "      found: "+e.Source+": ")
	}
	assert.Equal(t, "Remove the key.", firstSentence("Remove the key. Then rotate it.\n"))
}
