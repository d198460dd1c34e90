package codescan

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"
	"time"
)

// longLine returns one line of n bytes of minified-looking code full of
// key=value tokens, the input that made the scan quadratic.
func longLineOf(n int) []byte {
	rng := rand.New(rand.NewSource(int64(n)))
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	var b strings.Builder
	b.Grow(n + 64)
	for i := 0; b.Len() < n; i++ {
		v := make([]byte, 20)
		for j := range v {
			v[j] = chars[rng.Intn(len(chars))]
		}
		fmt.Fprintf(&b, `var k%d={apiKey:"%s",token=%s};`, i, v, v[:16])
	}
	return []byte(b.String()[:n])
}

// minifiedOf returns one line of n bytes of minified-looking JavaScript:
// identifiers holding the rules' keywords everywhere ("apiVersion",
// "keyCode", "tokenize") and a key-like value every 8 KiB or so.
func minifiedOf(n int) []byte {
	rng := rand.New(rand.NewSource(int64(n)))
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	parts := []string{
		`function(e,t){return e.apiVersion===t.keyCode?e:t}`, `var n=o.tokenize(r,{access:!0});`,
		`if(a.authState&&a.secretary)return null;`, `e.credentials="same-origin";`, `t.keys=Object.keys(i);`,
	}
	var b strings.Builder
	b.Grow(n + 256)
	for i := 0; b.Len() < n; i++ {
		b.WriteString(parts[rng.Intn(len(parts))])
		if i%200 == 199 {
			v := make([]byte, 24)
			for j := range v {
				v[j] = chars[rng.Intn(len(chars))]
			}
			fmt.Fprintf(&b, `var c%d={apiKey:"%s"};`, i, v)
		}
	}
	return []byte(b.String()[:n])
}

// BenchmarkSecretsLongLine scans single lines of 16 KiB to 8 MiB, of
// minified code and of dense key=value tokens: the bytes per second must
// stay flat (linear growth) or rise (the dense line stops early).
//
//	go test -run '^$' -bench SecretsLongLine -benchtime 3x ./probes/codescan/
func BenchmarkSecretsLongLine(b *testing.B) {
	s, err := buildSecrets(gitleaksRules, providerRules)
	if err != nil {
		b.Fatal(err)
	}
	s.Scan("warm.js", longLineOf(64<<10)) // rules compile on first use
	s.Scan("warm.js", minifiedOf(64<<10))
	for _, kind := range []struct {
		name string
		make func(int) []byte
	}{{"minified", minifiedOf}, {"dense", longLineOf}} {
		for _, size := range []int{16 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20, 8 << 20} {
			line := kind.make(size)
			b.Run(fmt.Sprintf("%s/%dKiB", kind.name, size>>10), func(b *testing.B) {
				b.SetBytes(int64(size))
				for i := 0; i < b.N; i++ {
					if fs := s.Scan("app.min.js", line); len(fs) == 0 {
						b.Fatal("no finding")
					}
				}
			})
		}
	}
}

// A 1 MiB single line scans in well under a second, and time grows
// linearly: 4 MiB takes about four times as long, not sixteen.
func TestLongLineScanIsLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("scans 5 MiB")
	}
	s := secrets(t)
	timeIt := func(make func(int) []byte, n int) time.Duration {
		line := make(n)
		best := time.Duration(math.MaxInt64)
		for range 2 { // the best of two: the machine is shared
			start := time.Now()
			fs := s.Scan("app.min.js", line)
			best = min(best, time.Since(start))
			if len(fs) == 0 {
				t.Fatalf("%d bytes: no finding", n)
			}
		}
		return best
	}
	for _, make := range []func(int) []byte{longLineOf, minifiedOf} {
		timeIt(make, 64<<10) // rules compile on first use
		one, four := timeIt(make, 1<<20), timeIt(make, 4<<20)
		// The speed itself is BenchmarkSecretsLongLine's to measure; a
		// wall-clock limit here would only say how busy the machine was.
		// Quadratic growth makes 4 MiB take 16x the 1 MiB time, linear 4x.
		t.Logf("1 MiB: %v, 4 MiB: %v", one, four)
		if four > 8*one {
			t.Errorf("4 MiB took %v, more than 8x the 1 MiB time %v: not linear", four, one)
		}
	}
}

// A cancelled context stops a scan of an 8 MiB line within a second.
func TestCancelledScanStops(t *testing.T) {
	if testing.Short() {
		t.Skip("builds an 8 MiB line")
	}
	s := secrets(t)
	line := longLineOf(8 << 20)
	s.Scan("warm.js", line[:64<<10])
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := s.ScanContext(ctx, "app.min.js", line)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	start := time.Now()
	select {
	case err := <-done:
		t.Logf("stopped %v after cancel", time.Since(start))
		if err == nil {
			t.Log("the scan finished before the cancel was seen")
		}
	case <-time.After(time.Second * raceSlowdown):
		t.Fatalf("scan still running %v after cancel", time.Second*raceSlowdown)
	}
	// an already cancelled context does no work
	_, err := s.ScanContext(ctx, "app.min.js", line)
	if err == nil {
		t.Error("a cancelled scan returned no error")
	}
}
