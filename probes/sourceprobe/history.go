package sourceprobe

// The history scan: a key committed and removed since is still in every
// clone, so source.secrets also scans what the commits of the checked-out
// branch added (bounded), and names the commit that added each key.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/probes/codescan"
)

const (
	// historyBytes and historyTimeout bound the history scan, besides the
	// number of commits (probes.Config.History): the patch text read, the time.
	historyBytes   = 64 << 20
	historyTimeout = 60 * time.Second
)

// historyHit is a secret as first added by a commit.
type historyHit struct {
	finding      probes.Finding
	commit, date string
}

// historyResult is what the history scan found: per fingerprint, the
// oldest commit that added the secret.
type historyResult struct {
	first   map[string]historyHit
	commits int
	note    string // why the scan stopped early, if it did
}

// scanHistory scans the lines the last commits commits of HEAD added
// (git log -p, merges left out: their changes are in the parents).
func scanHistory(ctx context.Context, root string, sec *codescan.Secrets, commits int) historyResult {
	res := historyResult{first: map[string]historyHit{}}
	ctx, cancel := context.WithTimeout(ctx, historyTimeout)
	defer cancel()
	cmd := gitCmd(ctx, root, "log", "-p", "--no-merges", "--no-color", "--no-ext-diff", "--no-textconv", "-U0",
		"--format=%x00%H %cs", "--max-count="+strconv.Itoa(commits), "HEAD", "--")
	out, err := cmd.StdoutPipe()
	if err != nil {
		res.note = err.Error()
		return res
	}
	if err := cmd.Start(); err != nil {
		res.note = "git log: " + err.Error()
		return res
	}
	lim := &io.LimitedReader{R: out, N: historyBytes}
	r := bufio.NewReaderSize(lim, 64<<10)

	var commit, date, file string
	var buf strings.Builder
	var lineOf []int
	next := 0 // line number in the new file of the next added line
	flush := func() {
		if file != "" && len(lineOf) > 0 && !historySkips(file) {
			fs, fps, _ := sec.ScanFingerprints(ctx, file, []byte(buf.String()))
			for i, f := range fs {
				if fps[i] == "" || f.Line < 1 || f.Line > len(lineOf) {
					continue
				}
				f.Line = lineOf[f.Line-1]
				f.Location = file + ":" + strconv.Itoa(f.Line)
				res.first[fps[i]] = historyHit{finding: f, commit: commit, date: date} // newest first: the last is the oldest
			}
		}
		buf.Reset()
		lineOf = lineOf[:0]
	}
	for {
		line, err := r.ReadString('\n')
		line = strings.TrimSuffix(line, "\n")
		switch {
		case strings.HasPrefix(line, "\x00"):
			flush()
			file = ""
			commit, date, _ = strings.Cut(line[1:], " ")
			res.commits++
		case strings.HasPrefix(line, "+++ "):
			flush()
			file = ""
			if p, ok := strings.CutPrefix(line[4:], "b/"); ok && !strings.HasPrefix(line[4:], "\"") {
				file = p
			}
		case strings.HasPrefix(line, "@@ "):
			// @@ -a,b +c,d @@: the added lines start at line c
			if i := strings.Index(line, " +"); i >= 0 {
				spec := line[i+2:]
				if j := strings.IndexAny(spec, ", "); j >= 0 {
					spec = spec[:j]
				}
				next, _ = strconv.Atoi(spec)
			}
		case strings.HasPrefix(line, "+") && file != "":
			buf.WriteString(line[1:])
			buf.WriteByte('\n')
			lineOf = append(lineOf, next)
			next++
		}
		if err != nil {
			break
		}
		if ctx.Err() != nil {
			break
		}
	}
	flush()
	if lim.N <= 0 {
		res.note = fmt.Sprintf("history scan stopped after %d MiB of changes", historyBytes>>20)
	}
	_ = cmd.Process.Kill() // done reading: git may still be writing
	_ = cmd.Wait()
	if ctx.Err() != nil && res.note == "" {
		res.note = "history scan stopped: " + ctx.Err().Error()
	}
	return res
}

// historySkips leaves out what the tree scan leaves out entirely.
func historySkips(p string) bool {
	base := path.Base(p)
	return inDir(p, skipDirs) || lockFiles[base] || binaryExts[strings.ToLower(path.Ext(base))]
}

// addHistory merges the history scan into source.secrets: a key still at
// HEAD gets the commit that added it; one removed since is a finding of
// its own, located where it was added.
func (a *accumulator) addHistory(h historyResult) {
	p := a.probes[idSecrets]
	a.historyCommits, a.historyNote = h.commits, h.note
	for fp, hit := range h.first {
		short := hit.commit
		if len(short) > 12 {
			short = short[:12]
		}
		if loc, ok := a.headFP[fp]; ok {
			for i := range p.findings {
				if f := &p.findings[i]; f.File == loc.file && f.Line == loc.line && f.Rule == loc.rule && !strings.Contains(f.Message, "committed in") {
					f.Message += fmt.Sprintf(" (committed in %s on %s)", short, hit.date)
				}
			}
			continue
		}
		f := hit.finding
		f.Message += fmt.Sprintf("; added in commit %s (%s) and no longer at HEAD, but still in every clone of the history: removing it is not enough, rotate it", short, hit.date)
		p.total++
		p.byRule[f.Rule]++
		p.files[f.File] = true
		p.findings = append(p.findings, f)
	}
}
