package tlsprobe

import "testing"

func TestRegistry(t *testing.T) {
	names := map[string]bool{}
	for _, s := range Registry() {
		if names[s.Name] {
			t.Errorf("duplicate name %s", s.Name)
		}
		names[s.Name] = true
	}
	if len(names) < 330 {
		t.Errorf("registry has %d suites; the IANA registry has well over 330", len(names))
	}
	cases := map[uint16]Class{
		0x1301: Strong, 0x1303: Strong, 0xc02f: Strong, 0xcca8: Strong, 0x009e: Strong, 0xc0ac: Strong,
		0xc013: Weak, 0x002f: Weak, 0x009c: Weak, 0x003c: Weak, 0xc027: Weak,
		0x0005: Insecure, 0x000a: Insecure, 0x0009: Insecure, 0x0003: Insecure, 0x0000: Insecure,
		0x0002: Insecure, 0x0034: Insecure, 0x00a6: Insecure, 0xc006: Insecure, 0xc012: Insecure, 0x0007: Insecure,
	}
	for code, want := range cases {
		s, ok := LookupSuite(code)
		if !ok {
			t.Errorf("%s missing", FormatCode(code))
			continue
		}
		if got := s.Class(); got != want {
			t.Errorf("%s %s: class %s, want %s", FormatCode(code), s.Name, got, want)
		}
	}
	if s, _ := LookupSuite(0xc02f); s.Name != "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" || s.OpenSSL != "ECDHE-RSA-AES128-GCM-SHA256" {
		t.Errorf("0xC02F = %+v", s)
	}
	if s, ok := LookupSuite(0xfafa); ok || s.Name != "UNKNOWN_0xFAFA" {
		t.Errorf("unknown code: %+v %v", s, ok)
	}
}

func TestCandidates(t *testing.T) {
	for _, v := range []Version{VersionSSL30, VersionTLS10, VersionTLS12, VersionTLS13} {
		seen := map[uint16]bool{}
		for _, c := range candidates(v) {
			s, _ := LookupSuite(c)
			if (v == VersionTLS13) != (s.MinVersion == VersionTLS13) {
				t.Errorf("%s offers %s", v, s.Name)
			}
			if v < VersionTLS12 && s.MinVersion == VersionTLS12 {
				t.Errorf("%s offers TLS 1.2-only %s", v, s.Name)
			}
			if seen[c] {
				t.Errorf("%s offers %s twice", v, s.Name)
			}
			seen[c] = true
		}
	}
	if n := len(candidates(VersionTLS12)); n < 300 {
		t.Errorf("TLS1.2 offers only %d suites", n)
	}
}

func TestReasons(t *testing.T) {
	cases := map[uint16]string{
		0x0005: "RC4", 0x000a: "3DES (64-bit blocks)", 0x0034: "anonymous (no authentication)",
		0x0002: "no encryption", 0x0003: "export-grade, RC4",
		0x002f: "CBC (not AEAD), no forward secrecy", 0x009c: "no forward secrecy", 0xc013: "CBC (not AEAD)",
		0xc02f: "",
	}
	for code, want := range cases {
		s, _ := LookupSuite(code)
		got := ""
		for i, r := range s.Reasons() {
			if i > 0 {
				got += ", "
			}
			got += r
		}
		if got != want {
			t.Errorf("%s: reasons %q, want %q", s.Name, got, want)
		}
	}
}
