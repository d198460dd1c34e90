// Package sourceprobe scans a local source tree (--source DIR) for secrets
// and unsafe token, TLS and logging practices: one listing of the tree
// (git-tracked files in a checkout, every file otherwise), files read and
// scanned concurrently, eight probe results.
package sourceprobe

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/probes/codescan"
)

// Probe ids.
const (
	idSecrets      = "source.secrets"
	idGitignore    = "source.gitignore"
	idTokenStorage = "source.token-storage"
	idTokenInURL   = "source.token-in-url"
	idTLS          = "source.tls-verification"
	idLogging      = "source.secret-logging"
	idCI           = "source.ci-secrets"
	idPlainHTTP    = "source.plain-http"
)

var allIDs = []string{idSecrets, idGitignore, idTokenStorage, idTokenInURL, idTLS, idLogging, idCI, idPlainHTTP}

type family struct{}

// NewFamily returns the source.* probe family.
func NewFamily() probes.Family { return family{} }

func (family) Name() string                 { return "source" }
func (family) IDs() []string                { return append([]string(nil), allIDs...) }
func (family) Applies(t probes.Target) bool { return t.Kind == probes.KindSource }
func (family) Run(ctx context.Context, t probes.Target, ids []string, cfg probes.Config) []probes.Result {
	d := cfg.Defaults()
	return scanTimed(ctx, t.Value, ids, cfg.Params(idGitignore), d.Timeout, d.History)
}

// RunRounds lists and scans the tree once and checks the ignore rules
// against each round's source.gitignore lists.
func (family) RunRounds(ctx context.Context, t probes.Target, rounds []probes.Round, cfg probes.Config) [][]probes.Result {
	d := cfg.Defaults()
	return scanRounds(ctx, t.Value, rounds, d.Timeout, d.History)
}

// Scan runs the selected source probes (all when ids is empty) over dir,
// with the default parameters.
func Scan(ctx context.Context, dir string, ids []string) []probes.Result {
	d := probes.Config{}.Defaults()
	return scanTimed(ctx, dir, ids, nil, d.Timeout, d.History)
}

// scanTimed is Scan with source.gitignore's parameters (nil: the
// defaults) and fileTimeout (--timeout) bounding the secret scan of each
// file: a file that takes longer is counted as skipped, not waited for;
// history commits of a git checkout are scanned for secrets too (none
// when history <= 0).
func scanTimed(ctx context.Context, dir string, ids []string, gitignore probes.Params, fileTimeout time.Duration, history int) []probes.Result {
	if len(ids) == 0 {
		ids = allIDs
	}
	round := probes.Round{IDs: ids, With: map[string]probes.Params{idGitignore: gitignore}}
	return scanRounds(ctx, dir, []probes.Round{round}, fileTimeout, history)[0]
}

// scanRounds scans the tree once for the ids of every round and judges
// source.gitignore by each round's lists; history commits of a git
// checkout are scanned for secrets too (none when history <= 0).
func scanRounds(ctx context.Context, dir string, rounds []probes.Round, fileTimeout time.Duration, history int) [][]probes.Result {
	start := time.Now()
	want := probes.RoundIDs(rounds)
	fail := func(format string, args ...any) [][]probes.Result {
		out := make([][]probes.Result, len(rounds))
		for k, r := range rounds {
			for _, id := range r.IDs {
				out[k] = append(out[k], probes.Result{ID: id, Target: dir, Status: probes.Error,
					Summary: fmt.Sprintf(format, args...), DurationMS: time.Since(start).Milliseconds()})
			}
		}
		return out
	}
	tr, err := listTree(ctx, dir)
	if err != nil {
		return fail("cannot list the source tree: %v", err)
	}
	var sec *codescan.Secrets
	if want[idSecrets] || want[idCI] {
		if sec, err = codescan.DefaultSecrets(); err != nil {
			return fail("cannot load the secret rules: %v", err)
		}
	}
	var acc *accumulator
	if len(want) == 1 && want[idGitignore] {
		acc = newAccumulator(tr, sec) // the ignore checks read no file contents
	} else {
		acc = scanFiles(ctx, tr, want, sec, fileTimeout)
	}
	if ctx.Err() == nil && want[idSecrets] && sec != nil && tr.mode == "git" {
		if history > 0 {
			acc.addHistory(scanHistory(ctx, tr.root, sec, history))
			sortFindings(acc.probes[idSecrets].findings)
		} else {
			acc.historyNote = "history scan off: only the checked-out tree was scanned"
		}
	}
	if ctx.Err() != nil {
		return fail("scan interrupted: %v", ctx.Err())
	}
	out := make([][]probes.Result, len(rounds))
	for k, rd := range rounds {
		for _, id := range rd.IDs {
			var r probes.Result
			if id == idGitignore {
				r = checkGitignore(ctx, tr, rd.Params(idGitignore))
			} else {
				r = acc.result(id, tr)
			}
			r.ID, r.Target = id, dir
			r.DurationMS = time.Since(start).Milliseconds()
			out[k] = append(out[k], r)
		}
	}
	return out
}

// probeAcc collects one probe's findings.
type probeAcc struct {
	findings []probes.Finding
	total    int
	byRule   map[string]int
	files    map[string]bool
	checked  int // files this probe applied to
}

// accumulator is the shared state of one scan.
type accumulator struct {
	mu      sync.Mutex
	probes  map[string]*probeAcc
	scanned int
	skipped map[string]int
	rules   int
	// suppressed counts findings dropped by a selfassess:allow comment.
	suppressed int
	// secretsOnly counts the files only the secrets scan read.
	secretsOnly int
	// headFP locates each secret found in the tree by its fingerprint.
	headFP map[string]headLoc
	// historyCommits and historyNote describe the history scan.
	historyCommits int
	historyNote    string
}

// headLoc is where a secret sits in the tree.
type headLoc struct {
	file, rule string
	line       int
}

func (a *accumulator) notePrints(fs []probes.Finding, fps []string) {
	for i, f := range fs {
		if i < len(fps) && fps[i] != "" {
			a.headFP[fps[i]] = headLoc{file: f.File, rule: f.Rule, line: f.Line}
		}
	}
}

func (a *accumulator) add(id string, fs []probes.Finding) {
	p := a.probes[id]
	p.checked++
	for _, f := range fs {
		p.total++
		p.byRule[f.Rule]++
		p.files[f.File] = true
		// every finding is listed: a CI consumer must not get a partial list
		// without knowing it (each scanner stops at 200 per file, and says so)
		p.findings = append(p.findings, f)
	}
}

func newAccumulator(tr *tree, sec *codescan.Secrets) *accumulator {
	acc := &accumulator{probes: map[string]*probeAcc{}, skipped: map[string]int{}, headFP: map[string]headLoc{}}
	for k, v := range tr.skipped {
		acc.skipped[k] = v
	}
	for _, id := range allIDs {
		acc.probes[id] = &probeAcc{byRule: map[string]int{}, files: map[string]bool{}}
	}
	if sec != nil {
		acc.rules = sec.RuleCount()
	}
	return acc
}

// scanFiles reads every listed file once, with a bounded pool of workers,
// and runs the scanners each selected probe needs on it.
func scanFiles(ctx context.Context, tr *tree, want map[string]bool, sec *codescan.Secrets, fileTimeout time.Duration) *accumulator {
	acc := newAccumulator(tr, sec)
	workers := runtime.GOMAXPROCS(0)
	if workers > 16 {
		workers = 16
	}
	jobs := make(chan string)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for rel := range jobs {
				if ctx.Err() == nil {
					scanOne(ctx, tr, rel, want, sec, acc, fileTimeout)
				}
			}
		}()
	}
feed:
	for _, rel := range tr.files {
		select {
		case jobs <- rel:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	for _, p := range acc.probes {
		sortFindings(p.findings)
	}
	return acc
}

func sortFindings(fs []probes.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].File != fs[j].File {
			return fs[i].File < fs[j].File
		}
		return fs[i].Line < fs[j].Line
	})
}

func scanOne(ctx context.Context, tr *tree, rel string, want map[string]bool, sec *codescan.Secrets, acc *accumulator, fileTimeout time.Duration) {
	rr := readFile(tr.root, rel)
	if rr.skip != "" {
		acc.mu.Lock()
		acc.skipped[rr.skip]++
		acc.mu.Unlock()
		return
	}
	k := classify(rel, codescan.IsCIConfig)
	c := rr.content
	if rr.secretsOnly {
		scanSecretsOnly(ctx, rel, c, want, sec, acc, fileTimeout)
		return
	}
	results := map[string][]probes.Finding{}
	ran := map[string]bool{}
	run := func(id string, cond bool, scan func() []probes.Finding) {
		if want[id] && cond {
			ran[id] = true
			results[id] = append(results[id], scan()...)
		}
	}
	var secretHits []probes.Finding
	if sec != nil && (want[idSecrets] || want[idCI] && k.ci) {
		fctx, cancel := context.WithTimeout(ctx, fileTimeout)
		var err error
		var fps []string
		secretHits, fps, err = sec.ScanFingerprints(fctx, rel, c)
		cancel()
		if err != nil {
			if ctx.Err() == nil { // this file's time is up, not the run's
				acc.mu.Lock()
				acc.skipped[skipTimeout]++
				acc.mu.Unlock()
			}
			return
		}
		acc.mu.Lock()
		acc.notePrints(secretHits, fps)
		acc.mu.Unlock()
	}
	run(idSecrets, true, func() []probes.Finding { return secretHits })
	run(idTokenStorage, k.web, func() []probes.Finding { return codescan.TokenStorage(rel, c) })
	run(idTokenInURL, !k.doc, func() []probes.Finding { return codescan.TokenInURL(rel, c) })
	run(idTLS, !k.doc, func() []probes.Finding { return lowerInTests(k, codescan.TLSVerification(rel, c)) })
	run(idLogging, k.code || k.script, func() []probes.Finding { return codescan.SecretLogging(rel, c) })
	run(idCI, k.ci, func() []probes.Finding { return append(codescan.CIInlineSecrets(rel, c), secretHits...) })
	run(idPlainHTTP, !k.doc, func() []probes.Finding { return lowerInTests(k, codescan.PlainHTTP(rel, c)) })

	suppressed := 0
	for id, fs := range results {
		var n int
		results[id], n = codescan.Suppress(c, fs)
		suppressed += n
	}
	acc.mu.Lock()
	defer acc.mu.Unlock()
	acc.scanned++
	acc.suppressed += suppressed
	for id := range ran {
		acc.add(id, results[id])
	}
}

// scanSecretsOnly runs only the secrets scan on a build-output, minified,
// generated or large file; for the other probes it counts as skipped.
func scanSecretsOnly(ctx context.Context, rel string, c []byte, want map[string]bool, sec *codescan.Secrets, acc *accumulator, fileTimeout time.Duration) {
	var hits []probes.Finding
	if sec != nil && want[idSecrets] {
		fctx, cancel := context.WithTimeout(ctx, fileTimeout)
		var err error
		var fps []string
		hits, fps, err = sec.ScanFingerprints(fctx, rel, c)
		cancel()
		if err == nil {
			acc.mu.Lock()
			acc.notePrints(hits, fps)
			acc.mu.Unlock()
		}
		if err != nil {
			if ctx.Err() == nil {
				acc.mu.Lock()
				acc.skipped[skipTimeout]++
				acc.mu.Unlock()
			}
			return
		}
		var n int
		hits, n = codescan.Suppress(c, hits)
		acc.mu.Lock()
		acc.suppressed += n
		acc.mu.Unlock()
	}
	acc.mu.Lock()
	defer acc.mu.Unlock()
	acc.secretsOnly++
	if want[idSecrets] {
		acc.add(idSecrets, hits)
	}
}

// lowerInTests turns failures in test code into warnings: tests talk to
// throwaway local servers, production code must not.
func lowerInTests(k fileKind, fs []probes.Finding) []probes.Finding {
	if !k.test {
		return fs
	}
	for i := range fs {
		if fs[i].Status == probes.Fail {
			fs[i].Status = probes.Warn
			fs[i].Message += " (in test code)"
		}
	}
	return fs
}

// observed is the Observed block of every source probe.
type observed struct {
	Mode              string         `json:"mode"` // git (tracked files) or walk (every file)
	Note              string         `json:"note,omitempty"`
	FilesScanned      int            `json:"files_scanned"`
	FilesSkipped      int            `json:"files_skipped"`
	SkippedByReason   map[string]int `json:"skipped_by_reason,omitempty"`
	FilesChecked      int            `json:"files_checked"` // files this probe applies to
	Findings          int            `json:"findings"`
	FindingsByRule    map[string]int `json:"findings_by_rule,omitempty"`
	FilesWithFindings int            `json:"files_with_findings"`
	Rules             int            `json:"rules,omitempty"` // secret-detection rules loaded
	Suppressed        int            `json:"suppressed,omitempty"`
	// HistoryCommits is how many commits of the branch the secrets scan
	// read (source.secrets in a git checkout); HistoryNote why it stopped early.
	HistoryCommits int    `json:"history_commits,omitempty"`
	HistoryNote    string `json:"history_note,omitempty"` // findings on selfassess:allow lines, all probes
}

// nouns name what each probe finds, for summaries.
var nouns = map[string][2]string{
	idSecrets:      {"secret", "secrets"},
	idTokenStorage: {"web-storage write of a token", "web-storage writes of tokens"},
	idTokenInURL:   {"token in a URL", "tokens in URLs"},
	idTLS:          {"place with TLS verification disabled", "places with TLS verification disabled"},
	idLogging:      {"log call with a secret", "log calls with secrets"},
	idCI:           {"inline CI credential", "inline CI credentials"},
	idPlainHTTP:    {"plain-HTTP endpoint", "plain-HTTP endpoints"},
}

func (a *accumulator) result(id string, tr *tree) probes.Result {
	p := a.probes[id]
	obs := a.observedBase(tr)
	if id != idSecrets && a.secretsOnly > 0 {
		obs.FilesSkipped += a.secretsOnly
		obs.SkippedByReason[skipSecretsOnly] = a.secretsOnly
	}
	obs.FilesChecked = p.checked
	obs.Findings = p.total
	obs.FindingsByRule = p.byRule
	obs.FilesWithFindings = len(p.files)
	if id == idSecrets || id == idCI {
		obs.Rules = a.rules
	}
	if id == idSecrets {
		obs.HistoryCommits, obs.HistoryNote = a.historyCommits, a.historyNote
	}
	status := probes.Pass
	for _, f := range p.findings {
		if f.Status.Rank() > status.Rank() {
			status = f.Status
		}
	}
	noun := nouns[id]
	var summary string
	switch {
	case p.total == 0 && id == idCI && p.checked == 0:
		summary = fmt.Sprintf("no CI configuration files among %d files", a.scanned)
	case p.total == 0:
		summary = fmt.Sprintf("no %s in %d %s", noun[1], p.checked, plural(p.checked, "file", "files"))
	default:
		n := noun[1]
		if p.total == 1 {
			n = noun[0]
		}
		summary = fmt.Sprintf("%d %s in %d %s, first at %s", p.total, n, len(p.files), plural(len(p.files), "file", "files"), p.findings[0].Location)
		if status == probes.Warn {
			summary += " (warnings only)"
		}
	}
	if id == idSecrets && obs.FilesSkipped > 0 {
		// "no secrets in 7 files" must never read as "no secrets"
		summary += fmt.Sprintf("; %d %s not scanned (%s)", obs.FilesSkipped, plural(obs.FilesSkipped, "file", "files"), reasons(obs.SkippedByReason))
	}
	if tr.mode == "walk" && tr.note != "" {
		summary += " (" + tr.note + ")"
	}
	return probes.Result{Status: status, Summary: summary, Observed: obs, Findings: p.findings}
}

func (a *accumulator) observedBase(tr *tree) observed {
	skipped := 0
	for _, n := range a.skipped {
		skipped += n
	}
	byReason := make(map[string]int, len(a.skipped))
	for k, v := range a.skipped {
		byReason[k] = v
	}
	return observed{Mode: tr.mode, Note: tr.note, FilesScanned: a.scanned, FilesSkipped: skipped, SkippedByReason: byReason,
		Suppressed: a.suppressed}
}

// reasons lists skip reasons with their counts, the largest first.
func reasons(by map[string]int) string {
	keys := make([]string, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if by[keys[i]] != by[keys[j]] {
			return by[keys[i]] > by[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", by[k], strings.ReplaceAll(k, "_", " "))
	}
	return strings.Join(parts, ", ")
}

// plural is a tiny helper for messages.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
