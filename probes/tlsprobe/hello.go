package tlsprobe

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/binary"
)

// Wire constants used by the hello builder and the parser.
const (
	recordChangeCipherSpec = 20
	recordAlert            = 21
	recordHandshake        = 22
	recordApplicationData  = 23

	hsClientHello     = 1
	hsServerHello     = 2
	hsCertificate     = 11
	hsServerHelloDone = 14

	extServerName          = 0x0000
	extSupportedGroups     = 0x000a
	extECPointFormats      = 0x000b
	extSignatureAlgorithms = 0x000d
	extExtendedMasterSec   = 0x0017
	extSupportedVersions   = 0x002b
	extPSKModes            = 0x002d
	extKeyShare            = 0x0033
	extRenegotiationInfo   = 0xff01

	scsvEmptyRenegotiation = 0x00ff

	groupX25519 = 0x001d

	compressionDeflate = 1
)

// maxSuitesPerHello bounds a hello's suite list: some servers (and
// middleboxes) reject long ClientHellos.
const maxSuitesPerHello = 120

// groups are offered in supported_groups: x25519, the NIST and brainpool
// curves, x448 and the RFC 7919 finite-field groups, so any ECDHE/DHE server
// finds one it has.
var groups = []uint16{0x001d, 0x0017, 0x0018, 0x0019, 0x001e, 0x0016, 0x0015, 0x001a, 0x001b, 0x001c,
	0x0100, 0x0101, 0x0102, 0x0103, 0x0104}

// sigAlgs covers every signature a certificate might need, old ones included:
// we want the server's choice of suite, not to judge its signature here.
var sigAlgs = []uint16{
	0x0403, 0x0503, 0x0603, // ecdsa_secp256r1_sha256 … secp521r1_sha512
	0x0807, 0x0808, // ed25519, ed448
	0x0804, 0x0805, 0x0806, // rsa_pss_rsae_sha256 … sha512
	0x0809, 0x080a, 0x080b, // rsa_pss_pss_*
	0x0401, 0x0501, 0x0601, // rsa_pkcs1_sha256 … sha512
	0x0303, 0x0301, 0x0302, // sha224 ecdsa/rsa/dsa
	0x0402, 0x0502, 0x0602, // dsa with sha256 … sha512
	0x0203, 0x0201, 0x0202, // sha1 ecdsa/rsa/dsa
}

// helloSpec describes one ClientHello.
type helloSpec struct {
	Version    Version  // the version being tested
	Suites     []uint16 // offered suites, in preference order
	ServerName string   // SNI; empty for IP targets
	// NoFFDHE leaves the RFC 7919 finite-field groups out of supported_groups.
	NoFFDHE bool
}

type builder struct{ b []byte }

func (w *builder) u8(v byte)    { w.b = append(w.b, v) }
func (w *builder) u16(v uint16) { w.b = binary.BigEndian.AppendUint16(w.b, v) }
func (w *builder) bytes(p []byte) {
	w.b = append(w.b, p...)
}

// vec writes a length-prefixed block of n bytes (1, 2 or 3) filled by f.
func (w *builder) vec(n int, f func()) {
	start := len(w.b)
	w.b = append(w.b, make([]byte, n)...)
	f()
	l := len(w.b) - start - n
	for i := 0; i < n; i++ {
		w.b[start+i] = byte(l >> (8 * (n - 1 - i)))
	}
}

func (w *builder) ext(typ uint16, f func()) {
	w.u16(typ)
	w.vec(2, f)
}

func random(n int) []byte {
	p := make([]byte, n)
	rand.Read(p)
	return p
}

// buildHello returns the ClientHello for spec as one handshake record.
func buildHello(spec helloSpec) []byte {
	var body builder
	legacy := spec.Version
	if legacy > VersionTLS12 {
		legacy = VersionTLS12 // TLS 1.3 is negotiated with supported_versions
	}
	body.u16(uint16(legacy))
	body.bytes(random(32))
	if spec.Version == VersionTLS13 {
		body.vec(1, func() { body.bytes(random(32)) }) // middlebox compatibility
	} else {
		body.u8(0)
	}
	body.vec(2, func() {
		for _, s := range spec.Suites {
			body.u16(s)
		}
		if spec.Version == VersionSSL30 {
			body.u16(scsvEmptyRenegotiation) // SSLv3 hellos carry no extensions
		}
	})
	body.vec(1, func() {
		// DEFLATE too, as nmap does: a server that takes it is open to
		// CRIME. TLS 1.3 hellos must offer null alone (RFC 8446 4.1.2).
		if spec.Version <= VersionTLS12 {
			body.u8(compressionDeflate)
		}
		body.u8(0)
	})
	if spec.Version >= VersionTLS10 {
		body.vec(2, func() { writeExtensions(&body, spec) })
	}

	var hs builder
	hs.u8(hsClientHello)
	hs.vec(3, func() { hs.bytes(body.b) })

	var rec builder
	rec.u8(recordHandshake)
	recVersion := VersionTLS10 // what most clients send for compatibility
	if spec.Version == VersionSSL30 {
		recVersion = VersionSSL30
	}
	rec.u16(uint16(recVersion))
	rec.vec(2, func() { rec.bytes(hs.b) })
	return rec.b
}

func writeExtensions(w *builder, spec helloSpec) {
	if spec.ServerName != "" {
		w.ext(extServerName, func() {
			w.vec(2, func() {
				w.u8(0) // host_name
				w.vec(2, func() { w.bytes([]byte(spec.ServerName)) })
			})
		})
	}
	w.ext(extSupportedGroups, func() {
		w.vec(2, func() {
			for _, g := range groups {
				if spec.NoFFDHE && g >= 0x0100 && g <= 0x01ff {
					continue
				}
				w.u16(g)
			}
		})
	})
	w.ext(extECPointFormats, func() { w.vec(1, func() { w.u8(0) }) })
	if spec.Version >= VersionTLS12 {
		w.ext(extSignatureAlgorithms, func() {
			w.vec(2, func() {
				for _, a := range sigAlgs {
					w.u16(a)
				}
			})
		})
	}
	w.ext(extExtendedMasterSec, func() {})
	w.ext(extRenegotiationInfo, func() { w.u8(0) })
	if spec.Version == VersionTLS13 {
		w.ext(extSupportedVersions, func() { w.vec(1, func() { w.u16(uint16(VersionTLS13)) }) })
		w.ext(extPSKModes, func() { w.vec(1, func() { w.u8(1) }) }) // psk_dhe_ke
		w.ext(extKeyShare, func() {
			w.vec(2, func() {
				w.u16(groupX25519)
				w.vec(2, func() { w.bytes(x25519Public()) })
			})
		})
	}
}

// x25519Public returns a fresh, valid x25519 public key: servers check it.
func x25519Public() []byte {
	k, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return make([]byte, 32) // cannot happen with crypto/rand
	}
	return k.PublicKey().Bytes()
}

// buildSSLv2Hello returns an SSLv2 CLIENT-HELLO offering every SSLv2 cipher spec.
func buildSSLv2Hello() []byte {
	var msg builder
	msg.u8(hsClientHello)
	msg.u16(uint16(VersionSSL20))
	msg.u16(uint16(3 * len(sslv2Specs)))
	msg.u16(0)  // session id length
	msg.u16(16) // challenge length
	for _, s := range sslv2Specs {
		msg.u8(byte(s.Code >> 16))
		msg.u16(uint16(s.Code))
	}
	msg.bytes(random(16))
	out := []byte{0x80 | byte(len(msg.b)>>8), byte(len(msg.b))}
	return append(out, msg.b...)
}
