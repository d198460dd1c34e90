package httpprobe

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/selfassess/selfassess/probes"
)

// maxHeaderBytes caps a response's header block: a 10 MB header is an attack,
// not a page.
const maxHeaderBytes = 64 << 10

// maxHops bounds redirect chains.
const maxHops = 5

// userAgent names the tool so operators can recognise (and allow-list) it.
const userAgent = "selfassess-probe (+security self-assessment)"

// hostLimits holds per-host politeness state shared by every target of a run:
// concurrency, request budget and minimum gap between requests.
type hostLimits struct {
	mu    sync.Mutex
	hosts map[string]*hostState
}

type hostState struct {
	sem    chan struct{}
	mu     sync.Mutex
	used   int
	budget int
	next   time.Time // earliest start of the next request (RateLimit gap)
}

func newHostLimits() *hostLimits { return &hostLimits{hosts: map[string]*hostState{}} }

func (l *hostLimits) state(host string, cfg probes.Config) *hostState {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.hosts[host]
	if h == nil {
		// the run's slots for the host, shared with the TLS probes
		h = &hostState{sem: cfg.Hosts.For(host), budget: cfg.Budget}
		l.hosts[host] = h
	}
	return h
}

// errBudget is returned once a host's request budget is spent.
var errBudget = errors.New("request budget for this host exhausted")

// acquire waits for a per-host slot, charges the budget and honours the
// minimum gap; release must be called when the request is done.
func (h *hostState) acquire(ctx context.Context, gap time.Duration) (release func(), err error) {
	select {
	case h.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	release = func() { <-h.sem }
	h.mu.Lock()
	if h.used >= h.budget {
		h.mu.Unlock()
		release()
		return nil, fmt.Errorf("%w (%d requests)", errBudget, h.budget)
	}
	h.used++
	now := time.Now()
	start := now
	if h.next.After(now) {
		start = h.next
	}
	h.next = start.Add(gap)
	h.mu.Unlock()
	if wait := time.Until(start); wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			release()
			return nil, ctx.Err()
		}
	}
	return release, nil
}

// client makes bounded requests for one target.
type client struct {
	hc     *http.Client
	cfg    probes.Config
	limits *hostLimits
	target *url.URL
	// secrets are the values of cfg.Headers, scrubbed from anything we quote.
	secrets []string
}

func newClient(target *url.URL, cfg probes.Config, limits *hostLimits) *client {
	dialer := &net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		// Never through a proxy: probes touch only the hosts the user named.
		Proxy:       nil,
		DialContext: dialer.DialContext,
		// The session cache lets every request after the first resume the
		// TLS session instead of making the server sign a new handshake.
		TLSClientConfig:        tlsConfig(target, cfg),
		TLSHandshakeTimeout:    cfg.Timeout,
		ResponseHeaderTimeout:  cfg.Timeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: maxHeaderBytes,
		// We decompress ourselves, with a cap (compression bombs).
		DisableCompression:  true,
		MaxIdleConnsPerHost: cfg.PerHost,
		IdleConnTimeout:     30 * time.Second,
	}
	c := &client{
		hc: &http.Client{Transport: tr,
			// Redirects are followed by fetch, only within the target's host.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		cfg: cfg, limits: limits, target: target,
	}
	for _, vs := range cfg.Headers {
		for _, v := range vs {
			// the whole value, then its parts (a body may echo just the token)
			c.secrets = append(c.secrets, v)
			for _, part := range strings.Fields(v) {
				if len(part) >= 8 {
					c.secrets = append(c.secrets, part)
				}
			}
		}
	}
	return c
}

// tlsConfig is the client TLS configuration for target. The session cache
// lets every request after the first resume the TLS session instead of
// making the server sign a new handshake.
func tlsConfig(target *url.URL, cfg probes.Config) *tls.Config {
	tc := &tls.Config{RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS10,
		ClientSessionCache: tls.NewLRUClientSessionCache(16)}
	if cfg.ClientCert != nil {
		// --client-cert: mutual-TLS targets refuse the handshake without it.
		tc.Certificates = []tls.Certificate{*cfg.ClientCert}
	}
	if cfg.Trust == nil {
		return tc
	}
	// With --ca-file the chain is verified here, as crypto/tls would, but
	// through cfg.Trust, which tries the added CAs before it loads the
	// system roots. The handshake fails before any request byte is sent.
	serverName := tlsHost(target)
	tc.InsecureSkipVerify = true
	tc.VerifyConnection = func(cs tls.ConnectionState) error {
		certs := cs.PeerCertificates
		if len(certs) == 0 {
			return errors.New("tls: server sent no certificate")
		}
		opts := x509.VerifyOptions{DNSName: serverName, Intermediates: x509.NewCertPool()}
		if serverName == "" {
			opts.DNSName = cs.ServerName
		}
		for _, c := range certs[1:] {
			opts.Intermediates.AddCert(c)
		}
		if _, err := cfg.Trust.Verify(certs[0], opts); err != nil {
			return &tls.CertificateVerificationError{UnverifiedCertificates: certs, Err: err}
		}
		return nil
	}
	return tc
}

// tlsHost is the name net/http verifies the server's certificate against
// for target (its tls.Config.ServerName): the host without the port (for
// an IPv6 address crypto/x509 drops the brackets net/http keeps). "" for a
// non-ASCII name, which net/http converts to its IDNA form: the caller then
// takes the SNI name sent, the same conversion.
func tlsHost(target *url.URL) string {
	h := target.Hostname()
	for i := 0; i < len(h); i++ {
		if h[i] >= 0x80 {
			return ""
		}
	}
	return h
}

func (c *client) close() { c.hc.CloseIdleConnections() }

// response is one HTTP response, body read (and decompressed) up to a cap.
type response struct {
	URL        *url.URL
	StatusCode int
	Header     http.Header
	Body       []byte
	// Truncated means the body was longer than the cap; Bomb that the
	// cap was hit while decompressing an unusually small compressed body.
	Truncated bool
	Bomb      bool
	// Undecoded names a Content-Encoding we did not ask for and cannot
	// decode (br, zstd, …): Body holds the encoded bytes, not the text.
	Undecoded string
	// WireBytes is how many (possibly compressed) body bytes were read.
	WireBytes int64
}

// request describes one probe request.
type request struct {
	Method string
	URL    *url.URL
	Header http.Header
	Body   []byte
	// MaxBody overrides cfg.MaxBody for this request (served scripts).
	MaxBody int64
}

// sameOrigin reports whether u has the target's scheme and host:port.
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(hostPort(a), hostPort(b))
}

func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if strings.EqualFold(u.Scheme, "https") {
			port = "443"
		}
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// do sends one request (no redirects) within cfg.Timeout and reads the body
// up to the cap. The user's secret headers go only to the target's own
// origin, or to the HTTPS origin of the target's host.
func (c *client) do(parent context.Context, r request) (*response, error) {
	if err := c.stopped(parent); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(parent, c.cfg.Timeout)
	defer cancel()
	host := strings.ToLower(r.URL.Hostname())
	if !strings.EqualFold(host, c.target.Hostname()) {
		// Defence in depth: nothing reaches a host the user did not name.
		return nil, fmt.Errorf("refusing to contact %s: not the target's host", r.URL.Host)
	}
	release, err := c.limits.state(host, c.cfg).acquire(ctx, c.cfg.RateLimit)
	if err != nil {
		if stop := c.stopped(parent); stop != nil {
			return nil, stop
		}
		return nil, err
	}
	defer release()

	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	clean := *r.URL
	clean.Opaque = ""
	req, err := http.NewRequestWithContext(ctx, r.Method, clean.String(), body)
	if err != nil {
		return nil, fmt.Errorf("building request: %v", err)
	}
	if r.URL.Opaque != "" {
		req.URL = r.URL // keep a deliberately malformed path verbatim
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept-Encoding", "gzip, deflate")
	if sameOrigin(r.URL, c.target) || (strings.EqualFold(r.URL.Scheme, "https") && strings.EqualFold(host, c.target.Hostname())) {
		for k, vs := range c.cfg.Headers {
			for _, v := range vs {
				req.Header.Add(k, v)
			}
		}
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if stop := c.stopped(parent); stop != nil {
			return nil, stop
		}
		return nil, c.describe(err)
	}
	defer resp.Body.Close()
	limit := c.cfg.MaxBody
	if r.MaxBody > 0 {
		limit = r.MaxBody
	}
	out := &response{URL: r.URL, StatusCode: resp.StatusCode, Header: resp.Header}
	if err := readBody(resp, limit, out); err != nil {
		return out, c.describe(err)
	}
	return out, nil
}

// readBody reads at most limit decoded bytes. Compressed bodies are
// decoded here so the cap applies to what we hold in memory.
func readBody(resp *http.Response, limit int64, out *response) error {
	wire := &countingReader{r: io.LimitReader(resp.Body, limit+1)}
	var src io.Reader = wire
	switch strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))) {
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(wire)
		if err != nil {
			return fmt.Errorf("bad gzip body: %v", err)
		}
		defer zr.Close()
		src = zr
	case "deflate":
		// HTTP "deflate" is meant to be zlib-wrapped, but some servers send
		// raw DEFLATE: look at the header to tell.
		br := bufio.NewReader(wire)
		var zr io.ReadCloser
		if h, err := br.Peek(2); err == nil && h[0]&0x0f == 8 && (uint16(h[0])<<8|uint16(h[1]))%31 == 0 {
			if zr, err = zlib.NewReader(br); err != nil {
				return fmt.Errorf("bad deflate body: %v", err)
			}
		} else {
			zr = flate.NewReader(br)
		}
		defer zr.Close()
		src = zr
	case "", "identity":
	default:
		out.Undecoded = truncate(resp.Header.Get("Content-Encoding"), 40)
	}
	buf := &bytes.Buffer{}
	n, err := io.Copy(buf, io.LimitReader(src, limit+1))
	out.WireBytes = wire.n
	if n > limit {
		out.Truncated = true
		buf.Truncate(int(limit))
		// Real text and code compress about 3–10:1 (gzip reads the wire in
		// 4 KiB blocks, so small caps understate the ratio); over 20:1 is a bomb.
		out.Bomb = resp.Header.Get("Content-Encoding") != "" && wire.n > 0 && n/wire.n > 20
		err = nil
	} else if wire.n > limit {
		out.Truncated = true
		err = nil
	}
	out.Body = buf.Bytes()
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return err
	}
	return nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// familyLimit bounds all the requests of one family run for one target,
// whatever the server does: a slow server cannot hold a run for
// (requests × --timeout).
func familyLimit(cfg probes.Config) time.Duration { return 6 * cfg.Timeout }

// stopped explains why the run's context ended, if it has.
func (c *client) stopped(ctx context.Context) error {
	switch ctx.Err() {
	case nil:
		return nil
	case context.DeadlineExceeded:
		return fmt.Errorf("stopped: the time limit for this target (%s, 6× --timeout) ran out", familyLimit(c.cfg))
	default:
		return errors.New("stopped: the run was cancelled")
	}
}

// describe turns transport errors into short, secret-free messages.
func (c *client) describe(err error) error {
	var ne net.Error
	msg := err.Error()
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		msg = fmt.Sprintf("no complete response within %s", c.cfg.Timeout)
	case strings.Contains(msg, "server response headers exceeded"):
		msg = fmt.Sprintf("response headers larger than %d KiB", maxHeaderBytes>>10)
	case strings.Contains(msg, "connection refused"):
		msg = "connection refused"
	default:
		var ue *url.Error
		if errors.As(err, &ue) {
			msg = ue.Err.Error()
		}
	}
	return errors.New(probes.RedactIn(msg, c.secrets...))
}

// hop is one step of a redirect chain.
type hop struct {
	URL    string `json:"url"`
	Status int    `json:"status"`
	// Note grades the hop when it is a problem (http.redirect).
	Note string `json:"note,omitempty"`
}

// fetched is a request followed through same-host redirects.
type fetched struct {
	Final *response
	// All holds every response of the chain, first to last.
	All  []*response
	Hops []hop
}

// redirectError is a redirect that fetch refused to follow.
type redirectError struct{ msg string }

func (e *redirectError) Error() string { return e.msg }

// fetch GETs u, following redirects only within the target's host (never to
// another host, never from HTTPS down to HTTP), at most maxHops, with loop
// detection. On a refused redirect it returns what it got and an error.
func (c *client) fetch(ctx context.Context, u *url.URL, hdr http.Header) (*fetched, error) {
	return c.fetchMax(ctx, u, hdr, 0)
}

// fetchMax is fetch with a body cap other than cfg.MaxBody (0 = cfg.MaxBody).
func (c *client) fetchMax(ctx context.Context, u *url.URL, hdr http.Header, maxBody int64) (*fetched, error) {
	f := &fetched{}
	seen := map[string]bool{}
	cur := u
	for i := 0; ; i++ {
		seen[cur.String()] = true
		resp, err := c.do(ctx, request{Method: http.MethodGet, URL: cur, Header: hdr, MaxBody: maxBody})
		if resp != nil {
			f.Final = resp
			f.All = append(f.All, resp)
			f.Hops = append(f.Hops, hop{URL: redactURL(cur), Status: resp.StatusCode})
		}
		if err != nil {
			return f, err
		}
		if !isRedirect(resp.StatusCode) {
			return f, nil
		}
		loc := resp.Header.Get("Location")
		if loc == "" {
			return f, nil
		}
		next, err := cur.Parse(loc)
		if err != nil {
			return f, &redirectError{fmt.Sprintf("redirect to an unparsable Location %q", truncate(loc, 80))}
		}
		switch {
		case !strings.EqualFold(next.Hostname(), c.target.Hostname()):
			return f, &redirectError{fmt.Sprintf("redirects to another host (%s), not followed; probe that URL as its own target", redactURL(next))}
		case strings.EqualFold(cur.Scheme, "https") && !strings.EqualFold(next.Scheme, "https"):
			return f, &redirectError{fmt.Sprintf("redirects from HTTPS down to %s", redactURL(next))}
		case seen[next.String()]:
			return f, &redirectError{fmt.Sprintf("redirect loop at %s", redactURL(next))}
		case i+1 >= maxHops:
			return f, &redirectError{fmt.Sprintf("more than %d redirects", maxHops)}
		}
		cur = next
	}
}

func isRedirect(code int) bool {
	switch code {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

// redactURL hides query values (they may hold tokens) and userinfo.
func redactURL(u *url.URL) string { return probes.RedactURL(u) }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n] + "…"
}
