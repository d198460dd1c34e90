package httpprobe

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/selfassess/selfassess/probes"
)

type securityTxt struct {
	URL         string   `json:"url"`
	Status      int      `json:"status,omitempty"`
	ContentType string   `json:"content_type,omitempty"`
	Contact     []string `json:"contact,omitempty"`
	Expires     string   `json:"expires,omitempty"`
	Policy      []string `json:"policy,omitempty"`
	Signed      bool     `json:"signed"`
}

// parseSecurityTxt reads the RFC 9116 fields we check (case-insensitive
// names, comments and PGP armour ignored).
func parseSecurityTxt(body []byte, st *securityTxt) (expiresCount int) {
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "-----BEGIN PGP SIGNED MESSAGE") {
			st.Signed = true
		}
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "-----") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "contact":
			st.Contact = append(st.Contact, truncate(v, 200))
		case "expires":
			st.Expires = truncate(v, 60)
			expiresCount++
		case "policy":
			st.Policy = append(st.Policy, truncate(v, 200))
		}
	}
	return expiresCount
}

func probeSecurityTxt(ctx context.Context, c *client, u *url.URL, now time.Time) probes.Result {
	res := probes.Result{ID: "http.security-txt"}
	target := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/.well-known/security.txt"}
	loc := redactURL(target)
	st := &securityTxt{URL: loc}
	res.Observed = st
	fail := func(status probes.Status, rule, msg string) probes.Result {
		res.Status, res.Summary = status, msg
		res.Findings = append(res.Findings, probes.Finding{Status: status, Rule: rule, Message: msg, Location: loc})
		return res
	}
	f, err := c.fetch(ctx, target, nil)
	if err != nil {
		return fail(probes.Error, "security-txt-fetch", "fetching "+loc+": "+err.Error())
	}
	r := f.Final
	st.Status = r.StatusCode
	st.ContentType = truncate(r.Header.Get("Content-Type"), 100)
	if r.StatusCode != 200 {
		return fail(probes.Fail, "security-txt-missing", fmt.Sprintf("no security.txt (HTTP %d at %s)", r.StatusCode, loc))
	}
	ct := strings.ToLower(st.ContentType)
	if strings.Contains(ct, "html") {
		return fail(probes.Fail, "security-txt-missing", "no security.txt: "+loc+" serves HTML (probably an app's catch-all page)")
	}
	expiresCount := parseSecurityTxt(r.Body, st)
	if len(st.Contact) == 0 {
		res.Findings = append(res.Findings, probes.Finding{Status: probes.Fail, Rule: "security-txt-contact", Message: "no Contact field", Location: loc})
	} else {
		res.Findings = append(res.Findings, probes.Finding{Status: probes.Pass, Rule: "security-txt-contact",
			Message: "Contact present", Location: loc, Evidence: "Contact: " + st.Contact[0]})
	}
	switch exp, perr := time.Parse(time.RFC3339, st.Expires); {
	case st.Expires == "":
		res.Findings = append(res.Findings, probes.Finding{Status: probes.Fail, Rule: "security-txt-expires", Message: "no Expires field (required by RFC 9116)", Location: loc})
	case perr != nil:
		res.Findings = append(res.Findings, probes.Finding{Status: probes.Fail, Rule: "security-txt-expires", Message: "Expires is not an RFC 3339 date", Location: loc, Evidence: "Expires: " + st.Expires})
	case !exp.After(now):
		res.Findings = append(res.Findings, probes.Finding{Status: probes.Fail, Rule: "security-txt-expires", Message: "expired on " + exp.UTC().Format("2006-01-02"), Location: loc, Evidence: "Expires: " + st.Expires})
	case exp.Sub(now) > 366*24*time.Hour:
		res.Findings = append(res.Findings, probes.Finding{Status: probes.Warn, Rule: "security-txt-expires", Message: "Expires is more than a year ahead (RFC 9116 recommends less)", Location: loc, Evidence: "Expires: " + st.Expires})
	default:
		res.Findings = append(res.Findings, probes.Finding{Status: probes.Pass, Rule: "security-txt-expires", Message: "expires on " + exp.UTC().Format("2006-01-02"), Location: loc, Evidence: "Expires: " + st.Expires})
	}
	if expiresCount > 1 {
		res.Findings = append(res.Findings, probes.Finding{Status: probes.Warn, Rule: "security-txt-expires", Message: "Expires appears more than once", Location: loc})
	}
	if !strings.HasPrefix(ct, "text/plain") {
		res.Findings = append(res.Findings, probes.Finding{Status: probes.Warn, Rule: "security-txt-content-type", Message: "Content-Type should be text/plain", Location: loc, Evidence: "Content-Type: " + st.ContentType})
	}
	if r.URL.Scheme != "https" {
		res.Findings = append(res.Findings, probes.Finding{Status: probes.Warn, Rule: "security-txt-https", Message: "served over plain HTTP (RFC 9116 requires HTTPS)", Location: loc})
	}
	res.Status = worst(res.Findings, probes.Pass)
	switch res.Status {
	case probes.Pass:
		res.Summary = "security.txt with Contact, expires " + st.Expires
	default:
		var msgs []string
		for _, f := range res.Findings {
			if f.Status == res.Status {
				msgs = append(msgs, f.Message)
			}
		}
		res.Summary = "security.txt: " + strings.Join(msgs, "; ")
	}
	return res
}
