package sourceprobe

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/probes/codescan"
)

// BenchmarkScan10k scans a generated 10,000-file tree (2–5 KB files, five
// planted secrets) with all eight source probes and reports files/s.
//
//	go test -run '^$' -bench Scan10k -benchtime 3x ./probes/sourceprobe/
func BenchmarkScan10k(b *testing.B) {
	dir := b.TempDir()
	planted := writeTree(b, dir, benchFiles, benchFiles/5)
	if _, err := codescan.DefaultSecrets(); err != nil { // rule compilation is a one-off, not per scan
		b.Fatal(err)
	}
	b.ResetTimer()
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		rs := Scan(context.Background(), dir, nil)
		elapsed += time.Since(start)
		if rs[0].ID != idSecrets || rs[0].Status != probes.Fail || len(rs[0].Findings) != len(planted) {
			b.Fatalf("source.secrets: %s, %d findings, want %d", rs[0].Status, len(rs[0].Findings), len(planted))
		}
	}
	b.ReportMetric(float64(benchFiles*b.N)/elapsed.Seconds(), "files/s")
}

// TestWriteBenchTree writes the benchmark tree to $SELFASSESS_BENCH_TREE,
// for measuring the CLI with /usr/bin/time -v.
func TestWriteBenchTree(t *testing.T) {
	dir := os.Getenv("SELFASSESS_BENCH_TREE")
	if dir == "" {
		t.Skip("set SELFASSESS_BENCH_TREE=DIR to write the 10,000-file benchmark tree there")
	}
	writeTree(t, dir, 10_000, 2000)
}

var benchFiles = 10_000
