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
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/probes/codescan"
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

// TestHostileServers: each misbehaving server yields error results within
// the configured timeout and with bounded memory.
func TestHostileServers(t *testing.T) {
	bomb := gzipBomb(t, 256<<20) // 256 MiB of zeros in ~250 KiB
	bigHeader := bytes.Repeat([]byte("a"), 10<<20)
	// compile the secret rules (once per process) before measuring memory
	_, err := codescan.NewSecrets()
	require.NoError(t, err)
	cases := []struct {
		name    string
		handler func(done <-chan struct{}, w http.ResponseWriter, r *http.Request)
		ids     []string
		wantID  string
		rule    string // a finding rule or message fragment expected on wantID
	}{
		{"headers one byte a second", func(done <-chan struct{}, w http.ResponseWriter, r *http.Request) {
			conn, _ := hijack(w)
			defer conn.Close()
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
		}, []string{"http.headers"}, "http.headers", "no complete response within"},

		{"endless body", func(done <-chan struct{}, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
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
		}, []string{"http.headers", "js.secrets"}, "js.secrets", ""},

		{"10 MB header", func(done <-chan struct{}, w http.ResponseWriter, r *http.Request) {
			conn, _ := hijack(w)
			defer conn.Close()
			io.WriteString(conn, "HTTP/1.1 200 OK\r\nX-Big: ")
			conn.Write(bigHeader)
			io.WriteString(conn, "\r\n\r\n")
		}, []string{"http.headers"}, "http.headers", "response headers larger than"},

		{"redirect loop", func(done <-chan struct{}, w http.ResponseWriter, r *http.Request) {
			next := "/a"
			if r.URL.Path == "/a" {
				next = "/b"
			}
			http.Redirect(w, r, next, http.StatusFound)
		}, []string{"http.headers", "http.cookies"}, "http.headers", "redirect loop"},

		{"redirect to another host", func(done <-chan struct{}, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://elsewhere.example/login", http.StatusFound)
		}, []string{"http.headers", "js.secrets"}, "http.headers", "another host"},

		{"gzip bomb script", func(done <-chan struct{}, w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/bomb.js" {
				w.Header().Set("Content-Type", "text/javascript")
				w.Header().Set("Content-Encoding", "gzip")
				w.Write(bomb)
				return
			}
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, `<html><script src="/bomb.js"></script></html>`)
		}, []string{"js.secrets", "js.token-storage"}, "js.secrets", "js-compression-bomb"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := hostileServer(t, tc.handler)
			cfg := probes.Config{Timeout: time.Second, MaxBody: 256 << 10, MaxJSBytes: 1 << 20}.Defaults()

			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			results := make(chan []probes.Result, 1)
			go func() {
				results <- newFamily().Run(context.Background(), probes.Target{Kind: probes.KindURL, Value: srv.URL + "/"}, tc.ids, cfg)
			}()
			var rs []probes.Result
			select {
			case rs = <-results:
			case <-time.After(30 * cfg.Timeout): // a hang guard, not a speed assertion
				t.Fatal("probes did not return")
			}
			runtime.ReadMemStats(&after)

			// Bounded memory: what the probes allocated in total stays a small
			// multiple of the caps (256 KiB body, 1 MiB scripts), whatever the
			// server sends (10 MB headers, endless or 256 MiB decompressed bodies).
			allocated := after.TotalAlloc - before.TotalAlloc
			t.Logf("allocated %.1f MiB in total", float64(allocated)/(1<<20))
			assert.Less(t, allocated, uint64(16<<20), "allocated %d bytes", allocated)

			byID := map[string]probes.Result{}
			for _, r := range rs {
				byID[r.ID] = r
			}
			require.Len(t, byID, len(tc.ids))
			r := byID[tc.wantID]
			if tc.name == "endless body" {
				// read up to the cap, then judged on what arrived, with a
				// warning that the page was cut
				assert.Equal(t, probes.Warn, r.Status, r.Summary)
				assert.Contains(t, findingRules(r, probes.Warn), "js-page-truncated")
				assert.Equal(t, probes.Fail, byID["http.headers"].Status)
				return
			}
			assert.Equal(t, probes.Error, r.Status, "%s %+v", r.Summary, r.Findings)
			text := r.Summary
			for _, f := range r.Findings {
				if f.Status == probes.Error {
					text += " " + f.Rule + " " + f.Message
				}
			}
			assert.Contains(t, text, tc.rule)
			for _, other := range rs {
				assert.NotEqual(t, probes.Pass, other.Status, "%s passed against a hostile server: %s", other.ID, other.Summary)
			}
		})
	}
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
