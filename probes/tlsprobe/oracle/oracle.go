// Package oracle runs the reference scanners (sslscan, nmap's
// ssl-enum-ciphers) against a test server and compares their findings with
// the tls.* probe results. Only tests use it (the tlsprobe interop tests
// and the cmd scripts), never the selfassess binary.
package oracle

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/selfassess/selfassess/internal/testenv"
)

// Report is what one scanner found: offered versions and, per version, the
// accepted suites (sslscan: code points "0xC02F"; nmap: IANA names).
type Report struct {
	Versions []string
	Suites   map[string][]string // version → sorted suites
	// Preference per version: "server", "client" or "" (nmap only).
	Preference map[string]string
	// Cert holds the leaf certificate's facts (sslscan and ours only).
	Cert *Cert
}

// Cert is the comparable part of the certificate facts.
type Cert struct {
	KeyType  string // RSA, ECDSA (sslscan says EC; normalised)
	KeyBits  int
	SigAlg   string // normalised to Go's names: SHA256-RSA, ECDSA-SHA256
	NotAfter time.Time
}

// sslscanSigAlgs maps OpenSSL's signature algorithm names to Go's.
var sslscanSigAlgs = map[string]string{
	"sha256WithRSAEncryption": "SHA256-RSA", "sha384WithRSAEncryption": "SHA384-RSA",
	"sha512WithRSAEncryption": "SHA512-RSA", "sha1WithRSAEncryption": "SHA1-RSA",
	"md5WithRSAEncryption": "MD5-RSA", "ecdsa-with-SHA256": "ECDSA-SHA256",
	"ecdsa-with-SHA384": "ECDSA-SHA384", "ecdsa-with-SHA512": "ECDSA-SHA512", "ED25519": "Ed25519",
	"rsassaPss": "SHA256-RSAPSS",
}

// Require skips the test when a tool is missing, unless
// SELFASSESS_REQUIRE_INTEROP=1 makes that a failure (CI).
func Require(t interface {
	Helper()
	Skipf(string, ...any)
	Fatalf(string, ...any)
}, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		testenv.RequireTool(t, tool)
	}
}

// SSLScanArgs are the sslscan options for the comparison and the
// benchmark: protocols, suites and the certificate, none of the extra
// vulnerability checks we do not do either.
func SSLScanArgs(addr, sni string) []string {
	args := []string{"--xml=-", "--no-colour", "--no-heartbleed", "--no-renegotiation", "--no-compression",
		"--no-fallback", "--no-groups"}
	if sni != "" {
		args = append(args, "--sni-name="+sni)
	}
	return append(args, addr)
}

// SSLScan runs sslscan against addr (host:port).
func SSLScan(ctx context.Context, addr, sni string) (Report, error) {
	out, err := exec.CommandContext(ctx, "sslscan", SSLScanArgs(addr, sni)...).Output()
	if err != nil {
		return Report{}, fmt.Errorf("sslscan: %v", err)
	}
	return ParseSSLScan(out)
}

// ParseSSLScan reads `sslscan --xml=-` output. sslscan marks the first
// suite it finds per version status="preferred", the others "accepted":
// both are accepted suites.
func ParseSSLScan(out []byte) (Report, error) {
	var doc struct {
		Protocols []struct {
			Type    string `xml:"type,attr"`
			Version string `xml:"version,attr"`
			Enabled string `xml:"enabled,attr"`
		} `xml:"ssltest>protocol"`
		Ciphers []struct {
			Status  string `xml:"status,attr"`
			Version string `xml:"sslversion,attr"`
			ID      string `xml:"id,attr"`
		} `xml:"ssltest>cipher"`
		Certs []struct {
			SigAlg string `xml:"signature-algorithm"`
			PK     struct {
				Type string `xml:"type,attr"`
				Bits int    `xml:"bits,attr"`
			} `xml:"pk"`
			NotAfter string `xml:"not-valid-after"`
		} `xml:"ssltest>certificates>certificate"`
	}
	if err := xml.Unmarshal(out, &doc); err != nil {
		return Report{}, fmt.Errorf("sslscan XML: %v", err)
	}
	r := Report{Suites: map[string][]string{}}
	for _, p := range doc.Protocols {
		if p.Enabled != "1" {
			continue
		}
		name := map[string]string{"ssl2": "SSLv2", "ssl3": "SSLv3", "tls1.0": "TLS1.0", "tls1.1": "TLS1.1",
			"tls1.2": "TLS1.2", "tls1.3": "TLS1.3"}[p.Type+p.Version]
		if name == "" {
			return r, fmt.Errorf("sslscan: unknown protocol %s %s", p.Type, p.Version)
		}
		r.Versions = append(r.Versions, name)
	}
	for _, c := range doc.Ciphers {
		if c.Status != "accepted" && c.Status != "preferred" {
			continue
		}
		v := strings.Replace(c.Version, "TLSv", "TLS", 1)
		r.Suites[v] = append(r.Suites[v], strings.ToUpper(strings.Replace(c.ID, "0x", "", 1)))
	}
	for v := range r.Suites {
		for i, s := range r.Suites[v] {
			r.Suites[v][i] = "0x" + s
		}
		sort.Strings(r.Suites[v])
	}
	sortVersions(r.Versions)
	if len(doc.Certs) > 0 {
		c := doc.Certs[0]
		na, err := time.Parse("Jan _2 15:04:05 2006 MST", c.NotAfter)
		if err != nil {
			return r, fmt.Errorf("sslscan not-valid-after %q: %v", c.NotAfter, err)
		}
		kt, bits := c.PK.Type, c.PK.Bits
		if kt == "EC" {
			// sslscan reports an EC key's security strength (128 for
			// P-256), not its size; openssl x509 -text says 256 bit.
			kt, bits = "ECDSA", 2*bits
		}
		sig := sslscanSigAlgs[c.SigAlg]
		if sig == "" {
			sig = c.SigAlg
		}
		r.Cert = &Cert{KeyType: kt, KeyBits: bits, SigAlg: sig, NotAfter: na.UTC()}
	}
	return r, nil
}

// Nmap runs nmap's ssl-enum-ciphers script against host:port.
func Nmap(ctx context.Context, host, port string) (Report, error) {
	out, err := exec.CommandContext(ctx, "nmap", "-Pn", "-n", "-sT", "-p", port, "--script", "ssl-enum-ciphers", "-oX", "-", host).Output()
	if err != nil {
		return Report{}, fmt.Errorf("nmap: %v", err)
	}
	return ParseNmap(out)
}

type nmapTable struct {
	Key    string      `xml:"key,attr"`
	Tables []nmapTable `xml:"table"`
	Elems  []struct {
		Key   string `xml:"key,attr"`
		Value string `xml:",chardata"`
	} `xml:"elem"`
}

// ParseNmap reads nmap -oX output of ssl-enum-ciphers. nmap 7.93 still
// names the TLS 1.3 suites by their draft names (TLS_AKE_WITH_AES_128_GCM_SHA256);
// they are mapped to the RFC 8446 names.
func ParseNmap(out []byte) (Report, error) {
	var doc struct {
		Scripts []struct {
			ID     string      `xml:"id,attr"`
			Tables []nmapTable `xml:"table"`
		} `xml:"host>ports>port>script"`
	}
	if err := xml.Unmarshal(out, &doc); err != nil {
		return Report{}, fmt.Errorf("nmap XML: %v", err)
	}
	r := Report{Suites: map[string][]string{}, Preference: map[string]string{}}
	for _, s := range doc.Scripts {
		if s.ID != "ssl-enum-ciphers" {
			continue
		}
		for _, vt := range s.Tables {
			v := strings.Replace(vt.Key, "TLSv", "TLS", 1)
			if !strings.HasPrefix(v, "TLS") && !strings.HasPrefix(v, "SSL") {
				continue
			}
			r.Versions = append(r.Versions, v)
			for _, e := range vt.Elems {
				if e.Key == "cipher preference" {
					r.Preference[v] = e.Value
				}
			}
			for _, sub := range vt.Tables {
				if sub.Key != "ciphers" {
					continue
				}
				for _, c := range sub.Tables {
					for _, e := range c.Elems {
						if e.Key == "name" {
							r.Suites[v] = append(r.Suites[v], strings.Replace(e.Value, "TLS_AKE_WITH_", "TLS_", 1))
						}
					}
				}
			}
			sort.Strings(r.Suites[v])
		}
	}
	sortVersions(r.Versions)
	return r, nil
}

// FromProbeJSON reads `selfassess probe --format json` output (or the
// marshalled results) for one target: codes=true gives code points, else names.
func FromProbeJSON(data []byte, codes bool) (Report, error) {
	var doc struct {
		Probes []struct {
			ID       string          `json:"id"`
			Status   string          `json:"status"`
			Summary  string          `json:"summary"`
			Observed json.RawMessage `json:"observed"`
		} `json:"probes"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return Report{}, err
	}
	r := Report{Suites: map[string][]string{}, Preference: map[string]string{}}
	for _, p := range doc.Probes {
		if (p.ID == "tls.versions" || p.ID == "tls.ciphers") && p.Status == "error" {
			return r, fmt.Errorf("%s: error: %s", p.ID, p.Summary)
		}
		switch p.ID {
		case "tls.versions":
			var o struct{ Offered []string }
			if err := json.Unmarshal(p.Observed, &o); err != nil {
				return r, err
			}
			r.Versions = o.Offered
		case "tls.certificate":
			var o struct {
				KeyType  string    `json:"key_type"`
				KeyBits  int       `json:"key_bits"`
				SigAlg   string    `json:"signature_algorithm"`
				NotAfter time.Time `json:"not_after"`
			}
			if p.Status != "error" {
				if err := json.Unmarshal(p.Observed, &o); err != nil {
					return r, err
				}
				r.Cert = &Cert{KeyType: o.KeyType, KeyBits: o.KeyBits, SigAlg: o.SigAlg, NotAfter: o.NotAfter.UTC()}
			}
		case "tls.ciphers":
			var o struct {
				Versions []struct {
					Version     string
					ServerOrder *bool `json:"server_order"`
					Suites      []struct{ Name, Code string }
				}
			}
			if err := json.Unmarshal(p.Observed, &o); err != nil {
				return r, err
			}
			for _, v := range o.Versions {
				for _, s := range v.Suites {
					if codes {
						r.Suites[v.Version] = append(r.Suites[v.Version], s.Code)
					} else {
						r.Suites[v.Version] = append(r.Suites[v.Version], s.Name)
					}
				}
				sort.Strings(r.Suites[v.Version])
				if v.ServerOrder != nil {
					r.Preference[v.Version] = map[bool]string{true: "server", false: "client"}[*v.ServerOrder]
				}
			}
		}
	}
	sortVersions(r.Versions)
	return r, nil
}

// Diff lists the differences between an oracle's report and ours, one line
// each; empty means they agree on versions and suites.
func Diff(oracle, ours Report) []string {
	var out []string
	if !slices.Equal(oracle.Versions, ours.Versions) {
		out = append(out, fmt.Sprintf("versions: oracle %v, selfassess %v", oracle.Versions, ours.Versions))
	}
	if oracle.Cert != nil && (ours.Cert == nil || *oracle.Cert != *ours.Cert) {
		out = append(out, fmt.Sprintf("certificate: oracle %+v, selfassess %+v", *oracle.Cert, ours.Cert))
	}
	all := map[string]bool{}
	for v := range oracle.Suites {
		all[v] = true
	}
	for v := range ours.Suites {
		all[v] = true
	}
	var vs []string
	for v := range all {
		vs = append(vs, v)
	}
	sortVersions(vs)
	for _, v := range vs {
		missing, extra := setDiff(oracle.Suites[v], ours.Suites[v]), setDiff(ours.Suites[v], oracle.Suites[v])
		if len(missing) > 0 {
			out = append(out, fmt.Sprintf("%s: selfassess misses %v", v, missing))
		}
		if len(extra) > 0 {
			out = append(out, fmt.Sprintf("%s: selfassess reports %v that the oracle does not", v, extra))
		}
	}
	return out
}

func setDiff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

var versionOrder = map[string]int{"SSLv2": 0, "SSLv3": 1, "TLS1.0": 2, "TLS1.1": 3, "TLS1.2": 4, "TLS1.3": 5}

func sortVersions(vs []string) {
	sort.Slice(vs, func(i, j int) bool { return versionOrder[vs[i]] < versionOrder[vs[j]] })
}

// DHGroup is one weak DH group nmap's ssl-dh-params reports.
type DHGroup struct {
	Suite     string
	SafePrime bool // "Modulus Type: Safe prime"
	Source    string
	Bits      int
}

// NmapDH runs nmap's ssl-dh-params, which lists only the groups it finds
// weak (1024 bits or fewer, or known shared ones); none means it saw no
// weak group.
func NmapDH(ctx context.Context, host, port string) ([]DHGroup, error) {
	out, err := exec.CommandContext(ctx, "nmap", "-Pn", "-n", "-sT", "-p", port, "--script", "ssl-dh-params", host).Output()
	if err != nil {
		return nil, fmt.Errorf("nmap: %v", err)
	}
	return ParseNmapDH(string(out)), nil
}

// ParseNmapDH reads the text output of ssl-dh-params.
func ParseNmapDH(out string) []DHGroup {
	var gs []DHGroup
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(strings.TrimLeft(line, "|_ "))
		k, v, ok := strings.Cut(line, ": ")
		if !ok {
			continue
		}
		switch k {
		case "Cipher Suite":
			gs = append(gs, DHGroup{Suite: v})
		case "Modulus Type":
			if len(gs) > 0 {
				gs[len(gs)-1].SafePrime = v == "Safe prime"
			}
		case "Modulus Source":
			if len(gs) > 0 {
				gs[len(gs)-1].Source = v
			}
		case "Modulus Length":
			if len(gs) > 0 {
				fmt.Sscan(v, &gs[len(gs)-1].Bits)
			}
		}
	}
	return gs
}

// Testssl runs testssl.sh (Debian names it testssl) with the given check
// flags (e.g. -R -C) against addr and returns its findings by id. It takes
// seconds per check group: use it for the few checks sslscan cannot make.
func Testssl(ctx context.Context, dir, addr string, checks ...string) (map[string]string, error) {
	tool := "testssl"
	if _, err := exec.LookPath(tool); err != nil {
		tool = "testssl.sh"
	}
	file := filepath.Join(dir, "testssl.json")
	args := append([]string{"--quiet", "--color", "0", "--warnings", "off", "--jsonfile", file}, checks...)
	out, err := exec.CommandContext(ctx, tool, append(args, addr)...).CombinedOutput()
	b, rerr := os.ReadFile(file)
	if rerr != nil {
		return nil, fmt.Errorf("%s: %v (%v)\n%s", tool, rerr, err, out)
	}
	var items []struct {
		ID      string `json:"id"`
		Finding string `json:"finding"`
	}
	if err := json.Unmarshal(b, &items); err != nil {
		return nil, fmt.Errorf("%s JSON: %v", tool, err)
	}
	m := map[string]string{}
	for _, it := range items {
		m[it.ID] = it.Finding
	}
	return m, nil
}

// Group is one key exchange group in sslscan's "Server Key Exchange
// Group(s)" section, which sslscan finds by offering each group alone.
type Group struct {
	Version string // TLS1.3
	ID      string // code point, "0x0019"
	Name    string // sslscan's name: "secp521r1 (NIST P-521)"
	// Strength is sslscan's bits column: the security strength it
	// estimates (260 for secp521r1, 112 for ffdhe2048), not the group's size.
	Strength int
	// HandshakeBits is the size of the group of sslscan's own handshakes
	// at that version (its cipher lines' ecdhebits or dhebits, OpenSSL's
	// "Server Temp Key"), when the group is the one they used; else 0.
	HandshakeBits int
}

// SSLScanGroups runs sslscan against addr at TLS 1.3 and returns the groups
// it enumerates.
func SSLScanGroups(ctx context.Context, addr string) ([]Group, error) {
	out, err := exec.CommandContext(ctx, "sslscan", "--xml=-", "--no-colour", "--no-heartbleed", "--no-renegotiation",
		"--no-compression", "--no-fallback", "--tls13", addr).Output()
	if err != nil {
		return nil, fmt.Errorf("sslscan: %v", err)
	}
	return ParseSSLScanGroups(out)
}

// ParseSSLScanGroups reads the <group> elements of `sslscan --xml=-`.
func ParseSSLScanGroups(out []byte) ([]Group, error) {
	var doc struct {
		Ciphers []struct {
			Version string `xml:"sslversion,attr"`
			Curve   string `xml:"curve,attr"`
			ECDHE   int    `xml:"ecdhebits,attr"`
			DHE     int    `xml:"dhebits,attr"`
		} `xml:"ssltest>cipher"`
		Groups []struct {
			Version string `xml:"sslversion,attr"`
			Bits    int    `xml:"bits,attr"`
			Name    string `xml:"name,attr"`
			ID      string `xml:"id,attr"`
		} `xml:"ssltest>group"`
	}
	if err := xml.Unmarshal(out, &doc); err != nil {
		return nil, fmt.Errorf("sslscan XML: %v", err)
	}
	var gs []Group
	for _, g := range doc.Groups {
		v := strings.Replace(g.Version, "TLSv", "TLS", 1)
		id := "0x" + strings.ToUpper(strings.TrimPrefix(g.ID, "0x"))
		grp := Group{Version: v, ID: id, Name: g.Name, Strength: g.Bits}
		for _, c := range doc.Ciphers {
			if strings.Replace(c.Version, "TLSv", "TLS", 1) != v {
				continue
			}
			// cipher lines name a curve as OpenSSL does ("P-521", "25519")
			// and a finite-field group by its size only
			switch {
			case c.Curve != "" && strings.Contains(g.Name, c.Curve):
				grp.HandshakeBits = c.ECDHE
			case c.DHE > 0 && strings.HasPrefix(g.Name, "ffdhe") && g.Name == fmt.Sprintf("ffdhe%d", c.DHE):
				grp.HandshakeBits = c.DHE
			}
		}
		gs = append(gs, grp)
	}
	return gs, nil
}
