package httpprobe

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/probes/codescan"
	"github.com/selfassess/selfassess/probes/tlsprobe"
)

// hostileServer starts a plain-HTTP test server whose handlers stop when
// the test ends (done is closed before the server, so Close never waits on
// a handler that is still trickling bytes).
func hostileServer(t *testing.T, h func(done <-chan struct{}, w http.ResponseWriter, r *http.Request)) *httptest.Server {
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h(done, w, r) }))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) })
	return srv
}

// hijack takes over the raw connection to write malformed responses.
func hijack(w http.ResponseWriter) (io.WriteCloser, *bufio.ReadWriter) {
	conn, rw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	return conn, rw
}

// gzipBomb returns size bytes of zeros (in whole MiB) as a multi-member
// gzip stream: one compressed MiB repeated, so building it is cheap.
func gzipBomb(t testing.TB, size int) []byte {
	var member bytes.Buffer
	zw, err := gzip.NewWriterLevel(&member, gzip.BestCompression)
	require.NoError(t, err)
	zw.Write(make([]byte, 1<<20))
	require.NoError(t, zw.Close())
	return bytes.Repeat(member.Bytes(), size>>20)
}

// TestBombBodyCap: a decompressed body is capped at MaxBody even when the
// compressed stream is tiny.
func TestBombBodyCap(t *testing.T) {
	bomb := gzipBomb(t, 64<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "text/html")
		w.Write(bomb)
	}))
	defer srv.Close()
	cfg := probes.Config{Timeout: time.Second, MaxBody: 100 << 10}.Defaults()
	u := mustURL(t, srv.URL+"/")
	c := newClient(u, cfg, newHostLimits())
	defer c.close()
	r, err := c.do(context.Background(), request{Method: http.MethodGet, URL: u})
	require.NoError(t, err)
	assert.Len(t, r.Body, 100<<10)
	assert.True(t, r.Truncated)
	assert.True(t, r.Bomb)
	assert.True(t, strings.HasPrefix(string(r.Body), "\x00\x00"))
}

func mustURL(t testing.TB, raw string) *url.URL {
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u
}

// TestFamilyTimeLimit: a server answering each request just inside the
// per-request timeout cannot hold the run for scripts × timeout.
func TestFamilyTimeLimit(t *testing.T) {
	srv := hostileServer(t, func(done <-chan struct{}, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			w.Header().Set("Content-Type", "text/html")
			for i := 0; i < 30; i++ {
				fmt.Fprintf(w, `<script src="/s%d.js"></script>`, i)
			}
			return
		}
		select {
		case <-done:
		case <-time.After(250 * time.Millisecond):
		}
		io.WriteString(w, "var a = 1;")
	})
	cfg := probes.Config{Timeout: 300 * time.Millisecond, MaxScripts: 40}.Defaults()
	r := run(t, newFamily(), srv.URL+"/", []string{"js.token-storage"}, cfg)["js.token-storage"]
	assert.Equal(t, probes.Error, r.Status, r.Summary)
	assert.Contains(t, findingRules(r, probes.Error), "js-fetch")
	obs := r.Observed.(*scriptsObserved)
	assert.Less(t, len(obs.Scripts)-countErrors(obs.Scripts), 30, "every script fetched despite the limit")
	var msgs string
	for _, f := range r.Findings {
		msgs += f.Message + "\n"
	}
	assert.Contains(t, msgs, "the time limit for this target (1.8s, 6× --timeout) ran out")
}

func countErrors(s []scriptFacts) int {
	n := 0
	for _, f := range s {
		if f.Error != "" {
			n++
		}
	}
	return n
}

// TestDeflateBodies: zlib-wrapped and raw deflate bodies both decode.
func TestDeflateBodies(t *testing.T) {
	want := strings.Repeat("<p>hello</p>", 100)
	var zl, raw bytes.Buffer
	zw := zlib.NewWriter(&zl)
	zw.Write([]byte(want))
	zw.Close()
	fw, _ := flate.NewWriter(&raw, flate.BestCompression)
	fw.Write([]byte(want))
	fw.Close()
	for name, body := range map[string][]byte{"zlib": zl.Bytes(), "raw": raw.Bytes()} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "deflate")
				w.Write(body)
			}))
			defer srv.Close()
			u := mustURL(t, srv.URL+"/")
			c := newClient(u, probes.Config{Timeout: time.Second}.Defaults(), newHostLimits())
			defer c.close()
			r, err := c.do(context.Background(), request{Method: http.MethodGet, URL: u})
			require.NoError(t, err)
			assert.Equal(t, want, string(r.Body))
		})
	}
}

// TestBombPage: a compression bomb as the page itself is an error for the
// js probes (the page could not be searched whole).
func TestBombPage(t *testing.T) {
	bomb := gzipBomb(t, 64<<20)
	srv := hostileServer(t, func(done <-chan struct{}, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb)
	})
	cfg := probes.Config{Timeout: time.Second, MaxBody: 256 << 10}.Defaults()
	r := run(t, newFamily(), srv.URL+"/", []string{"js.secrets"}, cfg)["js.secrets"]
	assert.Equal(t, probes.Error, r.Status, r.Summary)
	assert.Contains(t, findingRules(r, probes.Error), "js-compression-bomb")
}

// TestEchoedCredentialRedacted (issue 10.4): a target that echoes the
// --header-env Authorization value and a query token into its Server
// header, a cookie and its error pages; through the runner, no output
// field holds either in clear.
func TestEchoedCredentialRedacted(t *testing.T) {
	token := "HdrS3cret" + "Tok3nABCDEF123"
	query := "Query" + "S3cretK3y123"
	srv, pool := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "hostile/1.2.3 "+r.Header.Get("Authorization"))
		w.Header().Set("X-Debug-Query", r.URL.RawQuery)
		w.Header().Add("Set-Cookie", "echo="+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")+"; Path=/")
		w.Header().Set("Content-Type", "text/html")
		if r.URL.Path != "/" {
			w.WriteHeader(500)
		}
		fmt.Fprintf(w, "<html>request: %s %s auth=%s</html>", r.Method, r.URL.RequestURI(), r.Header.Get("Authorization"))
	}))
	cfg := testConfig(pool, testNow)
	cfg.Headers = http.Header{"Authorization": {"Bearer " + token}}
	target := srv.URL + "/?api_key=" + query + "&x=1"
	rs := probes.Run(context.Background(), []probes.Family{newFamily()}, []probes.Target{{Kind: probes.KindURL, Value: target}}, cfg)
	out, err := json.Marshal(rs)
	require.NoError(t, err)
	assert.Contains(t, string(out), "hostile/1.2.3", "the banner is still reported")
	for _, s := range []string{token, query} {
		assert.NotContains(t, string(out), s)
		assert.NotContains(t, string(out), s[len(s)/3:], "a tail of the secret")
	}
}

// hostileCase is one misbehaving server of the hostile-server suite.
type hostileCase struct {
	name string
	// serve starts the server and returns the target URL; hit is called
	// when the hostile part begins (the cancel run cancels shortly after).
	serve func(t *testing.T, done <-chan struct{}, hit func()) string
	// timeout is --timeout; the run must end within the family limit
	// (6× timeout) whatever the server does.
	timeout time.Duration
	// ids are the probes the case is about (nil: every probe of the tls
	// and http families): none of them may pass.
	ids []string
	// want: on this probe, this status and a finding rule or message fragment.
	want []hostileWant
	// scan marks the cases whose time is the secret scan's.
	scan bool
	// idle marks the servers that only stall: their time limit is a wait,
	// not work, so they run side by side (one 4 s wait, not three).
	idle bool
}

type hostileWant struct {
	id     string
	status probes.Status
	text   string
}

// rawServer accepts TCP connections and hands each to handle; done is
// closed (and every connection closed) when the test ends.
func rawServer(t *testing.T, done <-chan struct{}, handle func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(2)
			go func() { defer wg.Done(); handle(c) }()
			go func() { defer wg.Done(); <-done; c.Close() }()
		}
	}()
	return ln.Addr().String()
}

// httpHostile serves h over plain HTTP, calling hit once per request.
func httpHostile(h func(done <-chan struct{}, hit func(), w http.ResponseWriter, r *http.Request)) func(*testing.T, <-chan struct{}, func()) string {
	return func(t *testing.T, done <-chan struct{}, hit func()) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h(done, hit, w, r) }))
		t.Cleanup(srv.Close)
		return srv.URL + "/"
	}
}

// tlsHostile serves handle on a raw port named as an https:// target.
func tlsHostile(handle func(done <-chan struct{}, hit func(), c net.Conn)) func(*testing.T, <-chan struct{}, func()) string {
	return func(t *testing.T, done <-chan struct{}, hit func()) string {
		return "https://" + rawServer(t, done, func(c net.Conn) { handle(done, hit, c) }) + "/"
	}
}

// wait blocks until the test ends.
func wait(done <-chan struct{}) { <-done }

// longScript is one line of n bytes of minified-looking code dense with
// key=value tokens (what made the secret scan quadratic), ending in a
// provider key, a token written to web storage and one put in a URL: a
// scan that stops early cannot find them.
func longScript(n int) []byte {
	rng := rand.New(rand.NewPCG(uint64(n), 1))
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	tail := `;var FINCEPT_KEY="` + plantedKey + `";localStorage.setItem("access_token",t);fetch("/api?access_token="+t);`
	var b bytes.Buffer
	b.Grow(n)
	v := make([]byte, 20)
	for i := 0; b.Len() < n-len(tail)-64; i++ {
		for j := range v {
			v[j] = chars[rng.IntN(len(chars))]
		}
		fmt.Fprintf(&b, `var k%d={apiKey:"%s",token=%s};`, i, v, v[:16])
	}
	for b.Len() < n-len(tail) {
		b.WriteByte(' ')
	}
	b.WriteString(tail)
	return b.Bytes()
}

// deflateBomb is size bytes of zeros (whole MiB) as one zlib stream.
func deflateBomb(t testing.TB, size int) []byte {
	var out bytes.Buffer
	zw, err := zlib.NewWriterLevel(&out, zlib.BestCompression)
	require.NoError(t, err)
	zero := make([]byte, 1<<20)
	for i := 0; i < size>>20; i++ {
		zw.Write(zero)
	}
	require.NoError(t, zw.Close())
	return out.Bytes()
}

// scriptPage serves a page referencing /s.js, and body as that script with
// the given Content-Encoding.
func scriptPage(encoding string, body []byte) func(*testing.T, <-chan struct{}, func()) string {
	return httpHostile(func(done <-chan struct{}, hit func(), w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/s.js" {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, `<html><script src="/s.js"></script></html>`)
			return
		}
		w.Header().Set("Content-Type", "text/javascript")
		if encoding != "" {
			w.Header().Set("Content-Encoding", encoding)
		}
		w.Write(body)
		hit()
	})
}

var jsIDs = []string{"js.secrets", "js.token-storage", "js.token-in-url"}

func hostileCases(t *testing.T) []hostileCase {
	gzBomb := gzipBomb(t, 256<<20)   // 256 MiB of zeros in ~250 KiB
	zBomb := deflateBomb(t, 256<<20) // the same as HTTP "deflate" (zlib)
	bigHeader := bytes.Repeat([]byte("a"), 10<<20)
	cases := []hostileCase{
		{name: "headers one byte a second", timeout: time.Second, idle: true, serve: httpHostile(func(done <-chan struct{}, hit func(), w http.ResponseWriter, r *http.Request) {
			conn, _ := hijack(w)
			defer conn.Close()
			hit()
			for _, b := range []byte("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n") {
				if _, err := conn.Write([]byte{b}); err != nil {
					return
				}
				select {
				case <-done:
					return
				case <-time.After(time.Second):
				}
			}
		}), want: []hostileWant{{"http.headers", probes.Error, "no complete response within"}}},

		{name: "accept then silence", timeout: time.Second, idle: true, serve: tlsHostile(func(done <-chan struct{}, hit func(), c net.Conn) {
			hit()
			wait(done)
		}), want: []hostileWant{{"tls.versions", probes.Error, "no answer within"}, {"http.headers", probes.Error, "no complete response within"}}},

		{name: "TLS stall mid-handshake", timeout: time.Second, idle: true, serve: tlsHostile(func(done <-chan struct{}, hit func(), c net.Conn) {
			c.Read(make([]byte, 4096)) // the ClientHello
			hit()
			// a handshake record announcing 2000 bytes, then the start of a
			// ServerHello, then nothing
			c.Write([]byte{0x16, 0x03, 0x03, 0x07, 0xd0, 0x02, 0x00, 0x07, 0xcc, 0x03, 0x03})
			wait(done)
		}), want: []hostileWant{{"tls.versions", probes.Error, "no answer within"}, {"http.headers", probes.Error, "no complete response within"}}},

		{name: "garbage on a TLS port", timeout: time.Second, serve: tlsHostile(func(done <-chan struct{}, hit func(), c net.Conn) {
			go io.Copy(io.Discard, c)
			hit()
			rng := rand.New(rand.NewPCG(7, 7))
			junk := make([]byte, 64<<10)
			for i := range junk {
				junk[i] = byte(rng.Uint32())
			}
			junk[0] = 'G' // not a TLS record type
			c.Write(junk)
			wait(done)
		}), want: []hostileWant{{"tls.versions", probes.Error, "not a TLS server"}, {"http.headers", probes.Error, ""}}},

		{name: "immediate reset", timeout: time.Second, serve: tlsHostile(func(done <-chan struct{}, hit func(), c net.Conn) {
			hit()
			c.(*net.TCPConn).SetLinger(0) // close sends RST
			c.Close()
		}), want: []hostileWant{{"tls.versions", probes.Error, ""}, {"http.headers", probes.Error, ""}}},

		{name: "endless body", timeout: time.Second, ids: append([]string{"http.headers"}, jsIDs...), serve: httpHostile(func(done <-chan struct{}, hit func(), w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			hit()
			chunk := bytes.Repeat([]byte("<p>more</p>"), 4096)
			for {
				select {
				case <-done:
					return
				default:
				}
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}),
			// read up to the cap, then judged on what arrived, with a
			// warning that the page was cut
			want: []hostileWant{{"js.secrets", probes.Warn, "js-page-truncated"}, {"http.headers", probes.Fail, ""}}},

		{name: "10 MB header", timeout: time.Second, ids: []string{"http.headers", "http.hsts", "http.cookies", "http.banners", "js.secrets"}, serve: httpHostile(func(done <-chan struct{}, hit func(), w http.ResponseWriter, r *http.Request) {
			conn, _ := hijack(w)
			defer conn.Close()
			hit()
			io.WriteString(conn, "HTTP/1.1 200 OK\r\nX-Big: ")
			conn.Write(bigHeader)
			io.WriteString(conn, "\r\n\r\n")
		}), want: []hostileWant{{"http.headers", probes.Error, "response headers larger than"}}},

		{name: "redirect loop", timeout: time.Second, ids: append([]string{"http.headers", "http.hsts", "http.cookies"}, jsIDs...), serve: httpHostile(func(done <-chan struct{}, hit func(), w http.ResponseWriter, r *http.Request) {
			hit()
			next := "/a"
			if r.URL.Path == "/a" {
				next = "/b"
			}
			http.Redirect(w, r, next, http.StatusFound)
		}), want: []hostileWant{{"http.headers", probes.Error, "redirect loop"}}},

		{name: "redirect to another host", timeout: time.Second, ids: append([]string{"http.headers", "http.hsts", "http.cookies"}, jsIDs...), serve: httpHostile(func(done <-chan struct{}, hit func(), w http.ResponseWriter, r *http.Request) {
			hit()
			http.Redirect(w, r, "https://elsewhere.example/login", http.StatusFound)
		}), want: []hostileWant{{"http.headers", probes.Error, "another host"}, {"js.secrets", probes.Error, "another host"}}},

		{name: "gzip bomb page", timeout: time.Second, ids: jsIDs, serve: httpHostile(func(done <-chan struct{}, hit func(), w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(gzBomb)
			hit()
		}), want: []hostileWant{{"js.secrets", probes.Error, "js-compression-bomb"}}},

		{name: "gzip bomb script", timeout: time.Second, ids: jsIDs, serve: scriptPage("gzip", gzBomb),
			want: []hostileWant{{"js.secrets", probes.Error, "js-compression-bomb"}, {"js.token-storage", probes.Error, "js-compression-bomb"}}},

		{name: "deflate bomb script", timeout: time.Second, ids: jsIDs, serve: scriptPage("deflate", zBomb),
			want: []hostileWant{{"js.secrets", probes.Error, "js-compression-bomb"}}},

		{name: "page in an encoding not asked for", timeout: time.Second, ids: jsIDs, serve: httpHostile(func(done <-chan struct{}, hit func(), w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Encoding", "zstd")
			w.Write(gzBomb[:64<<10])
			hit()
		}), want: []hostileWant{{"js.secrets", probes.Error, "js-encoding"}}},

		{name: "script in an encoding not asked for", timeout: time.Second, ids: jsIDs, serve: scriptPage("br", gzBomb[:64<<10]),
			want: []hostileWant{{"js.secrets", probes.Error, "js-encoding"}, {"js.token-storage", probes.Error, "js-encoding"}}},

		{name: "1000 scripts", timeout: 2 * time.Second, ids: jsIDs, serve: httpHostile(func(done <-chan struct{}, hit func(), w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/" {
				w.Header().Set("Content-Type", "text/html")
				io.WriteString(w, "<html>")
				for i := range 1000 {
					fmt.Fprintf(w, `<script src="/s%d.js"></script><script>localStorage.setItem("token", t%d)</script>`, i, i)
				}
				io.WriteString(w, "</html>")
				hit()
				return
			}
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprintf(w, "var FINCEPT_KEY=%q; fetch('/api?access_token='+t);", plantedKey)
		}),
			// the first scripts are scanned (and fail), the rest are over the limit
			want: []hostileWant{{"js.secrets", probes.Fail, "js-limit"}, {"js.token-storage", probes.Fail, "js-limit"}, {"js.token-in-url", probes.Fail, "js-limit"}}},
	}
	for _, size := range []int{256 << 10, 1 << 20, 8 << 20} {
		cases = append(cases, hostileCase{name: fmt.Sprintf("single-line script of %d KiB", size>>10), timeout: 2 * time.Second * raceSlowdown,
			ids: jsIDs, scan: true, serve: scriptPage("", longScript(size)),
			want: []hostileWant{{"js.secrets", probes.Fail, "fincept-api-key"}, {"js.token-storage", probes.Fail, "access_token"}, {"js.token-in-url", probes.Fail, "access_token"}}})
	}
	return cases
}

// hostileSlack is how long a run may take to stop once cancelled or out of
// time: a second. Under the race detector the secret scan's steps take ten
// times as long, so there it only guards against hangs; `make test` also
// runs the suite without it.
const hostileSlack = time.Second * raceSlowdown

// hostileChild marks the subprocess that runs the suite (its peak RSS is
// measured by the parent).
const hostileChild = "SELFASSESS_HOSTILE_SUITE_CHILD"

// TestHostileSuite: each misbehaving server yields error or fail results
// (never a pass) within the family's time limit, and a cancelled context
// stops each within a second. The suite runs in a subprocess so that its
// peak RSS can be measured and bounded.
func TestHostileSuite(t *testing.T) {
	if os.Getenv(hostileChild) == "" {
		rss := runHostileChild(t)
		t.Logf("peak RSS of the hostile-server suite: %.1f MiB", float64(rss)/(1<<20))
		// Caps: 2 MiB page, 8 MiB of scripts per target, 64 KiB of headers;
		// the test's own servers hold the 10 MB header and an 8 MiB script.
		limit := int64(256 << 20)
		if raceSlowdown > 1 {
			limit *= 4
		}
		assert.Less(t, rss, limit, "peak RSS %d bytes", rss)
		return
	}
	// compile the secret rules once before the first case
	_, err := codescan.DefaultSecrets()
	require.NoError(t, err)
	for _, tc := range hostileCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			if tc.idle {
				t.Parallel() // after the busy cases, which keep their CPU to themselves
			}
			t.Run("timeout", func(t *testing.T) { hostileTimeout(t, tc) })
			t.Run("cancel", func(t *testing.T) { hostileCancel(t, tc) })
		})
	}
}

// runHostileChild runs TestHostileSuite in a subprocess and returns its
// peak resident set size in bytes.
func runHostileChild(t *testing.T) int64 {
	args := []string{"-test.run=^TestHostileSuite$", "-test.count=1"}
	if testing.Verbose() {
		args = append(args, "-test.v")
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), hostileChild+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil || testing.Verbose() {
		t.Logf("suite output:\n%s", out)
	}
	require.NoError(t, err, "the suite failed")
	rss, ok := peakRSS(cmd.ProcessState)
	if !ok {
		t.Skip("peak RSS is measured on Linux only")
	}
	return rss
}

func hostileRun(ctx context.Context, t *testing.T, tc hostileCase, target string, timeout time.Duration) []probes.Result {
	cfg := probes.Config{Timeout: timeout, Only: tc.ids}.Defaults()
	if tc.ids == nil {
		cfg.Only = nil
	}
	f := newFamily()
	// plain HTTP on the hostile server itself: nothing else may answer
	f.plainHTTPPort = mustURL(t, target).Port()
	fams := []probes.Family{tlsprobe.NewFamily(), f}
	if len(tc.ids) > 0 {
		fams = fams[1:] // the http family's probes only
	}
	return probes.Run(ctx, fams, []probes.Target{{Kind: probes.KindURL, Value: target}}, cfg)
}

func hostileTimeout(t *testing.T, tc hostileCase) {
	done := make(chan struct{})
	target := tc.serve(t, done, func() {})
	t.Cleanup(func() { close(done) })
	limit := familyLimit(probes.Config{Timeout: tc.timeout})
	start := time.Now()
	results := make(chan []probes.Result, 1)
	go func() { results <- hostileRun(context.Background(), t, tc, target, tc.timeout) }()
	var rs []probes.Result
	select {
	case rs = <-results:
	case <-time.After(limit + 5*time.Second):
		t.Fatalf("no result %v after the start (limit %v)", time.Since(start), limit)
	}
	took := time.Since(start)
	t.Logf("%d results in %v", len(rs), took.Round(time.Millisecond))
	assert.Less(t, took, limit+hostileSlack, "the run outlived its time limit")
	checkHostile(t, tc, rs, true)
}

func hostileCancel(t *testing.T, tc hostileCase) {
	done := make(chan struct{})
	hits := make(chan struct{}, 1)
	target := tc.serve(t, done, func() {
		select {
		case hits <- struct{}{}:
		default:
		}
	})
	t.Cleanup(func() { close(done) })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type finished struct {
		rs []probes.Result
		at time.Time
	}
	results := make(chan finished, 1)
	// a long --timeout: only the cancel can stop the slow cases in time
	go func() {
		rs := hostileRun(ctx, t, tc, target, time.Minute)
		results <- finished{rs, time.Now()}
	}()
	select {
	case <-hits:
	case f := <-results:
		t.Logf("finished before the server was reached")
		checkHostile(t, tc, f.rs, false)
		return
	case <-time.After(30 * time.Second):
		t.Fatal("the server was never reached")
	}
	time.Sleep(100 * time.Millisecond)
	cancelled := time.Now()
	cancel()
	select {
	case f := <-results:
		if took := f.at.Sub(cancelled); took < 0 {
			t.Logf("finished %v before the cancel", -took.Round(time.Millisecond))
		} else {
			t.Logf("stopped %v after the cancel", took.Round(time.Millisecond))
			assert.Less(t, took, hostileSlack, "the cancel took too long")
		}
		checkHostile(t, tc, f.rs, false)
	case <-time.After(30 * time.Second):
		t.Fatal("still running 30s after the cancel")
	}
}

// checkHostile: no probe passes; with exact, the case's wanted statuses
// and texts hold (a cancelled run may stop any probe with an error first).
func checkHostile(t *testing.T, tc hostileCase, rs []probes.Result, exact bool) {
	t.Helper()
	byID := map[string]probes.Result{}
	for _, r := range rs {
		byID[r.ID] = r
		assert.NotEqual(t, probes.Pass, r.Status, "%s passed against a hostile server: %s", r.ID, r.Summary)
	}
	if tc.ids != nil {
		assert.Len(t, byID, len(tc.ids))
	}
	for _, w := range tc.want {
		r, ok := byID[w.id]
		if !assert.True(t, ok, "no %s result", w.id) {
			continue
		}
		if !exact {
			assert.Contains(t, []probes.Status{probes.Error, probes.Fail, probes.Warn}, r.Status, "%s: %s", w.id, r.Summary)
			continue
		}
		assert.Equal(t, w.status, r.Status, "%s: %s %+v", w.id, r.Summary, r.Findings)
		text := r.Summary
		for _, f := range r.Findings {
			text += "\n" + f.Rule + " " + f.Message
		}
		assert.Contains(t, text, w.text, w.id)
	}
}
