package tlsprobe

import (
	"encoding/binary"
	"errors"
	"io"
	"math/big"
	"net"
	"slices"
	"time"
)

// clientHello is what the fake server reads from our hellos.
type clientHello struct {
	version   Version
	suites    []uint16
	sni       string
	supported []Version
	keyShare  []byte // x25519 key, if any
	groups    []uint16
	comps     []byte // compression methods
}

func (c clientHello) maxVersion() Version {
	if len(c.supported) > 0 {
		return slices.Max(c.supported)
	}
	return c.version
}

// parseClientHello parses a ClientHello body (after the handshake header).
func parseClientHello(b []byte) (clientHello, error) {
	p := parser{b: b}
	var ch clientHello
	ch.version = Version(p.u16())
	p.take(32)
	p.take(int(p.u8()))
	suites := parser{b: p.take(int(p.u16()))}
	for suites.err == nil && len(suites.b) >= 2 {
		ch.suites = append(ch.suites, suites.u16())
	}
	ch.comps = p.take(int(p.u8()))
	if p.err != nil {
		return ch, errors.New("truncated ClientHello")
	}
	if len(p.b) == 0 {
		return ch, nil
	}
	exts := parser{b: p.take(int(p.u16()))}
	for exts.err == nil && len(exts.b) > 0 {
		typ := exts.u16()
		data := parser{b: exts.take(int(exts.u16()))}
		switch typ {
		case extServerName:
			data.u16()
			data.u8()
			ch.sni = string(data.take(int(data.u16())))
		case extSupportedGroups:
			gs := parser{b: data.take(int(data.u16()))}
			for len(gs.b) >= 2 {
				ch.groups = append(ch.groups, gs.u16())
			}
		case extSupportedVersions:
			vs := parser{b: data.take(int(data.u8()))}
			for len(vs.b) >= 2 {
				ch.supported = append(ch.supported, Version(vs.u16()))
			}
		case extKeyShare:
			shares := parser{b: data.take(int(data.u16()))}
			for shares.err == nil && len(shares.b) > 0 {
				g := shares.u16()
				k := shares.take(int(shares.u16()))
				if g == groupX25519 {
					ch.keyShare = k
				}
			}
		}
	}
	if p.err != nil || exts.err != nil {
		return ch, errors.New("malformed ClientHello extensions")
	}
	return ch, nil
}

// fakeServer answers hellos the way a real server would, for the versions
// and suites (in server preference order) it is given; it exists to test
// what no local server can do any more (SSLv3, SSLv2) and HelloRetryRequest.
type fakeServer struct {
	versions []Version
	suites   map[Version][]uint16
	sslv2    []uint32 // SSLv2 cipher specs; nil = refuse SSLv2
	hrr      bool     // answer TLS 1.3 with a HelloRetryRequest
	chain    [][]byte // DER certificates sent after a TLS ≤1.2 ServerHello
	// dhP, dhG: the DHE group sent in a ServerKeyExchange for DHE suites.
	dhP, dhG *big.Int
	curve    uint16 // named curve sent for ECDHE suites (0: secp256r1)
	group13  uint16 // TLS 1.3 key_share group (0: no key_share)
	// rfc7919: refuse DHE suites when the hello lists ffdhe groups, as
	// RFC 7919 §4 requires of a server whose group is its own.
	rfc7919 bool
	// compress: choose DEFLATE when offered; noReneg: omit renegotiation_info.
	compress, noReneg bool
}

func (s fakeServer) serve(c net.Conn) {
	c.SetDeadline(time.Now().Add(5 * time.Second))
	hdr := make([]byte, 5)
	if _, err := io.ReadFull(c, hdr[:2]); err != nil {
		return
	}
	if hdr[0]&0x80 != 0 { // SSLv2 CLIENT-HELLO
		n := int(hdr[0]&0x7f)<<8 | int(hdr[1])
		io.ReadFull(c, make([]byte, n))
		if s.sslv2 == nil {
			c.Write(alertRecord(70))
			return
		}
		var msg builder
		msg.u8(4)
		msg.u8(0)
		msg.u8(1)
		msg.u16(uint16(VersionSSL20))
		msg.u16(0)
		msg.u16(uint16(3 * len(s.sslv2)))
		msg.u16(16)
		for _, sp := range s.sslv2 {
			msg.u8(byte(sp >> 16))
			msg.u16(uint16(sp))
		}
		msg.bytes(make([]byte, 16))
		c.Write(append([]byte{0x80 | byte(len(msg.b)>>8), byte(len(msg.b))}, msg.b...))
		return
	}
	if _, err := io.ReadFull(c, hdr[2:]); err != nil {
		return
	}
	body := make([]byte, binary.BigEndian.Uint16(hdr[3:]))
	if _, err := io.ReadFull(c, body); err != nil || len(body) < 4 {
		return
	}
	ch, err := parseClientHello(body[4:])
	if err != nil {
		c.Write(alertRecord(50))
		return
	}
	// pick the highest version both support
	var v Version
	for _, sv := range s.versions {
		offered := sv <= ch.version
		if len(ch.supported) > 0 {
			offered = slices.Contains(ch.supported, sv)
		}
		if offered && sv > v {
			v = sv
		}
	}
	if v == 0 {
		c.Write(alertRecord(70))
		return
	}
	ffdhe := slices.ContainsFunc(ch.groups, func(g uint16) bool { return g >= 0x100 && g <= 0x1ff })
	for _, suite := range s.suites[v] {
		if s.rfc7919 && ffdhe && kexKind(suite) == "DHE" {
			continue
		}
		if slices.Contains(ch.suites, suite) {
			var supported Version
			if v == VersionTLS13 {
				supported = VersionTLS13
			}
			legacy := v
			if legacy > VersionTLS12 {
				legacy = VersionTLS12
			}
			var comp byte
			if s.compress && slices.Contains(ch.comps, compressionDeflate) {
				comp = compressionDeflate
			}
			var group uint16
			if v == VersionTLS13 {
				group = s.group13
			}
			rec := serverHelloRecordGroup(legacy, suite, supported, v == VersionTLS13 && s.hrr, comp, v <= VersionTLS12 && !s.noReneg, group)
			if v == VersionSSL30 {
				rec[1], rec[2] = 3, 0
			}
			kex := kexKind(suite)
			if (len(s.chain) > 0 || kex != "") && v <= VersionTLS12 {
				var hs builder
				if len(s.chain) > 0 {
					hs.u8(hsCertificate)
					hs.vec(3, func() {
						hs.vec(3, func() {
							for _, d := range s.chain {
								hs.vec(3, func() { hs.bytes(d) })
							}
						})
					})
				}
				if kex == "DHE" && s.dhP != nil || kex == "ECDHE" {
					hs.u8(hsServerKeyExchange)
					hs.vec(3, func() {
						if kex == "DHE" {
							hs.vec(2, func() { hs.bytes(s.dhP.Bytes()) })
							hs.vec(2, func() { hs.bytes(s.dhG.Bytes()) })
							hs.vec(2, func() { hs.bytes(random(len(s.dhP.Bytes()))) })
						} else {
							curve := s.curve
							if curve == 0 {
								curve = 0x0017
							}
							hs.u8(3)
							hs.u16(curve)
							hs.vec(1, func() { hs.bytes(random(65)) })
						}
						// a signature nobody checks: the prober reads the parameters only
						hs.u16(0x0401)
						hs.vec(2, func() { hs.bytes(random(256)) })
					})
				}
				hs.bytes([]byte{hsServerHelloDone, 0, 0, 0})
				// the flight split over records of at most 1000 bytes
				for len(hs.b) > 0 {
					n := min(len(hs.b), 1000)
					rec = append(rec, recordHandshake, rec[1], rec[2], byte(n>>8), byte(n))
					rec = append(rec, hs.b[:n]...)
					hs.b = hs.b[n:]
				}
			}
			c.Write(rec)
			return
		}
	}
	c.Write(alertRecord(40))
}
