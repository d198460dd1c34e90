package tlsprobe

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Endpoint is one TLS server to probe.
type Endpoint struct {
	Host string // hostname or IP, as in the URL
	Port string
	// SNI is sent in every hello; empty for IP targets.
	SNI string
}

// Addr is host:port for dialing.
func (e Endpoint) Addr() string { return net.JoinHostPort(e.Host, e.Port) }

// Options bound the enumeration of one endpoint.
type Options struct {
	Timeout   time.Duration // per connection: dial, write, read
	PerHost   int           // connections at once
	RateLimit time.Duration // minimum gap between new connections

	// slots, when set, are shared with other calls (the family passes
	// the run's per-host slots, probes.HostSlots); nil gives each call its
	// own PerHost slots.
	slots chan struct{}
}

// VersionResult is what one protocol version turned out to be.
type VersionResult struct {
	Version  Version
	Offered  bool
	Suites   []uint16 // accepted, in the order the server picked them
	SSLv2    []uint32 // SSLv2 cipher specs, for SSLv2
	Refusal  string   // why the version counts as not offered
	Enforced *bool    // server enforces its own suite order (nil: not measurable)
	// SecureReneg: every ServerHello at this version carried
	// renegotiation_info (RFC 5746); nil for SSLv2, TLS 1.3 or no answer.
	SecureReneg *bool
	// Compression: the server chose DEFLATE at this version (CRIME).
	Compression bool
	// NoFFDHE: the DHE suites were accepted only from a hello without the
	// RFC 7919 groups (the server has its own group, RFC 7919 §4).
	NoFFDHE bool
}

// Enumeration is everything learnt about one endpoint's protocols and suites.
type Enumeration struct {
	Versions    []VersionResult // one per entry of Versions, same order
	Connections int
	// KeyExchanges: the DHE and ECDHE parameters seen, per version, read
	// from ServerKeyExchange messages of the enumeration's own hellos, and
	// at TLS 1.3 the group named by the ServerHello's key_share.
	KeyExchanges []KeyExchange
}

// Offered lists the offered versions, oldest first.
func (e *Enumeration) Offered() []Version {
	var out []Version
	for _, v := range e.Versions {
		if v.Offered {
			out = append(out, v.Version)
		}
	}
	return out
}

// FatalError means the endpoint could not be probed at all (no TCP
// connection, no answer, not TLS). Its message is one line.
type FatalError struct{ Reason string }

func (e *FatalError) Error() string { return e.Reason }

type prober struct {
	ep    Endpoint
	opt   Options
	sem   chan struct{}
	conns atomic.Int64

	rateMu sync.Mutex
	last   time.Time

	kexMu   sync.Mutex
	kexSeen map[string]bool // "TLS1.2 DHE": a ServerKeyExchange is read or being read
	kexes   []kexSample
	// per version: ServerHellos seen, those with renegotiation_info, and
	// those choosing compression
	hellos, reneg, compressed map[Version]int
}

// Enumerate finds the versions and suites ep accepts, by elimination:
// offer every candidate (in chunks of at most maxSuitesPerHello), record the
// server's pick, remove it and offer the rest again until the server
// refuses. Versions and chunks run concurrently within opt.PerHost
// connections.
func Enumerate(ctx context.Context, ep Endpoint, opt Options) (*Enumeration, error) {
	if opt.PerHost < 1 {
		opt.PerHost = 1
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 10 * time.Second
	}
	p := &prober{ep: ep, opt: opt, sem: opt.slots}
	if p.sem == nil {
		p.sem = make(chan struct{}, opt.PerHost)
	}

	// One hello first, alone: an endpoint that does not answer, is not TLS
	// or cannot be reached fails here, within one timeout, instead of
	// after dozens of connections.
	chunks12 := chunk(candidates(VersionTLS12), maxSuitesPerHello)
	first, firstErr := p.exchange(ctx, buildHello(helloSpec{Version: VersionTLS12, Suites: chunks12[0], ServerName: ep.SNI}), false, false)
	if firstErr != nil && !errors.Is(firstErr, errClosed) {
		return nil, &FatalError{Reason: describe(firstErr, opt.Timeout)}
	}

	enum := &Enumeration{Versions: make([]VersionResult, len(Versions))}
	var wg sync.WaitGroup
	for i, v := range Versions {
		enum.Versions[i].Version = v
		wg.Add(1)
		go func() {
			defer wg.Done()
			if v == VersionSSL20 {
				enum.Versions[i] = p.probeSSLv2(ctx)
				return
			}
			var pre *exchangeResult
			if v == VersionTLS12 {
				pre = &exchangeResult{first, firstErr}
			}
			enum.Versions[i] = p.probeVersion(ctx, v, pre)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, &FatalError{Reason: "interrupted: " + err.Error()}
	}
	enum.Connections = int(p.conns.Load())
	enum.KeyExchanges = p.keyExchanges()
	for i := range enum.Versions {
		v := &enum.Versions[i]
		if n := p.hellos[v.Version]; n > 0 && v.Offered {
			ok := p.reneg[v.Version] == n
			v.SecureReneg = &ok
			v.Compression = p.compressed[v.Version] > 0
		}
	}
	return enum, nil
}

// FetchRawChain reads the certificate chain from a TLS ≤1.2 handshake
// flight, offering the suites the server accepted at version v.
func FetchRawChain(ctx context.Context, ep Endpoint, opt Options, v Version, suites []uint16) ([][]byte, error) {
	p := &prober{ep: ep, opt: opt, sem: opt.slots}
	if p.sem == nil {
		p.sem = make(chan struct{}, 1)
	}
	if len(suites) > maxSuitesPerHello {
		suites = suites[:maxSuitesPerHello]
	}
	r, err := p.exchange(ctx, buildHello(helloSpec{Version: v, Suites: suites, ServerName: ep.SNI}), false, true)
	if err != nil {
		return nil, errors.New(describe(err, opt.Timeout))
	}
	if len(r.Certs) == 0 {
		return nil, errors.New("the server sent no certificate")
	}
	return r.Certs, nil
}

type exchangeResult struct {
	r   reply
	err error
}

// probeVersion enumerates the suites of one record-layer version.
func (p *prober) probeVersion(ctx context.Context, v Version, pre *exchangeResult) VersionResult {
	res := VersionResult{Version: v}
	chunks := chunk(candidates(v), maxSuitesPerHello)
	accepted := make([][]uint16, len(chunks))
	refusals := make([]string, len(chunks))
	// The other chunks wait for the first chunk's first answer: when the
	// server refuses the version itself, they need no connection at all.
	gate := make(chan struct{})
	versionRefused := false
	var wg sync.WaitGroup
	for i, c := range chunks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i == 0 {
				accepted[0], refusals[0] = p.eliminate(ctx, v, c, pre, func(refused bool) {
					versionRefused = refused
					close(gate)
				})
				return
			}
			<-gate
			if !versionRefused {
				accepted[i], refusals[i] = p.eliminate(ctx, v, c, nil, nil)
			}
		}()
	}
	wg.Wait()
	for _, a := range accepted {
		res.Suites = append(res.Suites, a...)
	}
	// RFC 7919 §4: a server whose DHE group is its own must not choose DHE
	// when the hello lists ffdhe groups, and answers handshake_failure if
	// nothing else fits. Before concluding "no DHE", offer the DHE suites
	// once more without those groups: at TLS 1.2, and at older versions
	// only when they accepted nothing at all (one connection less each;
	// these versions fail whatever their suites).
	if v >= VersionTLS10 && v <= VersionTLS12 && (v == VersionTLS12 || len(res.Suites) == 0) &&
		!versionRefused && !slices.ContainsFunc(res.Suites, dheSuite) &&
		strings.HasPrefix(refusals[0], "server refused with") {
		var dhe []uint16
		for _, c := range candidates(v) {
			if dheSuite(c) {
				dhe = append(dhe, c)
			}
		}
		if len(dhe) > maxSuitesPerHello {
			dhe = dhe[:maxSuitesPerHello]
		}
		if len(dhe) > 0 {
			picks, _ := p.eliminateWith(ctx, v, dhe, true, nil, nil)
			if len(picks) > 0 {
				res.Suites = append(res.Suites, picks...)
				res.NoFFDHE = true
				accepted = append(accepted, picks)
				chunks = append(chunks, dhe)
			}
		}
	}
	res.Offered = len(res.Suites) > 0
	res.Refusal = refusals[0]
	if len(res.Suites) >= 2 {
		// Did the server follow our order? Each chunk with two or more
		// picks shows it: its first pick must be the first suite of the
		// chunk that the server turned out to accept.
		followed := true
		for i, picks := range accepted {
			if len(picks) < 2 {
				continue
			}
			for _, c := range chunks[i] {
				if slices.Contains(picks, c) {
					followed = followed && c == picks[0]
					break
				}
			}
		}
		res.Enforced = p.serverOrder(ctx, v, res.Suites, followed, res.NoFFDHE)
	}
	return res
}

// eliminate offers suites, removes each pick and repeats until the server
// refuses; it returns the picks and the reason the last hello failed.
// onFirst, if set, learns after the first answer whether the server
// refused the protocol version itself (protocol_version alert, or a
// ServerHello for another version) rather than these suites.
func (p *prober) eliminate(ctx context.Context, v Version, suites []uint16, first *exchangeResult, onFirst func(versionRefused bool)) ([]uint16, string) {
	return p.eliminateWith(ctx, v, suites, false, first, onFirst)
}

// eliminateWith is eliminate; noFFDHE leaves the RFC 7919 groups out of the hellos.
func (p *prober) eliminateWith(ctx context.Context, v Version, suites []uint16, noFFDHE bool, first *exchangeResult, onFirst func(versionRefused bool)) ([]uint16, string) {
	remaining := slices.Clone(suites)
	var picked []uint16
	if onFirst != nil {
		defer func() {
			if onFirst != nil {
				onFirst(false)
			}
		}()
	}
	for len(remaining) > 0 {
		var r reply
		var err error
		if first != nil {
			r, err = first.r, first.err
			first = nil
		} else {
			r, err = p.exchange(ctx, buildHello(helloSpec{Version: v, Suites: remaining, ServerName: p.ep.SNI, NoFFDHE: noFFDHE}), false, false)
		}
		if onFirst != nil {
			onFirst(err == nil && (r.Alert != nil && r.Alert.Description == alertProtocolVersion ||
				r.Hello != nil && r.Hello.Version != v))
			onFirst = nil
		}
		if err != nil {
			return picked, describe(err, p.opt.Timeout)
		}
		if r.Alert != nil {
			return picked, "server refused with " + r.Alert.Error()
		}
		if r.Hello.Version != v {
			return picked, "server answered with " + r.Hello.Version.String()
		}
		i := slices.Index(remaining, r.Hello.Suite)
		if i < 0 {
			return picked, fmt.Sprintf("server chose %s, which was not offered", FormatCode(r.Hello.Suite))
		}
		picked = append(picked, r.Hello.Suite)
		remaining = slices.Delete(remaining, i, i+1)
	}
	return picked, "every offered suite was accepted"
}

// serverOrder offers the accepted suites reversed: a server that follows the
// client's order picks the first, one that enforces its own does not. A
// server follows the client only if it did so for the first, forward offer
// too (followedFirst, when that was measurable): some servers (Go's) adapt
// their order to hints in the client's list, and count as enforcing their own.
func (p *prober) serverOrder(ctx context.Context, v Version, accepted []uint16, followedFirst, noFFDHE bool) *bool {
	if !followedFirst {
		enforced := true // already shown; no need for another connection
		return &enforced
	}
	rev := slices.Clone(accepted)
	slices.Reverse(rev)
	if len(rev) > maxSuitesPerHello {
		rev = rev[:maxSuitesPerHello]
	}
	r, err := p.exchange(ctx, buildHello(helloSpec{Version: v, Suites: rev, ServerName: p.ep.SNI, NoFFDHE: noFFDHE}), false, false)
	if err != nil || r.Hello == nil || r.Hello.Version != v {
		return nil
	}
	enforced := !followedFirst || r.Hello.Suite != rev[0]
	return &enforced
}

func (p *prober) probeSSLv2(ctx context.Context) VersionResult {
	res := VersionResult{Version: VersionSSL20}
	r, err := p.exchange(ctx, buildSSLv2Hello(), true, false)
	switch {
	case err != nil:
		res.Refusal = describe(err, p.opt.Timeout)
	case r.Alert != nil:
		res.Refusal = "server refused with " + r.Alert.Error()
	case r.Hello != nil:
		res.Refusal = "server answered with " + r.Hello.Version.String()
	case len(r.SSLv2Specs) == 0:
		res.Refusal = "server shares no SSLv2 cipher"
	default:
		res.Offered = true
		res.SSLv2 = r.SSLv2Specs
	}
	return res
}

// exchange sends one hello on a fresh connection and reads the answer.
func (p *prober) exchange(ctx context.Context, hello []byte, sslv2, wantCerts bool) (reply, error) {
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return reply{}, ctx.Err()
	}
	defer func() { <-p.sem }()
	p.pace(ctx)
	if err := ctx.Err(); err != nil {
		return reply{}, err
	}
	d := net.Dialer{Timeout: p.opt.Timeout}
	conn, err := d.DialContext(ctx, "tcp", p.ep.Addr())
	if err != nil {
		return reply{}, err
	}
	p.conns.Add(1)
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	conn.SetDeadline(time.Now().Add(p.opt.Timeout))
	if _, err := conn.Write(hello); err != nil {
		if isReset(err) {
			return reply{}, errClosed
		}
		return reply{}, err
	}
	if sslv2 {
		return readSSLv2Reply(conn)
	}
	claimed := ""
	r, err := readReplyKex(conn, wantCerts, func(sh ServerHello) bool {
		claimed = p.claimKex(sh)
		return claimed != ""
	})
	if claimed != "" {
		p.recordKex(claimed, r)
	}
	if err == nil && r.Hello != nil && r.Hello.Version == VersionTLS13 && r.Hello.Group != 0 {
		p.recordGroup13(*r.Hello)
	}
	if err == nil && r.Hello != nil && !r.Hello.HRR && r.Hello.Version <= VersionTLS12 {
		p.kexMu.Lock()
		if p.hellos == nil {
			p.hellos, p.reneg, p.compressed = map[Version]int{}, map[Version]int{}, map[Version]int{}
		}
		v := r.Hello.Version
		p.hellos[v]++
		if r.Hello.RenegotiationInfo {
			p.reneg[v]++
		}
		if r.Hello.Compression != 0 {
			p.compressed[v]++
		}
		p.kexMu.Unlock()
	}
	return r, err
}

// claimKex decides whether this ServerHello's flight is read on to its
// ServerKeyExchange: once per version and kind (DHE, ECDHE), so the key
// exchange parameters cost no connection of their own.
func (p *prober) claimKex(sh ServerHello) string {
	kind := kexKind(sh.Suite)
	if kind == "" || sh.Version < VersionSSL30 || sh.Version > VersionTLS12 {
		return ""
	}
	key := sh.Version.String() + " " + kind
	p.kexMu.Lock()
	defer p.kexMu.Unlock()
	if !p.firstKex(key) {
		return ""
	}
	return key
}

// firstKex marks key (a version and kind, or a TLS 1.3 group) as seen and
// reports whether it is new. The caller holds kexMu.
func (p *prober) firstKex(key string) bool {
	if p.kexSeen[key] {
		return false
	}
	if p.kexSeen == nil {
		p.kexSeen = map[string]bool{}
	}
	p.kexSeen[key] = true
	return true
}

// recordKex keeps the parameters of a claimed read, or releases the claim
// when the message did not arrive.
func (p *prober) recordKex(key string, r reply) {
	var k KeyExchange
	var prime, gen *big.Int
	var err error
	if r.SKE != nil && r.Hello != nil {
		kind := kexKind(r.Hello.Suite)
		k, prime, gen, err = parseSKE(kind, r.SKE)
		s, _ := LookupSuite(r.Hello.Suite)
		k.Suite, k.Versions = s.Name, []string{r.Hello.Version.String()}
	}
	p.kexMu.Lock()
	defer p.kexMu.Unlock()
	if r.SKE == nil || err != nil {
		delete(p.kexSeen, key)
		return
	}
	p.kexes = append(p.kexes, kexSample{k, prime, gen})
}

// recordGroup13 keeps the group a TLS 1.3 server selected, from the
// answer's key_share (RFC 8446 4.2.8): TLS 1.3 has no ServerKeyExchange.
// The first answer per group is kept, as the first ServerKeyExchange per
// kind is before 1.3; a HelloRetryRequest counts, since our hello's one
// key share (x25519) is not what every server takes.
func (p *prober) recordGroup13(sh ServerHello) {
	k := namedGroup13(sh.Group)
	s, _ := LookupSuite(sh.Suite)
	k.Suite, k.Versions = s.Name, []string{VersionTLS13.String()}
	key := VersionTLS13.String() + " group " + groupCode(sh.Group)
	p.kexMu.Lock()
	defer p.kexMu.Unlock()
	if p.firstKex(key) {
		p.kexes = append(p.kexes, kexSample{k: k})
	}
}

// kexSample is one ServerKeyExchange's parameters; the DH group is
// analysed after the enumeration, off its connections' critical path.
type kexSample struct {
	k    KeyExchange
	p, g *big.Int
}

// keyExchanges analyses the DH groups (once per group: versions usually
// share one) and merges the parameters seen per version: one entry per
// kind and group, listing the versions, oldest first.
func (p *prober) keyExchanges() []KeyExchange {
	p.kexMu.Lock()
	defer p.kexMu.Unlock()
	slices.SortFunc(p.kexes, func(a, b kexSample) int { return versionIndex(a.k.Versions[0]) - versionIndex(b.k.Versions[0]) })
	done := map[string]KeyExchange{}
	var out []KeyExchange
	for _, s := range p.kexes {
		k := s.k
		if s.p != nil {
			id := s.p.Text(16) + "/" + s.g.Text(16)
			a, ok := done[id]
			if !ok {
				a = k
				analyseDH(&a, s.p, s.g)
				done[id] = a
			}
			a.Suite, a.Versions = k.Suite, k.Versions
			k = a
		}
		i := slices.IndexFunc(out, func(o KeyExchange) bool {
			return o.Kind == k.Kind && o.Group == k.Group && o.Bits == k.Bits && o.Fingerprint == k.Fingerprint && o.Generator == k.Generator
		})
		if i < 0 {
			out = append(out, k)
			continue
		}
		out[i].Versions = append(out[i].Versions, k.Versions...)
	}
	return out
}

func versionIndex(name string) int {
	return slices.IndexFunc(Versions, func(v Version) bool { return v.String() == name })
}

// pace enforces opt.RateLimit between new connections.
func (p *prober) pace(ctx context.Context) {
	if p.opt.RateLimit <= 0 {
		return
	}
	p.rateMu.Lock()
	wait := time.Until(p.last.Add(p.opt.RateLimit))
	if wait < 0 {
		wait = 0
	}
	p.last = time.Now().Add(wait)
	p.rateMu.Unlock()
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	}
}

// describe turns a connection error into a one-line reason.
func describe(err error, timeout time.Duration) string {
	var ne net.Error
	var op *net.OpError
	switch {
	case errors.Is(err, errClosed):
		return "server closed the connection without answering"
	case errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("no answer within %s", timeout)
	case errors.Is(err, context.Canceled):
		return "interrupted"
	case errors.As(err, &op) && op.Op == "dial":
		return "cannot connect: " + op.Err.Error()
	}
	return err.Error()
}

const alertProtocolVersion = 70

func chunk(s []uint16, n int) [][]uint16 {
	var out [][]uint16
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	if len(s) > 0 || len(out) == 0 {
		out = append(out, s)
	}
	return out
}

// dheSuite: a finite-field ephemeral DH suite (RFC 7919 governs its group).
func dheSuite(code uint16) bool {
	s, ok := LookupSuite(code)
	return ok && s.MinVersion != VersionTLS13 && (strings.Contains(s.Name, "_DHE_") || strings.Contains(s.Name, "_DH_anon_"))
}
