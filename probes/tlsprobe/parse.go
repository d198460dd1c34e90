package tlsprobe

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Read limits: a record is at most 2^14 bytes plus expansion; a whole
// handshake flight (ServerHello + certificates) is capped well above any
// real chain.
const (
	maxRecordLen = 16384 + 2048
	maxFlight    = 256 << 10
)

// hrrRandom marks a HelloRetryRequest (RFC 8446 4.1.3): SHA-256("HelloRetryRequest").
var hrrRandom = sha256.Sum256([]byte("HelloRetryRequest"))

// ServerHello is what the prober needs from a ServerHello or HelloRetryRequest.
type ServerHello struct {
	Version Version // negotiated: supported_versions when present, else the legacy field
	Suite   uint16
	HRR     bool
	// Compression is the chosen compression method (0 none, 1 DEFLATE).
	Compression byte
	// RenegotiationInfo: the server sent renegotiation_info (RFC 5746).
	RenegotiationInfo bool
	// Group is the TLS 1.3 key_share group: the ServerHello's
	// KeyShareEntry or a HelloRetryRequest's selected_group (RFC 8446
	// 4.2.8; both begin with it). 0 when absent.
	Group uint16
}

// Alert is a TLS alert the server sent instead of a ServerHello.
type Alert struct{ Level, Description byte }

func (a Alert) Error() string { return "alert " + alertName(a.Description) }

// reply is the server's answer to one hello.
type reply struct {
	Hello      *ServerHello
	Alert      *Alert
	SSLv2Specs []uint32 // cipher specs in an SSLv2 SERVER-HELLO
	SSLv2      bool
	Certs      [][]byte // DER chain from the Certificate message, when asked for
	SKE        []byte   // ServerKeyExchange body, when asked for
}

// errClosed means the server closed the connection without answering.
var errClosed = errors.New("connection closed without a reply")

// notTLSError means the bytes are not TLS at all (plain HTTP, garbage).
type notTLSError struct{ prefix []byte }

func (e notTLSError) Error() string {
	return "not a TLS server: it answered " + printable(e.prefix)
}

func printable(p []byte) string {
	if len(p) > 16 {
		p = p[:16]
	}
	if isText(p) {
		return strconv.Quote(string(p))
	}
	return fmt.Sprintf("% x", p)
}

func isText(p []byte) bool {
	for _, c := range p {
		if c < 0x20 && c != '\r' && c != '\n' && c != '\t' || c >= 0x7f {
			return false
		}
	}
	return len(p) > 0
}

// ParseServerHello parses the body of a ServerHello handshake message
// (after the 4-byte handshake header).
func ParseServerHello(body []byte) (ServerHello, error) {
	p := parser{b: body}
	legacy := p.u16()
	rnd := p.take(32)
	p.take(int(p.u8())) // session id
	suite := p.u16()
	comp := p.u8()
	if p.err != nil {
		return ServerHello{}, errors.New("truncated ServerHello")
	}
	sh := ServerHello{Version: Version(legacy), Suite: suite, HRR: bytes.Equal(rnd, hrrRandom[:]), Compression: comp}
	if len(p.b) == 0 {
		return sh, nil // no extensions: pre-TLS 1.3 server
	}
	exts := parser{b: p.take(int(p.u16()))}
	for p.err == nil && exts.err == nil && len(exts.b) > 0 {
		typ := exts.u16()
		data := exts.take(int(exts.u16()))
		switch {
		case typ == extSupportedVersions && len(data) == 2:
			sh.Version = Version(binary.BigEndian.Uint16(data))
		case typ == extRenegotiationInfo:
			sh.RenegotiationInfo = true
		case typ == extKeyShare && len(data) >= 2:
			sh.Group = binary.BigEndian.Uint16(data)
		}
	}
	if p.err != nil || exts.err != nil {
		return ServerHello{}, errors.New("malformed ServerHello extensions")
	}
	return sh, nil
}

type parser struct {
	b   []byte
	err error
}

func (p *parser) take(n int) []byte {
	if p.err != nil || n > len(p.b) {
		p.err = io.ErrUnexpectedEOF
		return nil
	}
	out := p.b[:n]
	p.b = p.b[n:]
	return out
}
func (p *parser) u8() byte {
	if b := p.take(1); b != nil {
		return b[0]
	}
	return 0
}
func (p *parser) u16() uint16 {
	if b := p.take(2); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}
func (p *parser) u24() int {
	if b := p.take(3); b != nil {
		return int(b[0])<<16 | int(b[1])<<8 | int(b[2])
	}
	return 0
}

// readReply reads the server's answer to a record-layer hello: a
// ServerHello (or HelloRetryRequest) or an alert. With wantCerts it keeps
// reading the flight up to ServerHelloDone and returns the certificate
// chain (TLS 1.2 and older send it in clear). Reads are bounded by
// maxRecordLen per record and maxFlight in total.
func readReply(r io.Reader, wantCerts bool) (reply, error) {
	return readReplyKex(r, wantCerts, nil)
}

// readReplyKex is readReply that, when wantKex approves the ServerHello,
// also reads the flight up to the ServerKeyExchange (TLS ≤ 1.2).
func readReplyKex(r io.Reader, wantCerts bool, wantKex func(ServerHello) bool) (reply, error) {
	var out reply
	more := wantCerts
	var hs []byte // handshake bytes not yet consumed
	total := 0
	hdr := make([]byte, 5)
	for first := true; ; first = false {
		if n, err := io.ReadFull(r, hdr); err != nil {
			switch {
			case first && n == 0 && (err == io.EOF || isReset(err)):
				return out, errClosed
			case n > 0 && !looksLikeRecord(hdr[:n]):
				return out, notTLSError{hdr[:n]}
			case err == io.EOF || err == io.ErrUnexpectedEOF:
				if out.Hello != nil {
					return out, nil
				}
				return out, errors.New("connection closed in the middle of a record")
			}
			if out.Hello != nil && more {
				return out, nil // got the answer, the rest of the flight timed out
			}
			return out, err
		}
		if !looksLikeRecord(hdr) {
			return out, notTLS(r, hdr)
		}
		n := int(binary.BigEndian.Uint16(hdr[3:]))
		if n > maxRecordLen {
			return out, fmt.Errorf("record of %d bytes exceeds the TLS limit", n)
		}
		total += n
		if total > maxFlight {
			return out, fmt.Errorf("handshake flight exceeds %d bytes", maxFlight)
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(r, body); err != nil {
			if out.Hello != nil {
				return out, nil
			}
			return out, fmt.Errorf("reading record: %w", err)
		}
		switch hdr[0] {
		case recordAlert:
			if len(body) < 2 {
				return out, errors.New("malformed alert")
			}
			if out.Hello != nil {
				return out, nil // an alert after the ServerHello does not undo it
			}
			out.Alert = &Alert{Level: body[0], Description: body[1]}
			return out, nil
		case recordHandshake:
			hs = append(hs, body...)
			done, err := consumeHandshake(&hs, &out, &more, wantCerts, wantKex)
			if err != nil || done {
				return out, err
			}
		case recordChangeCipherSpec, recordApplicationData:
			if out.Hello == nil {
				return out, fmt.Errorf("unexpected record type %d before the ServerHello", hdr[0])
			}
			return out, nil // TLS 1.3: the rest is encrypted
		}
	}
}

// consumeHandshake parses complete handshake messages from *hs.
func consumeHandshake(hs *[]byte, out *reply, more *bool, wantCerts bool, wantKex func(ServerHello) bool) (done bool, err error) {
	for len(*hs) >= 4 {
		typ := (*hs)[0]
		n := int((*hs)[1])<<16 | int((*hs)[2])<<8 | int((*hs)[3])
		if n > maxFlight {
			return true, fmt.Errorf("handshake message of %d bytes is too large", n)
		}
		if len(*hs) < 4+n {
			return false, nil
		}
		msg := (*hs)[4 : 4+n]
		*hs = (*hs)[4+n:]
		if out.Hello == nil {
			if typ != hsServerHello {
				return true, fmt.Errorf("expected a ServerHello, got handshake message type %d", typ)
			}
			sh, err := ParseServerHello(msg)
			if err != nil {
				return true, err
			}
			out.Hello = &sh
			if sh.HRR || sh.Version >= VersionTLS13 {
				return true, nil
			}
			kex := wantKex != nil && wantKex(sh)
			*more = wantCerts || kex
			if !*more {
				return true, nil
			}
			if !kex {
				wantKex = nil
			}
			continue
		}
		switch typ {
		case hsCertificate:
			if wantCerts {
				certs, err := parseCertificateMsg(msg)
				if err != nil {
					return true, err
				}
				out.Certs = certs
				if wantKex == nil {
					return true, nil
				}
			}
		case hsServerKeyExchange:
			out.SKE = append([]byte(nil), msg...)
			return true, nil
		case hsServerHelloDone:
			return true, nil
		}
	}
	return false, nil
}

// parseCertificateMsg parses a TLS 1.2-and-older Certificate message.
func parseCertificateMsg(msg []byte) ([][]byte, error) {
	p := parser{b: msg}
	list := parser{b: p.take(p.u24())}
	var certs [][]byte
	for list.err == nil && len(list.b) > 0 {
		c := list.take(list.u24())
		if list.err == nil {
			certs = append(certs, append([]byte(nil), c...))
		}
	}
	if p.err != nil || list.err != nil {
		return nil, errors.New("malformed Certificate message")
	}
	return certs, nil
}

// notTLS builds the error for a non-TLS answer; a text answer (an HTTP
// server) gets one more read so the message can show its status line.
func notTLS(r io.Reader, prefix []byte) error {
	if isText(prefix) {
		more := make([]byte, 12)
		n, _ := r.Read(more)
		prefix = append(append([]byte(nil), prefix...), more[:n]...)
	}
	return notTLSError{prefix}
}

// looksLikeRecord checks a (possibly partial) record header.
func looksLikeRecord(h []byte) bool {
	if len(h) >= 1 && (h[0] < recordChangeCipherSpec || h[0] > recordApplicationData+1) {
		return false
	}
	if len(h) >= 2 && h[1] != 3 {
		return false
	}
	return true
}

// readSSLv2Reply reads the answer to an SSLv2 CLIENT-HELLO. A modern server
// answers with a TLS alert or closes; an SSLv2 server with SERVER-HELLO.
func readSSLv2Reply(r io.Reader) (reply, error) {
	var out reply
	hdr := make([]byte, 2)
	if n, err := io.ReadFull(r, hdr); err != nil {
		if n == 0 && (err == io.EOF || isReset(err)) {
			return out, errClosed
		}
		return out, err
	}
	if hdr[0]&0x80 == 0 {
		// A TLS record (usually an alert) from a server that parsed the
		// SSLv2-compatible hello but refuses SSLv2.
		rest := io.MultiReader(bytes.NewReader(hdr), r)
		return readReply(rest, false)
	}
	n := int(hdr[0]&0x7f)<<8 | int(hdr[1])
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return out, fmt.Errorf("reading SSLv2 record: %w", err)
	}
	specs, err := ParseSSLv2ServerHello(body)
	if err != nil {
		return out, err
	}
	out.SSLv2 = true
	out.SSLv2Specs = specs
	return out, nil
}

// ParseSSLv2ServerHello parses an SSLv2 SERVER-HELLO message body and
// returns the cipher specs the server shares with the client.
func ParseSSLv2ServerHello(b []byte) ([]uint32, error) {
	p := parser{b: b}
	if typ := p.u8(); typ != 4 {
		if p.err == nil && typ == 0 {
			return nil, errors.New("SSLv2 error message")
		}
		return nil, errors.New("not an SSLv2 SERVER-HELLO")
	}
	p.u8() // session id hit
	p.u8() // certificate type
	p.u16()
	certLen := int(p.u16())
	specLen := int(p.u16())
	p.u16() // connection id length
	p.take(certLen)
	specs := p.take(specLen)
	if p.err != nil || specLen%3 != 0 {
		return nil, errors.New("malformed SSLv2 SERVER-HELLO")
	}
	var out []uint32
	for i := 0; i+3 <= len(specs); i += 3 {
		out = append(out, uint32(specs[i])<<16|uint32(specs[i+1])<<8|uint32(specs[i+2]))
	}
	return out, nil
}

func isReset(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "broken pipe"))
}

var alertNames = map[byte]string{
	0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 22: "record_overflow",
	40: "handshake_failure", 42: "bad_certificate", 43: "unsupported_certificate",
	47: "illegal_parameter", 50: "decode_error", 51: "decrypt_error", 70: "protocol_version",
	71: "insufficient_security", 80: "internal_error", 86: "inappropriate_fallback",
	90: "user_canceled", 109: "missing_extension", 110: "unsupported_extension",
	112: "unrecognized_name", 120: "no_application_protocol",
}

func alertName(d byte) string {
	if n, ok := alertNames[d]; ok {
		return n
	}
	return "#" + strconv.Itoa(int(d))
}
