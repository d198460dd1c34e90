package sourceprobe

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/probes"
)

// scanWith is Scan with fileTimeout bounding the secret scan of each file.
func scanWith(ctx context.Context, dir string, ids []string, fileTimeout time.Duration) []probes.Result {
	return scanTimed(ctx, dir, ids, nil, fileTimeout, probes.DefaultHistory)
}

// minifiedLine is one line of n bytes of key=value tokens, the worst case
// for the secret rules.
func minifiedLine(n int) string {
	rng := rand.New(rand.NewSource(int64(n)))
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		v := make([]byte, 20)
		for j := range v {
			v[j] = chars[rng.Intn(len(chars))]
		}
		fmt.Fprintf(&b, `e.apiVersion===t.keyCode&&o.tokenize(r);var k%d={auth:"%s"};`, i, v)
	}
	return b.String()[:n]
}

// A cancelled context (Ctrl-C) stops a scan of long minified lines within
// a second, with an error result.
func TestCancelStopsLongLineScanWithinASecond(t *testing.T) {
	fs := files{}
	for i := 0; i < 12; i++ {
		fs[fmt.Sprintf("bundle%d.js", i)] = minifiedLine(1<<20 - 1)
	}
	dir := writeFiles(t, fs)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan []probes.Result, 1)
	go func() { done <- Scan(ctx, dir, []string{idSecrets}) }()
	time.Sleep(200 * time.Millisecond)
	cancel()
	start := time.Now()
	select {
	case rs := <-done:
		t.Logf("stopped %v after cancel", time.Since(start))
		require.Len(t, rs, 1)
		assert.Equal(t, probes.Error, rs[0].Status, rs[0].Summary)
	case <-time.After(time.Second * raceSlowdown):
		t.Fatal("scan still running a second after cancel")
	}
}

// The per-file time limit (--timeout) skips a file that takes longer and
// says so.
func TestFileTimeoutSkipsAndCounts(t *testing.T) {
	dir := writeFiles(t, files{"big.js": minifiedLine(1<<20 - 1), "small.go": "package a\n"})
	rs := scanWith(context.Background(), dir, []string{idSecrets}, time.Nanosecond)
	require.Len(t, rs, 1)
	obs := rs[0].Observed.(observed)
	assert.Equal(t, 2, obs.SkippedByReason[skipTimeout], "both files time out at 1ns")
	rs = scanWith(context.Background(), dir, []string{idSecrets}, time.Minute)
	assert.Zero(t, rs[0].Observed.(observed).SkippedByReason[skipTimeout])
}
