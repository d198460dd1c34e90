package httpprobe

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"runtime"
	"strings"
	"sync"

	"github.com/selfassess/selfassess/internal/lazyre"
	"github.com/selfassess/selfassess/internal/prose"
	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/probes/codescan"
)

var (
	htmlComment = lazyre.New(`(?s)<!--.*?-->`)
	scriptTag   = lazyre.New(`(?is)<script\b([^>]*)>(.*?)</script\s*>`)
	srcAttr     = lazyre.New(`(?i)(?:^|\s)src\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))`)
)

// pageScripts are the scripts an HTML page references and embeds.
type pageScripts struct {
	External []string // src values, in page order
	Inline   [][]byte
}

func isHTML(r *response) bool {
	ct := strings.ToLower(r.Header.Get("Content-Type"))
	if strings.Contains(ct, "html") {
		return true
	}
	if ct != "" {
		return false
	}
	head := bytes.ToLower(bytes.TrimSpace(r.Body[:min(len(r.Body), 512)]))
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html"))
}

func extractScripts(body []byte) pageScripts {
	var ps pageScripts
	body = htmlComment().ReplaceAll(body, nil)
	for _, m := range scriptTag().FindAllSubmatch(body, -1) {
		if sm := srcAttr().FindSubmatch(m[1]); sm != nil {
			src := string(sm[1]) + string(sm[2]) + string(sm[3])
			ps.External = append(ps.External, html.UnescapeString(strings.TrimSpace(src)))
			continue
		}
		if len(bytes.TrimSpace(m[2])) > 0 {
			ps.Inline = append(ps.Inline, m[2])
		}
	}
	return ps
}

type scriptFacts struct {
	URL       string `json:"url"`
	Status    int    `json:"status,omitempty"`
	Bytes     int    `json:"bytes"`
	Truncated bool   `json:"truncated,omitempty"`
	Error     string `json:"error,omitempty"`
}

type scriptsObserved struct {
	Page              string        `json:"page"`
	Scripts           []scriptFacts `json:"scripts"`
	InlineScripts     int           `json:"inline_scripts"`
	CrossOrigin       []string      `json:"cross_origin_not_fetched,omitempty"`
	NotFetchedByLimit []string      `json:"not_fetched_over_limit,omitempty"`
	BytesScanned      int64         `json:"bytes_scanned"`
}

// probeScripts follows the page's same-origin <script src> (bounded count
// and bytes) and scans them and the inline scripts with the shared
// scanners; it returns js.secrets, js.token-storage and js.token-in-url,
// and the scripts it fetched (by URL) for js.sri.
func (f *family) probeScripts(ctx context.Context, c *client, page *response, cfg probes.Config, wantSecrets bool) ([]probes.Result, map[string]fetchedScript, int) {
	fetched := map[string]fetchedScript{}
	pageLoc := redactURL(page.URL)
	secrets, token, inURL := probes.Result{ID: "js.secrets"}, probes.Result{ID: "js.token-storage"}, probes.Result{ID: "js.token-in-url"}
	all := []*probes.Result{&secrets, &token, &inURL}
	if !isHTML(page) {
		for _, r := range all {
			r.Status = probes.Info
			r.Summary = fmt.Sprintf("the target is not an HTML page (Content-Type %q): no scripts to scan", truncate(page.Header.Get("Content-Type"), 60))
		}
		return []probes.Result{secrets, token, inURL}, fetched, 0
	}
	var scanner *codescan.Secrets
	var scanErr error
	if wantSecrets {
		scanner, scanErr = f.scanner()
	}
	obs := &scriptsObserved{Page: pageLoc, Scripts: []scriptFacts{}}
	// problems apply to every js result: what we could not scan.
	var problems []probes.Finding
	// Scripts are fetched in order (the byte budget is sequential), then
	// scanned in parallel: the secret rules cost far more than the fetch.
	type item struct {
		name    string
		content []byte
	}
	var items []item
	scan := func(name string, content []byte) {
		obs.BytesScanned += int64(len(content))
		items = append(items, item{name, content})
	}

	if page.Undecoded != "" {
		problems = append(problems, probes.Finding{Status: probes.Error, Rule: "js-encoding",
			Message: fmt.Sprintf("the page came in Content-Encoding %q, which was not asked for: not searched for scripts", page.Undecoded), Location: pageLoc})
		page = &response{URL: page.URL, Header: page.Header}
	} else if page.Bomb {
		problems = append(problems, probes.Finding{Status: probes.Error, Rule: "js-compression-bomb",
			Message: fmt.Sprintf("the page decompresses beyond %d bytes from %d compressed bytes (compression bomb?); only its first part was searched for scripts", len(page.Body), page.WireBytes), Location: pageLoc})
	} else if page.Truncated {
		problems = append(problems, probes.Finding{Status: probes.Warn, Rule: "js-page-truncated",
			Message: fmt.Sprintf("the page is larger than %d bytes (--max-body); only its first part was searched for scripts", len(page.Body)), Location: pageLoc})
	}
	ps := extractScripts(page.Body)
	obs.InlineScripts = len(ps.Inline)
	for i, s := range ps.Inline {
		scan(fmt.Sprintf("%s#inline-script-%d", pageLoc, i+1), s)
	}
	seen := map[string]bool{}
	var stoppedBy error
	var notFetched []string
	budget := cfg.MaxJSBytes
	fetchedCount := 0
	for _, src := range ps.External {
		su, err := page.URL.Parse(src)
		if err != nil {
			problems = append(problems, probes.Finding{Status: probes.Warn, Rule: "js-script-url", Message: "unparsable script src " + truncate(src, 80), Location: pageLoc})
			continue
		}
		su.Fragment = ""
		if seen[su.String()] {
			continue
		}
		seen[su.String()] = true
		if !sameOrigin(su, page.URL) {
			obs.CrossOrigin = append(obs.CrossOrigin, redactURL(su))
			continue
		}
		if err := c.stopped(ctx); err != nil {
			stoppedBy = err
			notFetched = append(notFetched, redactURL(su))
			continue
		}
		if fetchedCount >= cfg.MaxScripts || budget <= 0 {
			obs.NotFetchedByLimit = append(obs.NotFetchedByLimit, redactURL(su))
			continue
		}
		fetchedCount++
		loc := redactURL(su)
		sf := scriptFacts{URL: loc}
		fr, err := c.fetchMax(ctx, su, nil, budget)
		if err != nil {
			sf.Error = err.Error()
			obs.Scripts = append(obs.Scripts, sf)
			problems = append(problems, probes.Finding{Status: probes.Error, Rule: "js-fetch", Message: "script not scanned: " + err.Error(), Location: loc})
			continue
		}
		r := fr.Final
		fetched[su.String()] = fetchedScript{status: r.StatusCode, body: r.Body, truncated: r.Truncated || r.Bomb || len(fr.All) > 1}
		sf.Status, sf.Bytes, sf.Truncated = r.StatusCode, len(r.Body), r.Truncated
		obs.Scripts = append(obs.Scripts, sf)
		if r.StatusCode != 200 {
			problems = append(problems, probes.Finding{Status: probes.Warn, Rule: "js-fetch", Message: fmt.Sprintf("script answered HTTP %d; not scanned", r.StatusCode), Location: loc})
			continue
		}
		if r.Undecoded != "" {
			problems = append(problems, probes.Finding{Status: probes.Error, Rule: "js-encoding",
				Message: fmt.Sprintf("script came in Content-Encoding %q, which was not asked for: not scanned", r.Undecoded), Location: loc})
			continue
		}
		budget -= int64(len(r.Body))
		switch {
		case r.Bomb:
			problems = append(problems, probes.Finding{Status: probes.Error, Rule: "js-compression-bomb",
				Message: fmt.Sprintf("script decompresses beyond %d bytes from %d compressed bytes (compression bomb?); scanned only the first part", len(r.Body), r.WireBytes), Location: loc})
		case r.Truncated:
			problems = append(problems, probes.Finding{Status: probes.Warn, Rule: "js-truncated",
				Message: fmt.Sprintf("script larger than the remaining byte budget; scanned the first %d bytes", len(r.Body)), Location: loc})
		}
		scan(loc, r.Body)
	}
	hits := make([][3][]probes.Finding, len(items))
	// unscanned[i] says why items[i] was not scanned whole: a script cut
	// short by Ctrl-C or the time limit must not pass as clean
	unscanned := make([]error, len(items))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, it := range items {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if unscanned[i] = c.stopped(ctx); unscanned[i] != nil {
				return
			}
			if scanner != nil {
				fs, err := scanner.ScanContext(ctx, it.name, it.content) // a cancelled run stops mid-script
				hits[i][0] = normalise(fs)
				if err != nil {
					if unscanned[i] = c.stopped(ctx); unscanned[i] == nil {
						unscanned[i] = err
					}
					return
				}
			}
			if unscanned[i] = c.stopped(ctx); unscanned[i] != nil {
				return
			}
			hits[i][1] = normalise(codescan.TokenStorage(it.name, it.content))
			hits[i][2] = normalise(codescan.TokenInURL(it.name, it.content))
		}()
	}
	wg.Wait()
	for i, h := range hits {
		secrets.Findings = append(secrets.Findings, h[0]...)
		token.Findings = append(token.Findings, h[1]...)
		inURL.Findings = append(inURL.Findings, h[2]...)
		if unscanned[i] != nil {
			problems = append(problems, probes.Finding{Status: probes.Error, Rule: "js-scan",
				Message: "not scanned whole: " + unscanned[i].Error(), Location: items[i].name})
		}
	}

	if stoppedBy != nil {
		obs.NotFetchedByLimit = append(obs.NotFetchedByLimit, notFetched...)
		problems = append(problems, probes.Finding{Status: probes.Error, Rule: "js-fetch",
			Message: fmt.Sprintf("%d scripts not fetched: %v", len(notFetched), stoppedBy), Location: pageLoc})
	}
	if len(obs.NotFetchedByLimit) > len(notFetched) {
		problems = append(problems, probes.Finding{Status: probes.Warn, Rule: "js-limit",
			Message: fmt.Sprintf("%d scripts not fetched (limits: %d scripts, %d bytes)", len(obs.NotFetchedByLimit)-len(notFetched), cfg.MaxScripts, cfg.MaxJSBytes), Location: pageLoc})
	}
	if scanErr != nil {
		secrets.Findings = append(secrets.Findings, probes.Finding{Status: probes.Error, Rule: "js-scanner", Message: "secret scanner unavailable: " + scanErr.Error()})
	}
	what := map[string]string{"js.secrets": "secrets", "js.token-storage": "token writes to web storage", "js.token-in-url": "tokens in URLs"}
	for _, r := range all {
		hits := len(r.Findings)
		r.Findings = append(r.Findings, problems...)
		r.Observed = obs
		r.Status = worst(r.Findings, probes.Pass)
		if r.Status == probes.Info {
			r.Status = probes.Pass
		}
		scope := fmt.Sprintf("%s (%d inline), %d bytes", prose.Plural(len(obs.Scripts)+obs.InlineScripts, "script"), obs.InlineScripts, obs.BytesScanned)
		switch {
		case hits > 0 && r.Status == probes.Fail:
			r.Summary = fmt.Sprintf("%d %s found in %s", hits, what[r.ID], scope)
		case r.Status == probes.Error:
			r.Summary = fmt.Sprintf("no %s in %s, but some scripts could not be scanned", what[r.ID], scope)
		default:
			r.Summary = fmt.Sprintf("no %s in %s", what[r.ID], scope)
		}
	}
	return []probes.Result{secrets, token, inURL}, fetched, obs.InlineScripts
}

// normalise makes every scanner hit a failing finding.
func normalise(fs []probes.Finding) []probes.Finding {
	for i := range fs {
		if fs[i].Status == "" {
			fs[i].Status = probes.Fail
		}
	}
	return fs
}
