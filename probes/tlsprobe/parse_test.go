package tlsprobe

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
)

// serverHelloRecord builds a ServerHello record for tests and the fuzz seeds.
func serverHelloRecord(legacy Version, suite uint16, supported Version, hrr bool) []byte {
	return serverHelloRecordExt(legacy, suite, supported, hrr, 0, false)
}

// serverHelloRecordExt is serverHelloRecord with a compression method and
// an empty renegotiation_info (RFC 5746) when reneg.
func serverHelloRecordExt(legacy Version, suite uint16, supported Version, hrr bool, comp byte, reneg bool) []byte {
	return serverHelloRecordGroup(legacy, suite, supported, hrr, comp, reneg, 0)
}

// serverHelloRecordGroup is serverHelloRecordExt with a key_share naming
// group (when not 0): a KeyShareEntry in a ServerHello, the selected_group
// alone in a HelloRetryRequest (RFC 8446 4.2.8).
func serverHelloRecordGroup(legacy Version, suite uint16, supported Version, hrr bool, comp byte, reneg bool, group uint16) []byte {
	var body builder
	body.u16(uint16(legacy))
	if hrr {
		body.bytes(hrrRandom[:])
	} else {
		body.bytes(make([]byte, 32))
	}
	body.vec(1, func() {})
	body.u16(suite)
	body.u8(comp)
	if supported != 0 || reneg || group != 0 {
		body.vec(2, func() {
			if supported != 0 {
				body.ext(extSupportedVersions, func() { body.u16(uint16(supported)) })
			}
			if reneg {
				body.ext(extRenegotiationInfo, func() { body.u8(0) })
			}
			if group != 0 {
				body.ext(extKeyShare, func() {
					body.u16(group)
					if !hrr {
						body.vec(2, func() { body.bytes(random(32)) })
					}
				})
			}
		})
	}
	var hs builder
	hs.u8(hsServerHello)
	hs.vec(3, func() { hs.bytes(body.b) })
	var rec builder
	rec.u8(recordHandshake)
	rec.u16(uint16(VersionTLS12))
	rec.vec(2, func() { rec.bytes(hs.b) })
	return rec.b
}

func alertRecord(desc byte) []byte { return []byte{recordAlert, 3, 3, 0, 2, 2, desc} }

func TestReadReply(t *testing.T) {
	split := serverHelloRecord(VersionTLS12, 0xc02f, 0, false)
	// the same ServerHello fragmented over two records
	frag := append([]byte{recordHandshake, 3, 3, 0, 10}, split[5:15]...)
	rest := split[15:]
	frag = append(frag, recordHandshake, 3, 3, byte(len(rest)>>8), byte(len(rest)))
	frag = append(frag, rest...)

	cases := []struct {
		name    string
		in      []byte
		version Version
		suite   uint16
		hrr     bool
		alert   string
		err     string
	}{
		{"TLS 1.2", serverHelloRecord(VersionTLS12, 0xc02f, 0, false), VersionTLS12, 0xc02f, false, "", ""},
		{"TLS 1.3 via supported_versions", serverHelloRecord(VersionTLS12, 0x1301, VersionTLS13, false), VersionTLS13, 0x1301, false, "", ""},
		{"HelloRetryRequest", serverHelloRecord(VersionTLS12, 0x1302, VersionTLS13, true), VersionTLS13, 0x1302, true, "", ""},
		{"fragmented", frag, VersionTLS12, 0xc02f, false, "", ""},
		{"alert", alertRecord(40), 0, 0, false, "alert handshake_failure", ""},
		{"unknown alert", alertRecord(200), 0, 0, false, "alert #200", ""},
		{"HTTP", []byte("HTTP/1.1 400 Bad Request\r\n"), 0, 0, false, "", `not a TLS server: it answered "HTTP/1.1 400 Bad"`},
		{"binary garbage", []byte{0xde, 0xad, 0xbe, 0xef, 0, 1}, 0, 0, false, "", "not a TLS server: it answered de ad be ef 00"},
		{"empty", nil, 0, 0, false, "", "closed the connection without answering"},
		{"oversized record", []byte{recordHandshake, 3, 3, 0xff, 0xff}, 0, 0, false, "", "exceeds the TLS limit"},
		{"truncated record", []byte{recordHandshake, 3, 3, 0, 50, 2}, 0, 0, false, "", "reading record"},
		{"wrong first message", []byte{recordHandshake, 3, 3, 0, 4, hsServerHelloDone, 0, 0, 0}, 0, 0, false, "", "expected a ServerHello"},
		{"truncated ServerHello", []byte{recordHandshake, 3, 3, 0, 6, hsServerHello, 0, 0, 2, 3, 3}, 0, 0, false, "", "truncated ServerHello"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := readReply(bytes.NewReader(tc.in), false)
			if tc.err != "" {
				if err == nil || !bytes.Contains([]byte(describe(err, 0)), []byte(tc.err)) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.alert != "" {
				if r.Alert == nil || r.Alert.Error() != tc.alert {
					t.Fatalf("alert = %v, want %q", r.Alert, tc.alert)
				}
				return
			}
			if r.Hello == nil || r.Hello.Version != tc.version || r.Hello.Suite != tc.suite || r.Hello.HRR != tc.hrr {
				t.Fatalf("hello = %+v, want %s %04x hrr=%v", r.Hello, tc.version, tc.suite, tc.hrr)
			}
		})
	}
}

func TestReadReplyCertificates(t *testing.T) {
	in := serverHelloRecord(VersionTLS12, 0xc02f, 0, false)
	var cert builder
	cert.u8(hsCertificate)
	cert.vec(3, func() {
		cert.vec(3, func() {
			cert.vec(3, func() { cert.bytes([]byte("leaf")) })
			cert.vec(3, func() { cert.bytes([]byte("intermediate")) })
		})
	})
	in = append(in, recordHandshake, 3, 3, 0, byte(len(cert.b)))
	in = append(in, cert.b...)
	r, err := readReply(bytes.NewReader(in), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Certs) != 2 || string(r.Certs[0]) != "leaf" || string(r.Certs[1]) != "intermediate" {
		t.Fatalf("certs = %q", r.Certs)
	}
}

func TestFlightIsBounded(t *testing.T) {
	// A server that streams handshake records forever is cut off.
	rec := append([]byte{recordHandshake, 3, 3, 0x40, 0x00}, make([]byte, 0x4000)...)
	hello := serverHelloRecord(VersionTLS12, 0xc02f, 0, false)
	// a Certificate message header announcing 200 KiB, then endless data
	hdr := []byte{recordHandshake, 3, 3, 0, 4, hsCertificate, 0x03, 0x20, 0x00}
	stream := io.MultiReader(bytes.NewReader(hello), bytes.NewReader(hdr), &repeatReader{rec})
	_, err := readReply(stream, true)
	if err == nil {
		t.Fatal("no error for an endless flight")
	}
}

type repeatReader struct{ b []byte }

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		n += copy(p[n:], r.b)
	}
	return n, nil
}

func TestBuildHelloIsWellFormed(t *testing.T) {
	for _, v := range Versions[1:] {
		suites := candidates(v)
		if len(suites) > maxSuitesPerHello {
			suites = suites[:maxSuitesPerHello]
		}
		b := buildHello(helloSpec{Version: v, Suites: suites, ServerName: "example.com"})
		if b[0] != recordHandshake || int(binary.BigEndian.Uint16(b[3:])) != len(b)-5 {
			t.Fatalf("%s: bad record header % x", v, b[:5])
		}
		if b[5] != hsClientHello || int(b[6])<<16|int(b[7])<<8|int(b[8]) != len(b)-9 {
			t.Fatalf("%s: bad handshake header", v)
		}
		ch, err := parseClientHello(b[9:])
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		if ch.maxVersion() != v {
			t.Errorf("%s: hello offers %s", v, ch.maxVersion())
		}
		wantSNI := v >= VersionTLS10
		if (ch.sni == "example.com") != wantSNI {
			t.Errorf("%s: SNI = %q", v, ch.sni)
		}
		if v == VersionTLS13 && len(ch.keyShare) != 32 {
			t.Errorf("TLS1.3 hello has no x25519 key share")
		}
	}
	if got := buildSSLv2Hello(); got[0]&0x80 == 0 || got[2] != hsClientHello {
		t.Errorf("SSLv2 hello header % x", got[:3])
	}
}

func TestSSLv2ServerHello(t *testing.T) {
	msg := []byte{4, 0, 1, 0, 2, 0, 3, 0, 6, 0, 16, 'c', 'r', 't', 1, 0, 0x80, 7, 0, 0xc0}
	specs, err := ParseSSLv2ServerHello(msg)
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) != 2 || specs[0] != 0x010080 || specs[1] != 0x0700c0 {
		t.Fatalf("specs = %06x", specs)
	}
	if _, err := ParseSSLv2ServerHello(msg[:10]); err == nil {
		t.Error("truncated SERVER-HELLO accepted")
	}
	r, err := readSSLv2Reply(bytes.NewReader(append([]byte{0x80, byte(len(msg))}, msg...)))
	if err != nil || !r.SSLv2 || len(r.SSLv2Specs) != 2 {
		t.Fatalf("readSSLv2Reply = %+v, %v", r, err)
	}
	r, err = readSSLv2Reply(bytes.NewReader(alertRecord(70)))
	if err != nil || r.Alert == nil {
		t.Fatalf("TLS alert to an SSLv2 hello: %+v, %v", r, err)
	}
	if _, err := readSSLv2Reply(bytes.NewReader(nil)); !errors.Is(err, errClosed) {
		t.Errorf("closed: %v", err)
	}
}

func FuzzReadReply(f *testing.F) {
	f.Add(serverHelloRecord(VersionTLS12, 0xc02f, 0, false), true)
	f.Add(serverHelloRecord(VersionTLS12, 0x1301, VersionTLS13, true), false)
	f.Add(alertRecord(40), false)
	f.Add([]byte("HTTP/1.1 200 OK\r\n\r\n"), false)
	f.Add(append(serverHelloRecord(VersionTLS12, 0x0005, 0, false), recordHandshake, 3, 3, 0, 8, hsCertificate, 0, 0, 4, 0, 0, 1, 'x'), true)
	f.Fuzz(func(t *testing.T, data []byte, wantCerts bool) {
		r, err := readReply(bytes.NewReader(data), wantCerts)
		if err == nil && r.Hello == nil && r.Alert == nil {
			t.Fatalf("no error and no answer")
		}
		if err != nil {
			_ = describe(err, 0) // must not panic
		}
	})
}

func FuzzParseServerHello(f *testing.F) {
	f.Add(serverHelloRecord(VersionTLS12, 0xc02f, 0, false)[9:])
	f.Add(serverHelloRecord(VersionTLS12, 0x1301, VersionTLS13, true)[9:])
	f.Fuzz(func(t *testing.T, body []byte) {
		sh, err := ParseServerHello(body)
		if err == nil && len(body) < 38 {
			t.Fatalf("parsed a %d-byte ServerHello: %+v", len(body), sh)
		}
	})
}

func FuzzParseSSLv2ServerHello(f *testing.F) {
	f.Add([]byte{4, 0, 1, 0, 2, 0, 3, 0, 6, 0, 16, 'c', 'r', 't', 1, 0, 0x80, 7, 0, 0xc0})
	f.Fuzz(func(t *testing.T, b []byte) {
		specs, err := ParseSSLv2ServerHello(b)
		if err == nil && len(specs)*3 > len(b) {
			t.Fatalf("more specs than bytes")
		}
	})
}
