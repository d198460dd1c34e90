package report

import (
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"maps"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/probes"
)

// OSCALVersion is the NIST OSCAL release the OSCAL files declare and are
// validated against (metadata.oscal-version).
const OSCALVersion = "1.1.3"

// The OSCAL files, written together by the "oscal" format.
const (
	OSCALResultsFile = "assessment-results.json"
	OSCALPlanFile    = "assessment-plan.json"
	OSCALPOAMFile    = "poam.json"
)

// oscalNS marks the properties that carry selfassess's own vocabulary.
const oscalNS = "urn:selfassess:oscal"

// oscalUUIDSpace is the name space of the v5 UUIDs: the same results give
// the same UUIDs, so two renderings of one assessment are byte-identical.
var oscalUUIDSpace = [16]byte{0x6b, 0x1d, 0x3a, 0x52, 0x8e, 0x4f, 0x4c, 0x0b, 0x9a, 0x77, 0x21, 0x5e, 0xc0, 0x3d, 0x10, 0x9f}

// uuidV5 is RFC 9562's name-based UUID (SHA-1).
func uuidV5(space [16]byte, name string) string {
	h := sha1.New()
	h.Write(space[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// oscalStatus is how one selfassess control status reads in OSCAL: the
// finding's objective state and reason, and the risk it carries (if any).
type oscalStatus struct {
	State  string // satisfied | not-satisfied
	Reason string // pass | fail | other
	Risk   string // risk status; "" = no risk recorded
}

// OSCALStatus maps every control status onto OSCAL (README: the table).
// An accepted exception is a deviation the team approved, still a risk;
// a control nothing verified is not satisfied, but no risk is asserted.
func OSCALStatus(s assessment.ControlStatus) oscalStatus {
	switch string(s) {
	case "pass":
		return oscalStatus{"satisfied", "pass", ""}
	case "not_applicable":
		return oscalStatus{"satisfied", "other", ""}
	case "fail":
		return oscalStatus{"not-satisfied", "fail", "open"}
	case "partial":
		return oscalStatus{"not-satisfied", "other", "open"}
	case "error":
		return oscalStatus{"not-satisfied", "other", "investigating"}
	case "excepted":
		return oscalStatus{"not-satisfied", "fail", "deviation-approved"}
	default: // not_tested
		return oscalStatus{"not-satisfied", "other", ""}
	}
}

type oscalProp struct {
	Name  string `json:"name"`
	NS    string `json:"ns,omitempty"`
	Value string `json:"value"`
}

type oscalParty struct {
	UUID   string   `json:"uuid"`
	Type   string   `json:"type"`
	Name   string   `json:"name"`
	Emails []string `json:"email-addresses,omitempty"`
}

type oscalRole struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

type oscalResponsible struct {
	RoleID     string   `json:"role-id"`
	PartyUUIDs []string `json:"party-uuids"`
}

type oscalMetadata struct {
	Title            string             `json:"title"`
	LastModified     string             `json:"last-modified"`
	Version          string             `json:"version"`
	OSCALVersion     string             `json:"oscal-version"`
	Roles            []oscalRole        `json:"roles,omitempty"`
	Parties          []oscalParty       `json:"parties,omitempty"`
	ResponsibleParty []oscalResponsible `json:"responsible-parties,omitempty"`
	Props            []oscalProp        `json:"props,omitempty"`
}

type oscalHash struct {
	Algorithm string `json:"algorithm"`
	Value     string `json:"value"`
}

type oscalRlink struct {
	Href   string      `json:"href"`
	Hashes []oscalHash `json:"hashes,omitempty"`
}

type oscalResource struct {
	UUID        string       `json:"uuid"`
	Title       string       `json:"title"`
	Description string       `json:"description,omitempty"`
	Rlinks      []oscalRlink `json:"rlinks,omitempty"`
}

type oscalBackMatter struct {
	Resources []oscalResource `json:"resources"`
}

type oscalControlSelection struct {
	IncludeControls []struct {
		ControlID string `json:"control-id"`
	} `json:"include-controls"`
}

type oscalReviewed struct {
	ControlSelections []oscalControlSelection `json:"control-selections"`
}

type oscalEvidence struct {
	Href        string      `json:"href,omitempty"`
	Description string      `json:"description"`
	Props       []oscalProp `json:"props,omitempty"`
}

type oscalObservation struct {
	UUID        string          `json:"uuid"`
	Title       string          `json:"title,omitempty"`
	Description string          `json:"description"`
	Props       []oscalProp     `json:"props,omitempty"`
	Methods     []string        `json:"methods"`
	Types       []string        `json:"types,omitempty"`
	Evidence    []oscalEvidence `json:"relevant-evidence,omitempty"`
	Collected   string          `json:"collected"`
}

type oscalRef struct {
	ObservationUUID string `json:"observation-uuid,omitempty"`
	RiskUUID        string `json:"risk-uuid,omitempty"`
}

type oscalTarget struct {
	Type     string `json:"type"`
	TargetID string `json:"target-id"`
	Status   struct {
		State  string `json:"state"`
		Reason string `json:"reason,omitempty"`
	} `json:"status"`
	Props []oscalProp `json:"props,omitempty"`
}

type oscalFinding struct {
	UUID         string      `json:"uuid"`
	Title        string      `json:"title"`
	Description  string      `json:"description"`
	Props        []oscalProp `json:"props,omitempty"`
	Target       oscalTarget `json:"target"`
	Observations []oscalRef  `json:"related-observations,omitempty"`
	Risks        []oscalRef  `json:"related-risks,omitempty"`
	Remarks      string      `json:"remarks,omitempty"`
}

type oscalRemediation struct {
	UUID        string      `json:"uuid"`
	Lifecycle   string      `json:"lifecycle"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	Props       []oscalProp `json:"props,omitempty"`
}

type oscalRisk struct {
	UUID         string             `json:"uuid"`
	Title        string             `json:"title"`
	Description  string             `json:"description"`
	Statement    string             `json:"statement"`
	Props        []oscalProp        `json:"props,omitempty"`
	Status       string             `json:"status"`
	Remediations []oscalRemediation `json:"remediations,omitempty"`
	Deadline     string             `json:"deadline,omitempty"`
	Observations []oscalRef         `json:"related-observations,omitempty"`
}

type oscalResult struct {
	UUID         string             `json:"uuid"`
	Title        string             `json:"title"`
	Description  string             `json:"description"`
	Start        string             `json:"start"`
	End          string             `json:"end,omitempty"`
	Props        []oscalProp        `json:"props,omitempty"`
	Reviewed     oscalReviewed      `json:"reviewed-controls"`
	Observations []oscalObservation `json:"observations,omitempty"`
	Risks        []oscalRisk        `json:"risks,omitempty"`
	Findings     []oscalFinding     `json:"findings,omitempty"`
}

type oscalAssessmentResults struct {
	UUID       string          `json:"uuid"`
	Metadata   oscalMetadata   `json:"metadata"`
	ImportAP   oscalImport     `json:"import-ap"`
	Results    []oscalResult   `json:"results"`
	BackMatter oscalBackMatter `json:"back-matter"`
}

type oscalImport struct {
	Href    string `json:"href"`
	Remarks string `json:"remarks,omitempty"`
}

type oscalPlan struct {
	UUID       string          `json:"uuid"`
	Metadata   oscalMetadata   `json:"metadata"`
	ImportSSP  oscalImport     `json:"import-ssp"`
	Reviewed   oscalReviewed   `json:"reviewed-controls"`
	BackMatter oscalBackMatter `json:"back-matter"`
}

type oscalPOAMItem struct {
	UUID         string      `json:"uuid"`
	Title        string      `json:"title"`
	Description  string      `json:"description"`
	Props        []oscalProp `json:"props,omitempty"`
	Observations []oscalRef  `json:"related-observations,omitempty"`
	Risks        []oscalRef  `json:"related-risks,omitempty"`
	Remarks      string      `json:"remarks,omitempty"`
}

type oscalPOAM struct {
	UUID         string             `json:"uuid"`
	Metadata     oscalMetadata      `json:"metadata"`
	ImportSSP    oscalImport        `json:"import-ssp"`
	Observations []oscalObservation `json:"observations,omitempty"`
	Risks        []oscalRisk        `json:"risks,omitempty"`
	Items        []oscalPOAMItem    `json:"poam-items"`
	BackMatter   oscalBackMatter    `json:"back-matter"`
}

// oscalDoc builds the three OSCAL documents of one assessment.
type oscalDoc struct {
	r    *assessment.Results
	date string
	seed string
}

func (d *oscalDoc) uuid(parts ...string) string {
	return uuidV5(oscalUUIDSpace, d.seed+"\x00"+strings.Join(parts, "\x00"))
}

func oscalTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// oscalDeadline turns a YYYY-MM-DD due date into the end of that day (UTC).
func oscalDeadline(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return ""
	}
	return oscalTime(t.Add(24*time.Hour - time.Second))
}

func prop(name, value string) oscalProp { return oscalProp{Name: name, NS: oscalNS, Value: value} }

// OSCAL renders the assessment as OSCAL assessment results, the minimal
// assessment plan they import, and a plan of action and milestones:
// file name → content. Questions are INTERVIEW observations, evidence files
// EXAMINE, probe results TEST; UUIDs are derived from the checklist digest,
// the project and the ids, so the same results render identically.
func OSCAL(r *assessment.Results, opts Options) (map[string][]byte, error) {
	date := opts.Date
	if date.IsZero() {
		date = r.FinishedAt
	}
	d := &oscalDoc{r: r, date: oscalTime(date),
		seed: strings.Join(append([]string{r.Checklist.ID, r.Checklist.Version, r.Checklist.SHA256, r.Project.Organisation, r.Project.Integration}, r.Targets...), "\x00")}
	out := map[string][]byte{}
	for name, v := range map[string]any{
		OSCALResultsFile: map[string]any{"assessment-results": d.results()},
		OSCALPlanFile:    map[string]any{"assessment-plan": d.plan()},
		OSCALPOAMFile:    map[string]any{"plan-of-action-and-milestones": d.poam()},
	} {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = append(b, '\n')
	}
	return out, nil
}

func (d *oscalDoc) metadata(kind string) oscalMetadata {
	r := d.r
	org := orDefault(r.Project.Organisation, "Integrating organisation (not named)")
	provider := orDefault(r.Checklist.Provider, "Provider")
	team := d.uuid("party", "organisation")
	prov := d.uuid("party", "provider")
	return oscalMetadata{
		Title:        fmt.Sprintf("%s: %s against %s %s", kind, orDefault(r.Project.Integration, "integration"), r.Checklist.Title, r.Checklist.Version),
		LastModified: d.date,
		Version:      r.Checklist.Version,
		OSCALVersion: OSCALVersion,
		Roles: []oscalRole{
			{ID: "assessor", Title: "Self-assessing integration team"},
			{ID: "provider", Title: "API provider whose security requirements are assessed"},
		},
		Parties: []oscalParty{
			{UUID: team, Type: "organization", Name: org, Emails: emailAddresses(r.Project.Contacts)},
			{UUID: prov, Type: "organization", Name: provider},
		},
		ResponsibleParty: []oscalResponsible{
			{RoleID: "assessor", PartyUUIDs: []string{team}},
			{RoleID: "provider", PartyUUIDs: []string{prov}},
		},
		Props: []oscalProp{prop("tool", r.Tool.Name+" "+r.Tool.Version)},
	}
}

// emailAddresses keeps the bare addresses of contacts ("Name <a@b>" → a@b);
// OSCAL's email-addresses take nothing else.
func emailAddresses(contacts []string) []string {
	var out []string
	for _, c := range contacts {
		if a, err := mail.ParseAddress(c); err == nil {
			out = append(out, a.Address)
		}
	}
	return out
}

func (d *oscalDoc) checklistResource() oscalResource {
	c := d.r.Checklist
	res := oscalResource{
		UUID:        d.uuid("resource", "checklist"),
		Title:       fmt.Sprintf("%s %s (checklist %s)", c.Title, c.Version, c.ID),
		Description: "The provider's security requirements as selfassess controls; the package's checklist.yaml.",
	}
	rl := oscalRlink{Href: "checklist.yaml"}
	if c.SHA256 != "" {
		rl.Hashes = []oscalHash{{Algorithm: "SHA-256", Value: c.SHA256}}
	}
	res.Rlinks = []oscalRlink{rl}
	return res
}

func (d *oscalDoc) reviewed() oscalReviewed {
	var sel oscalControlSelection
	for _, c := range d.r.Controls {
		sel.IncludeControls = append(sel.IncludeControls, struct {
			ControlID string `json:"control-id"`
		}{c.ID})
	}
	return oscalReviewed{ControlSelections: []oscalControlSelection{sel}}
}

func (d *oscalDoc) plan() oscalPlan {
	res := d.checklistResource()
	return oscalPlan{
		UUID:       d.uuid("assessment-plan"),
		Metadata:   d.metadata("Assessment plan"),
		ImportSSP:  oscalImport{Href: "#" + res.UUID, Remarks: "No system security plan: the provider's checklist is the baseline assessed."},
		Reviewed:   d.reviewed(),
		BackMatter: oscalBackMatter{Resources: []oscalResource{res}},
	}
}

// probeObservations are the TEST observations, one per probe result, by
// "probe id@target".
func (d *oscalDoc) probeObservations() ([]oscalObservation, map[string][]string) {
	var obs []oscalObservation
	byProbe := map[string][]string{} // probe id and parameters → observation uuids
	for _, p := range d.r.Probes {
		u := d.uuid("observation", "probe", p.ID, p.Target)
		if k := probes.ParamsKey(p.ID, p.Params); k != probes.ParamsKey(p.ID, nil) {
			// a run with a checklist's own thresholds is an observation of its own
			u = d.uuid("observation", "probe", p.ID, p.Target, k)
		}
		desc := orDefault(p.Summary, string(p.Status))
		obs = append(obs, oscalObservation{
			UUID:        u,
			Title:       p.ID + " on " + p.Target,
			Description: desc,
			Props:       []oscalProp{prop("probe", p.ID), prop("target", p.Target), prop("probe-status", string(p.Status))},
			Methods:     []string{"TEST"},
			Types:       []string{"finding"},
			Collected:   d.date,
		})
		k := p.ID + "\x00" + probes.ParamsKey(p.ID, p.Params)
		byProbe[k] = append(byProbe[k], u)
	}
	return obs, byProbe
}

// controlObservations are a control's INTERVIEW (answers) and EXAMINE
// (evidence files) observations.
func (d *oscalDoc) controlObservations(c *assessment.Control) []oscalObservation {
	var obs []oscalObservation
	if len(c.Answers) > 0 || c.NotApplicable != "" {
		var lines []string
		for _, a := range c.Answers {
			lines = append(lines, fmt.Sprintf("%s: %s", a.Prompt, answerText(a.Value)))
		}
		if c.NotApplicable != "" {
			lines = append(lines, "Not applicable: "+c.NotApplicable)
		}
		if c.Note != "" {
			lines = append(lines, "Note: "+c.Note)
		}
		obs = append(obs, oscalObservation{
			UUID:        d.uuid("observation", "answers", c.ID),
			Title:       "Answers for " + c.ID,
			Description: strings.Join(lines, "\n"),
			Props:       []oscalProp{prop("control", c.ID)},
			Methods:     []string{"INTERVIEW"},
			Collected:   d.date,
		})
	}
	for _, e := range c.Evidence {
		if e.Kind != "file" {
			continue
		}
		ev := oscalEvidence{Href: e.Source, Description: orDefault(e.Message, "evidence file "+e.Source)}
		if e.SHA256 != "" {
			ev.Props = []oscalProp{prop("sha256", e.SHA256)}
		}
		obs = append(obs, oscalObservation{
			UUID:        d.uuid("observation", "file", c.ID, e.Source),
			Title:       "Evidence file for " + c.ID,
			Description: "The team attached " + e.Source + ".",
			Props:       []oscalProp{prop("control", c.ID)},
			Methods:     []string{"EXAMINE"},
			Evidence:    []oscalEvidence{ev},
			Collected:   d.date,
		})
	}
	return obs
}

func answerText(v any) string {
	switch x := v.(type) {
	case nil:
		return "(not answered)"
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case []any:
		var s []string
		for _, e := range x {
			s = append(s, fmt.Sprint(e))
		}
		return strings.Join(s, ", ")
	case []string:
		return strings.Join(x, ", ")
	}
	return fmt.Sprint(v)
}

// risk is the risk a control carries, or nil (OSCALStatus decides).
func (d *oscalDoc) risk(c *assessment.Control, related []oscalRef) *oscalRisk {
	st := OSCALStatus(c.Status)
	if st.Risk == "" {
		return nil
	}
	var statement []string
	for _, e := range c.Evidence {
		if e.Kind == "file" || e.Message == "" {
			continue
		}
		line := e.Message
		if e.Location != "" {
			line += " (" + e.Location + ")"
		}
		statement = append(statement, line)
	}
	rk := &oscalRisk{
		UUID:         d.uuid("risk", c.ID),
		Title:        c.ID + ": " + c.Title,
		Description:  orDefault(c.Requirement, c.Title),
		Statement:    orDefault(strings.Join(statement, "\n"), "The control is "+string(c.Status)+"."),
		Props:        []oscalProp{prop("control", c.ID), prop("severity", c.Severity), prop("status", string(c.Status))},
		Status:       st.Risk,
		Observations: related,
	}
	due := c.Due
	if c.Exception != nil {
		due = c.Exception.Expires
		rk.Props = append(rk.Props, prop("exception-approved-by", c.Exception.ApprovedBy))
	}
	rk.Deadline = oscalDeadline(due)
	if c.Remediation != "" {
		rem := oscalRemediation{UUID: d.uuid("remediation", c.ID), Lifecycle: "recommendation", Title: "Remediation for " + c.ID, Description: c.Remediation}
		if c.Owner != "" || c.Due != "" {
			rem.Lifecycle = "planned"
		}
		if c.Owner != "" {
			rem.Props = append(rem.Props, prop("owner", c.Owner))
		}
		rk.Remediations = []oscalRemediation{rem}
	}
	return rk
}

func (d *oscalDoc) results() oscalAssessmentResults {
	r := d.r
	probeObs, byProbe := d.probeObservations()
	res := oscalResult{
		UUID:        d.uuid("result"),
		Title:       "Self-assessment against " + r.Checklist.Title + " " + r.Checklist.Version,
		Description: fmt.Sprintf("Verdict %s, score %d/100 (gate: fail on %s and above).", r.Summary.Verdict, r.Summary.Score, r.Gate.FailOn),
		Start:       d.date,
		End:         d.date,
		Props:       []oscalProp{prop("verdict", r.Summary.Verdict), prop("score", fmt.Sprint(r.Summary.Score))},
		Reviewed:    d.reviewed(),
	}
	res.Observations = append(res.Observations, probeObs...)
	for i := range r.Controls {
		c := &r.Controls[i]
		own := d.controlObservations(c)
		res.Observations = append(res.Observations, own...)
		var related []oscalRef
		for _, o := range own {
			related = append(related, oscalRef{ObservationUUID: o.UUID})
		}
		for _, p := range slices.Compact(slices.Sorted(slices.Values(c.ProbeRefs))) {
			for _, u := range byProbe[p+"\x00"+probes.ParamsKey(p, c.ProbeParams[p])] {
				related = append(related, oscalRef{ObservationUUID: u})
			}
		}
		st := OSCALStatus(c.Status)
		f := oscalFinding{
			UUID:         d.uuid("finding", c.ID),
			Title:        c.ID + ": " + c.Title,
			Description:  orDefault(c.Requirement, c.Title),
			Props:        []oscalProp{prop("status", string(c.Status)), prop("severity", c.Severity), prop("section", c.Section)},
			Observations: related,
		}
		f.Target.Type = "objective-id"
		f.Target.TargetID = c.ID
		f.Target.Status.State = st.State
		f.Target.Status.Reason = st.Reason
		if c.NotApplicable != "" {
			f.Remarks = "Not applicable: " + c.NotApplicable
		}
		if rk := d.risk(c, related); rk != nil {
			res.Risks = append(res.Risks, *rk)
			f.Risks = []oscalRef{{RiskUUID: rk.UUID}}
		}
		res.Findings = append(res.Findings, f)
	}
	return oscalAssessmentResults{
		UUID:       d.uuid("assessment-results"),
		Metadata:   d.metadata("Assessment results"),
		ImportAP:   oscalImport{Href: OSCALPlanFile},
		Results:    []oscalResult{res},
		BackMatter: oscalBackMatter{Resources: []oscalResource{d.checklistResource()}},
	}
}

// poam is the plan of action: one item per open or overdue finding the
// review round trip tracks (its fingerprint, first seen and due date as
// props, the due date as its risk's deadline), and one per control that
// carries a risk no such finding covers (partial, error, excepted; results
// without tracked findings), with its owner and due date. A reviewer's
// question is not a weakness, and a suppressed finding is the team's
// false-positive claim: neither is an item. With nothing open, one item
// says so (OSCAL requires at least one).
func (d *oscalDoc) poam() oscalPOAM {
	res := d.checklistResource()
	p := oscalPOAM{
		UUID:       d.uuid("poam"),
		Metadata:   d.metadata("Plan of action and milestones"),
		ImportSSP:  oscalImport{Href: "#" + res.UUID, Remarks: "No system security plan: the provider's checklist is the baseline assessed."},
		BackMatter: oscalBackMatter{Resources: []oscalResource{res}},
	}
	open := map[string][]assessment.TrackedFinding{}
	for _, f := range d.r.OpenFindings() {
		if !f.Question {
			open[f.Control] = append(open[f.Control], f)
		}
	}
	add := func(rk oscalRisk, item oscalPOAMItem) {
		item.Risks = []oscalRef{{RiskUUID: rk.UUID}}
		p.Risks, p.Items = append(p.Risks, rk), append(p.Items, item)
	}
	for i := range d.r.Controls {
		c := &d.r.Controls[i]
		if fs := open[c.ID]; len(fs) > 0 {
			for _, f := range fs {
				add(d.findingRisk(c, f))
			}
			delete(open, c.ID)
			continue
		}
		rk := d.risk(c, nil)
		if rk == nil {
			continue
		}
		add(*rk, oscalPOAMItem{
			UUID:        d.uuid("poam-item", c.ID),
			Title:       c.ID + ": " + c.Title,
			Description: orDefault(c.Remediation, orDefault(c.Requirement, c.Title)),
			Props:       props("control", c.ID, "severity", c.Severity, "status", string(c.Status), "owner", c.Owner, "due", c.Due),
		})
	}
	for _, id := range slices.Sorted(maps.Keys(open)) { // a reviewer's finding on a control the results no longer hold
		for _, f := range open[id] {
			add(d.findingRisk(nil, f))
		}
	}
	if len(p.Items) == 0 {
		p.Items = []oscalPOAMItem{{
			UUID:        d.uuid("poam-item", "none"),
			Title:       "No open findings",
			Description: "Every control passed, is not applicable, or was not tested; nothing is planned.",
		}}
	}
	return p
}

// findingRisk is the risk and POA&M item of one open or overdue tracked
// finding of control c (nil when the results do not hold it).
func (d *oscalDoc) findingRisk(c *assessment.Control, f assessment.TrackedFinding) (oscalRisk, oscalPOAMItem) {
	msg := orDefault(oneLine(f.Message), "finding "+f.Fingerprint)
	title := f.Control + ": " + msg
	statement := msg
	if f.Location != "" {
		statement += " (" + f.Location + ")"
	}
	var ctl assessment.Control
	if c != nil {
		ctl = *c
	}
	owner := ctl.Owner
	if f.Response != nil && f.Response.Owner != "" {
		owner = f.Response.Owner
	}
	ps := props("control", f.Control, "fingerprint", f.Fingerprint, "source", f.Source, "severity", f.Severity,
		"status", string(f.Status), "first-seen", f.FirstSeen, "due", f.Due, "due-from", f.DueFrom)
	rk := oscalRisk{
		UUID:        d.uuid("risk", "finding", f.Fingerprint),
		Title:       title,
		Description: orDefault(ctl.Requirement, msg),
		Statement:   statement,
		Props:       ps,
		Status:      "open",
		Deadline:    oscalDeadline(f.Due),
	}
	if f.Response != nil && f.Response.Kind == assessment.WillFix {
		rk.Status = "remediating" // the team committed to a date
	}
	if ctl.Remediation != "" {
		rem := oscalRemediation{UUID: d.uuid("remediation", "finding", f.Fingerprint), Lifecycle: "recommendation",
			Title: "Remediation for " + f.Fingerprint, Description: ctl.Remediation, Props: props("owner", owner)}
		if owner != "" || rk.Status == "remediating" {
			rem.Lifecycle = "planned"
		}
		rk.Remediations = []oscalRemediation{rem}
	}
	item := oscalPOAMItem{
		UUID:        d.uuid("poam-item", "finding", f.Fingerprint),
		Title:       title,
		Description: orDefault(ctl.Remediation, statement),
		Props:       append(ps[:len(ps):len(ps)], props("owner", owner)...),
	}
	var remarks []string
	if f.Response != nil {
		remarks = append(remarks, "The team's response: "+responseText(f.Response)+".")
	}
	if f.Rejected != "" {
		remarks = append(remarks, "The reviewer rejected the team's false-positive claim: "+f.Rejected)
	}
	item.Remarks = strings.Join(remarks, " ")
	return rk, item
}

// props are selfassess properties from name, value pairs, leaving out
// empty values (OSCAL refuses an empty property value).
func props(pairs ...string) []oscalProp {
	var out []oscalProp
	for i := 0; i+1 < len(pairs); i += 2 {
		if v := strings.TrimSpace(pairs[i+1]); v != "" {
			out = append(out, prop(pairs[i], v))
		}
	}
	return out
}
