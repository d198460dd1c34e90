package tlsprobe

import (
	"fmt"
	"slices"
	"strings"
)

// Version is a protocol version as it appears on the wire.
type Version uint16

const (
	VersionSSL20 Version = 0x0002
	VersionSSL30 Version = 0x0300
	VersionTLS10 Version = 0x0301
	VersionTLS11 Version = 0x0302
	VersionTLS12 Version = 0x0303
	VersionTLS13 Version = 0x0304
)

// Versions lists every version the prober tries, oldest first.
var Versions = []Version{VersionSSL20, VersionSSL30, VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13}

// String returns the contract name: SSLv2 SSLv3 TLS1.0 TLS1.1 TLS1.2 TLS1.3.
func (v Version) String() string {
	switch v {
	case VersionSSL20:
		return "SSLv2"
	case VersionSSL30:
		return "SSLv3"
	case VersionTLS10:
		return "TLS1.0"
	case VersionTLS11:
		return "TLS1.1"
	case VersionTLS12:
		return "TLS1.2"
	case VersionTLS13:
		return "TLS1.3"
	}
	return fmt.Sprintf("0x%04X", uint16(v))
}

// Class rates a cipher suite.
type Class string

const (
	// Insecure: NULL encryption, anonymous, EXPORT, RC4, DES, 3DES (and the
	// other 64-bit-block or export-grade ciphers: RC2, IDEA).
	Insecure Class = "insecure"
	// Weak: CBC (or other non-AEAD) ciphers, or no forward secrecy.
	Weak Class = "weak"
	// Strong: AEAD with forward secrecy.
	Strong Class = "strong"
)

// Suite is one entry of the cipher-suite registry.
type Suite struct {
	Code       uint16
	Name       string // IANA name
	OpenSSL    string // OpenSSL name, "" when OpenSSL has none
	MinVersion Version
	Kx         string // key exchange, OpenSSL's notation (ECDH, DH, RSA, PSK, any…)
	Au         string // authentication
	Cipher     string // AESGCM, AES, CHACHA20, 3DES, RC4, None…
	Bits       int
	MAC        string // AEAD, SHA1, SHA256, MD5…
}

// AEAD reports whether the suite uses an authenticated cipher.
func (s Suite) AEAD() bool { return s.MAC == "AEAD" }

// ForwardSecret reports whether the key exchange is ephemeral.
func (s Suite) ForwardSecret() bool {
	if s.MinVersion == VersionTLS13 {
		return true // TLS 1.3 always uses (EC)DHE
	}
	n := s.Name
	return strings.Contains(n, "_DHE_") || strings.Contains(n, "_ECDHE_") ||
		strings.Contains(n, "_CECPQ1_") || strings.HasPrefix(n, "TLS_PSK_DHE_")
}

// Class rates the suite (see the Class constants).
func (s Suite) Class() Class {
	n := s.Name
	switch {
	case s.Cipher == "None" || strings.Contains(n, "_NULL_") || strings.HasSuffix(n, "_NULL"),
		strings.Contains(n, "_anon_") || s.Au == "None",
		strings.Contains(n, "EXPORT"),
		strings.HasPrefix(s.Cipher, "RC4"), strings.HasPrefix(s.Cipher, "RC2"),
		strings.HasPrefix(s.Cipher, "DES"), strings.HasPrefix(s.Cipher, "3DES"),
		strings.HasPrefix(s.Cipher, "IDEA"):
		return Insecure
	case s.AEAD() && s.ForwardSecret():
		return Strong
	}
	return Weak
}

// Reasons explains the class: why the suite is insecure or weak.
func (s Suite) Reasons() []string {
	n := s.Name
	var out []string
	add := func(cond bool, why string) {
		if cond {
			out = append(out, why)
		}
	}
	add(s.Cipher == "None" || strings.Contains(n, "_NULL_") || strings.HasSuffix(n, "_NULL"), "no encryption")
	add(strings.Contains(n, "_anon_") || s.Au == "None", "anonymous (no authentication)")
	add(strings.Contains(n, "EXPORT"), "export-grade")
	add(strings.HasPrefix(s.Cipher, "RC4"), "RC4")
	add(strings.HasPrefix(s.Cipher, "RC2"), "RC2")
	add(strings.HasPrefix(s.Cipher, "3DES"), "3DES (64-bit blocks)")
	add(strings.HasPrefix(s.Cipher, "DES"), "DES")
	add(strings.HasPrefix(s.Cipher, "IDEA"), "IDEA (64-bit blocks)")
	if len(out) > 0 {
		return out
	}
	add(!s.AEAD(), "CBC (not AEAD)")
	add(!s.ForwardSecret(), "no forward secrecy")
	return out
}

// FormatCode renders a code point as sslscan does: 0xC02F.
func FormatCode(c uint16) string { return fmt.Sprintf("0x%04X", c) }

var byCode = func() map[uint16]Suite {
	m := make(map[uint16]Suite, len(registry))
	for _, s := range registry {
		m[s.Code] = s
	}
	return m
}()

// LookupSuite returns the registry entry for a code point; unknown codes get
// a placeholder name so a server's odd choice is still reported.
func LookupSuite(code uint16) (Suite, bool) {
	s, ok := byCode[code]
	if !ok {
		return Suite{Code: code, Name: "UNKNOWN_" + FormatCode(code), Cipher: "unknown", MAC: "unknown"}, false
	}
	return s, true
}

// Registry returns a copy of the whole table, ordered by code point.
func Registry() []Suite { return append([]Suite(nil), registry...) }

// candidates returns the suites worth offering at version v, best first:
// TLS 1.3 suites only for TLS 1.3; TLS 1.2-only suites (AEAD, SHA-2 MACs)
// only for TLS 1.2. The order only affects how many hellos a server that
// follows the client's order needs; commonly deployed suites come first so
// the first chunk usually holds everything a server accepts.
func candidates(v Version) []uint16 {
	var common, rare []uint16
	for _, s := range registry {
		switch {
		case v == VersionTLS13 && s.MinVersion != VersionTLS13,
			v != VersionTLS13 && s.MinVersion == VersionTLS13,
			v < VersionTLS12 && s.MinVersion == VersionTLS12:
			continue
		}
		if s.OpenSSL != "" && !strings.Contains(s.Name, "PSK") && !strings.Contains(s.Name, "SRP") &&
			!strings.Contains(s.Name, "KRB5") && !strings.Contains(s.Name, "GOST") && !strings.HasSuffix(s.Name, "_OLD") {
			common = append(common, s.Code)
		} else {
			rare = append(rare, s.Code)
		}
	}
	// strong suites first: what a modern server accepts lands in the first
	// chunk
	rank := map[Class]int{Strong: 0, Weak: 1, Insecure: 2}
	slices.SortStableFunc(common, func(a, b uint16) int { return rank[byCode[a].Class()] - rank[byCode[b].Class()] })
	return append(common, rare...)
}

// SSLv2 cipher specs (3-byte codes), for the SSLv2 CLIENT-HELLO.
var sslv2Specs = []struct {
	Code uint32
	Name string
}{
	{0x010080, "SSL_CK_RC4_128_WITH_MD5"},
	{0x020080, "SSL_CK_RC4_128_EXPORT40_WITH_MD5"},
	{0x030080, "SSL_CK_RC2_128_CBC_WITH_MD5"},
	{0x040080, "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5"},
	{0x050080, "SSL_CK_IDEA_128_CBC_WITH_MD5"},
	{0x060040, "SSL_CK_DES_64_CBC_WITH_MD5"},
	{0x0700C0, "SSL_CK_DES_192_EDE3_CBC_WITH_MD5"},
	{0x080080, "SSL_CK_RC4_64_WITH_MD5"},
}

func sslv2Name(code uint32) string {
	for _, s := range sslv2Specs {
		if s.Code == code {
			return s.Name
		}
	}
	return fmt.Sprintf("SSL_CK_UNKNOWN_0x%06X", code)
}
