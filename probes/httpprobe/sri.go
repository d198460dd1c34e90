package httpprobe

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"sort"
	"strings"

	"github.com/selfassess/selfassess/internal/lazyre"
	"github.com/selfassess/selfassess/probes"
)

// js.sri: Subresource Integrity for the page's scripts and stylesheets
// (W3C SRI; PCI DSS 4.0 req. 6.4.3 wants every payment-page script
// authorised and its integrity assured, 11.6.1 changes detected). The
// inventory lists what a reviewer authorises; inventory_sha256 changes
// whenever any entry does, so two runs compare at a glance.

var (
	scriptOpen = lazyre.New(`(?is)<script\b([^>]*)>`)
	linkTag    = lazyre.New(`(?is)<link\b([^>]*)>`)
)

// subresource is one <script src> or <link rel=stylesheet> of the page.
type subresource struct {
	kind, src, integrity, crossorigin string
	hasCrossorigin                    bool
}

func extractSubresources(body []byte) []subresource {
	body = htmlComment().ReplaceAll(body, nil)
	type hit struct {
		at int
		sr subresource
	}
	var hits []hit
	for _, m := range scriptOpen().FindAllSubmatchIndex(body, -1) {
		a := attrs(string(body[m[2]:m[3]]))
		if src, ok := a["src"]; ok && strings.TrimSpace(src) != "" {
			_, hasCO := a["crossorigin"]
			hits = append(hits, hit{m[0], subresource{kind: "script", src: strings.TrimSpace(src), integrity: a["integrity"], crossorigin: a["crossorigin"], hasCrossorigin: hasCO}})
		}
	}
	for _, m := range linkTag().FindAllSubmatchIndex(body, -1) {
		a := attrs(string(body[m[2]:m[3]]))
		if !has(strings.Fields(a["rel"]), "stylesheet") || strings.TrimSpace(a["href"]) == "" {
			continue
		}
		_, hasCO := a["crossorigin"]
		hits = append(hits, hit{m[0], subresource{kind: "stylesheet", src: strings.TrimSpace(a["href"]), integrity: a["integrity"], crossorigin: a["crossorigin"], hasCrossorigin: hasCO}})
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].at < hits[j].at })
	out := make([]subresource, len(hits))
	for i, h := range hits {
		out[i] = h.sr
	}
	return out
}

// sriHash is one valid entry of an integrity attribute.
type sriHash struct {
	alg    string // sha256, sha384, sha512
	digest []byte
}

// parseIntegrity keeps the well-formed hashes of an integrity attribute
// (SRI §3.3.3: unknown algorithms and bad tokens are skipped; none left
// means no integrity check at all).
func parseIntegrity(v string) []sriHash {
	var out []sriHash
	for _, tok := range strings.Fields(v) {
		tok, _, _ = strings.Cut(tok, "?") // options are reserved
		alg, b64, ok := strings.Cut(tok, "-")
		alg = strings.ToLower(alg)
		if !ok || (alg != "sha256" && alg != "sha384" && alg != "sha512") {
			continue
		}
		d, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			if d, err = base64.URLEncoding.DecodeString(b64); err != nil {
				continue
			}
		}
		out = append(out, sriHash{alg, d})
	}
	return out
}

// integrityMatches applies SRI §3.3.5: only the strongest algorithm's
// hashes count, and one of them must match.
func integrityMatches(hs []sriHash, body []byte) bool {
	rank := map[string]int{"sha256": 1, "sha384": 2, "sha512": 3}
	best := 0
	for _, h := range hs {
		best = max(best, rank[h.alg])
	}
	for _, h := range hs {
		if rank[h.alg] != best {
			continue
		}
		var hf hash.Hash
		switch h.alg {
		case "sha256":
			hf = sha256.New()
		case "sha384":
			hf = sha512.New384()
		default:
			hf = sha512.New()
		}
		hf.Write(body)
		if subtle.ConstantTimeCompare(hf.Sum(nil), h.digest) == 1 {
			return true
		}
	}
	return false
}

// fetchedScript is what probeScripts got for one same-origin script.
type fetchedScript struct {
	status    int
	body      []byte
	truncated bool
}

type sriResource struct {
	Kind        string `json:"kind"` // script or stylesheet
	URL         string `json:"url"`
	Origin      string `json:"origin"`
	CrossOrigin bool   `json:"cross_origin"`
	Integrity   string `json:"integrity,omitempty"`
	// Bytes and SHA384 are set for the scripts fetched (same-origin only:
	// the probes contact no host but the target's).
	Bytes  int    `json:"bytes,omitempty"`
	SHA384 string `json:"sha384,omitempty"`
	Status string `json:"status"`
	Note   string `json:"note,omitempty"`
}

type sriObserved struct {
	Page      string        `json:"page"`
	Resources []sriResource `json:"resources"`
	// InventorySHA256 digests the inventory (kind, URL, integrity, sha384
	// of each entry): it changes when any script is added, removed or changed.
	InventorySHA256 string `json:"inventory_sha256"`
	InlineScripts   int    `json:"inline_scripts"`
}

func probeSRI(page *response, fetched map[string]fetchedScript, inline int) probes.Result {
	res := probes.Result{ID: "js.sri"}
	pageLoc := redactURL(page.URL)
	if !isHTML(page) {
		res.Status = probes.Info
		res.Summary = fmt.Sprintf("the target is not an HTML page (Content-Type %q): no scripts or stylesheets", truncate(page.Header.Get("Content-Type"), 60))
		return res
	}
	obs := &sriObserved{Page: pageLoc, Resources: []sriResource{}, InlineScripts: inline}
	cross, missing := 0, 0
	for _, sr := range extractSubresources(page.Body) {
		u, err := page.URL.Parse(sr.src)
		if err != nil {
			res.Findings = append(res.Findings, probes.Finding{Status: probes.Warn, Rule: "sri-url", Message: "unparsable " + sr.kind + " URL " + truncate(sr.src, 80), Location: pageLoc})
			continue
		}
		u.Fragment = ""
		loc := redactURL(u)
		item := sriResource{Kind: sr.kind, URL: loc, Origin: u.Scheme + "://" + u.Host, CrossOrigin: !sameOrigin(u, page.URL), Integrity: truncate(sr.integrity, 300), Status: string(probes.Pass)}
		finding := func(st probes.Status, rule, msg string) {
			res.Findings = append(res.Findings, probes.Finding{Status: st, Rule: rule, Message: msg, Location: loc, Evidence: sr.kind + " " + loc})
			if st.Rank() > probes.Status(item.Status).Rank() {
				item.Status = string(st)
			}
			if item.Note == "" {
				item.Note = msg
			}
		}
		hashes := parseIntegrity(sr.integrity)
		if f, ok := fetched[u.String()]; ok && f.status == 200 && !f.truncated {
			sum := sha512.Sum384(f.body)
			item.Bytes, item.SHA384 = len(f.body), "sha384-"+base64.StdEncoding.EncodeToString(sum[:])
			if len(hashes) > 0 && !integrityMatches(hashes, f.body) {
				finding(probes.Fail, "sri-mismatch", fmt.Sprintf("the served %s does not match its integrity attribute: browsers refuse it, or it changed since it was authorised (served %s)", sr.kind, item.SHA384))
			}
		} else if !item.CrossOrigin {
			item.Note = "not fetched (not a script, over the limits, or failed: see js.secrets)"
		}
		if item.CrossOrigin {
			cross++
			switch {
			case len(hashes) == 0 && sr.integrity != "":
				missing++
				finding(probes.Fail, "sri-missing", fmt.Sprintf("cross-origin %s from %s: its integrity attribute holds no valid sha256/384/512 hash, so nothing is checked", sr.kind, item.Origin))
			case len(hashes) == 0:
				missing++
				finding(probes.Fail, "sri-missing", fmt.Sprintf("cross-origin %s from %s without integrity: whoever controls that host controls this page (PCI DSS 6.4.3)", sr.kind, item.Origin))
			case !sr.hasCrossorigin:
				finding(probes.Info, "sri-no-cors", fmt.Sprintf("cross-origin %s with integrity but no crossorigin attribute: browsers cannot check an opaque response and refuse it", sr.kind))
			}
		}
		if len(hashes) > 0 {
			switch {
			case strings.HasPrefix(sr.src, "//"):
				finding(probes.Warn, "sri-protocol-relative", fmt.Sprintf("%s with integrity has a protocol-relative URL: it loads over plain HTTP whenever the page does; use https://", sr.kind))
			case strings.EqualFold(u.Scheme, "http"):
				finding(probes.Warn, "sri-insecure-url", fmt.Sprintf("%s with integrity is loaded over plain HTTP: the request travels in clear and HTTPS pages block it as mixed content; use https://", sr.kind))
			}
		}
		obs.Resources = append(obs.Resources, item)
	}
	h := sha256.New()
	for _, r := range obs.Resources {
		fmt.Fprintf(h, "%s %s %s %s\n", r.Kind, r.URL, r.Integrity, r.SHA384)
	}
	obs.InventorySHA256 = hex.EncodeToString(h.Sum(nil))
	res.Observed = obs
	res.Status = worst(res.Findings, probes.Pass)
	if res.Status == probes.Info {
		res.Status = probes.Pass
	}
	res.Summary = fmt.Sprintf("%s (%d cross-origin, %d of them without integrity)", fmt.Sprintf("%d scripts and stylesheets", len(obs.Resources)), cross, missing)
	if n := countStatus(res.Findings, probes.Fail) - missing; n > 0 {
		res.Summary += fmt.Sprintf("; %d integrity mismatches", n)
	}
	return res
}
