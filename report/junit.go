package report

import (
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/selfassess/selfassess/assessment"
)

// JUnit XML, the subset GitLab, Jenkins and GitHub test reporters read.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Timestamp string      `xml:"timestamp,attr,omitempty"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// JUnit renders junit.xml: one test suite per section, one test case per
// control (classname = section). fail and partial are failures carrying
// the findings; error is an error; not_tested and not_applicable are skipped.
func JUnit(r *assessment.Results) ([]byte, error) {
	v := newView(r, Options{})
	out := junitSuites{Name: "selfassess " + r.Checklist.ID + " " + r.Checklist.Version}
	for _, s := range v.Sections {
		suite := junitSuite{Name: s.Title, Timestamp: r.FinishedAt.UTC().Format("2006-01-02T15:04:05")}
		if r.FinishedAt.IsZero() {
			suite.Timestamp = ""
		}
		for _, c := range s.Controls {
			tc := junitCase{Name: c.ID + ": " + c.Title, Classname: s.ID}
			detail := findingText(c)
			switch c.Status {
			case assessment.ControlFail, assessment.ControlPartial:
				tc.Failure = &junitProblem{Message: firstLine(c, detail), Type: string(c.Status) + "/" + c.Severity, Text: detail}
				suite.Failures++
			case assessment.ControlError:
				tc.Error = &junitProblem{Message: firstLine(c, detail), Type: "error", Text: detail}
				suite.Errors++
			case assessment.ControlNotTested:
				tc.Skipped = &junitSkipped{Message: "not tested: no answer or probe result"}
				suite.Skipped++
			case assessment.ControlNotApplicable:
				tc.Skipped = &junitSkipped{Message: "not applicable: " + c.NotApplicable}
				suite.Skipped++
			case assessment.ControlExcepted:
				if e := c.Exception; e != nil {
					tc.SystemOut = fmt.Sprintf("excepted until %s (approved by %s): %s", e.Expires, e.ApprovedBy, e.Justification)
				}
			}
			for _, f := range r.Tracked {
				if f.Control != c.ID {
					continue
				}
				switch {
				case f.Status == assessment.FindingSuppressed:
					tc.SystemOut += fmt.Sprintf("suppressed false positive %s: %s\n", f.Fingerprint, f.Justification)
				case f.Source == assessment.SourceReview:
					tc.SystemOut += fmt.Sprintf("reviewer finding (%s, due %s): %s; response: %s\n", f.Status, orDefault(f.Due, "—"), f.Message, responseText(f.Response))
				}
			}
			suite.Cases = append(suite.Cases, tc)
			suite.Tests++
		}
		out.Tests += suite.Tests
		out.Failures += suite.Failures
		out.Errors += suite.Errors
		out.Skipped += suite.Skipped
		out.Suites = append(out.Suites, suite)
	}
	b, err := xml.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(append([]byte(xml.Header), b...), '\n'), nil
}

// findingText is the evidence that explains a control's status, one per line,
// followed by the remediation.
func findingText(c *assessment.Control) string {
	var sb strings.Builder
	for _, e := range c.Evidence {
		if e.Status.Informational() {
			continue
		}
		sb.WriteString(evidenceLine(e))
		sb.WriteByte('\n')
	}
	if c.Remediation != "" {
		sb.WriteString("Remediation: " + c.Remediation + "\n")
	}
	return sb.String()
}

func evidenceLine(e assessment.Reason) string {
	if e.Kind == "file" {
		return fileLine(e)
	}
	s := e.Message
	if e.Status != "" {
		s = "[" + string(e.Status) + "] " + s
	}
	if loc := evidenceLocation(e); loc != "" {
		s += " (" + loc + ")"
	}
	if e.Source != "" && e.Kind != "answer" && e.Kind != "note" {
		s += " — " + e.Source // which probe, on which target
	}
	return s
}

// fileLine names an evidence file and, once packed, its size, SHA-256 and
// path in the package.
func fileLine(e assessment.Reason) string {
	s := "Evidence file " + e.Source
	if e.Packed != "" {
		s += fmt.Sprintf(": %d bytes, SHA-256 %s, in the package as %s", e.Size, e.SHA256, e.Packed)
	}
	return s
}

func firstLine(c *assessment.Control, detail string) string {
	if i := strings.IndexByte(detail, '\n'); i > 0 && !strings.HasPrefix(detail, "Remediation:") {
		return c.Severity + ": " + detail[:i]
	}
	return c.Severity + ": " + c.Title
}
