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

// BenchmarkScanDir scans the tree at $SELFASSESS_BENCH_TREE (written by
// TestWriteBenchTree), so /usr/bin/time -v measures the scan alone:
//
//	go test -c -o /tmp/sp.test ./probes/sourceprobe/
//	SELFASSESS_BENCH_TREE=/tmp/tree /tmp/sp.test -test.run TestWriteBenchTree
//	SELFASSESS_BENCH_TREE=/tmp/tree /usr/bin/time -v /tmp/sp.test -test.run '^$' -test.bench ScanDir -test.benchtime 1x
func BenchmarkScanDir(b *testing.B) {
	dir := os.Getenv("SELFASSESS_BENCH_TREE")
	if dir == "" {
		b.Skip("set SELFASSESS_BENCH_TREE=DIR (see TestWriteBenchTree)")
	}
	var elapsed time.Duration
	files := 0
	for i := 0; i < b.N; i++ {
		start := time.Now()
		rs := Scan(context.Background(), dir, nil)
		elapsed += time.Since(start)
		files += rs[0].Observed.(observed).FilesScanned
	}
	b.ReportMetric(float64(files)/elapsed.Seconds(), "files/s")
}
