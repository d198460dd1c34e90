package tlsprobe

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	// ipki: the parameters named pki below are the servers' certificates
	"github.com/selfassess/selfassess/internal/localserver"
	ipki "github.com/selfassess/selfassess/internal/pki/pkitest"
	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/probes/tlsprobe/oracle"
)

// interopServer is one real TLS server the interop tests start.
type interopServer struct {
	name  string
	tools []string
	// start launches the server on 127.0.0.1:port and returns when it is
	// stopped by t.Cleanup; it must not block.
	start func(t testing.TB, dir string, port int, pki *interopPKI) error
	// expectVersions is a sanity check independent of the oracles, so a
	// misconfigured server cannot make both sides agree on nothing.
	expectVersions string
	// expectSuites must each appear (as a substring of a suite name) among
	// the accepted suites.
	expectSuites []string
}

type interopPKI struct {
	ca                                 *testCA
	rsaCert, rsaKey, ecCert, ecKey, dh string
	rsa                                tls.Certificate
}

const allTLS13 = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256"

// Debian's OpenSSL 3 has no 3DES (nor RC4) suites at all, so the Go server
// covers those. It runs at security level 2, which refuses TLS 1.0/1.1
// and most legacy suites on the server side: every legacy server sets
// @SECLEVEL=0 and an explicit minimum protocol so they are really enabled.
var interopServers = []interopServer{
	{
		name: "openssl-legacy-cbc-rsa", tools: []string{"openssl"}, expectVersions: "TLS1.0 TLS1.1 TLS1.2",
		expectSuites: []string{"TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA", "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"},
		start: opensslServer("-no_tls1_3", "-min_protocol", "TLSv1",
			"-cipher", "AES128-SHA:AES256-SHA:ECDHE-RSA-AES128-SHA:DHE-RSA-AES256-SHA:AES128-SHA256:CAMELLIA256-SHA:ECDHE-RSA-AES256-GCM-SHA384:@SECLEVEL=0"),
	},
	{
		name: "openssl-tls13-only", tools: []string{"openssl"}, expectVersions: "TLS1.3",
		expectSuites: []string{"TLS_AES_128_CCM_8_SHA256", "TLS_CHACHA20_POLY1305_SHA256"},
		start:        opensslServer("-tls1_3", "-ciphersuites", allTLS13),
	},
	{
		// P-256 only: our x25519 key share gets a HelloRetryRequest, which
		// still names the suite.
		name: "openssl-tls13-hrr-p256", tools: []string{"openssl"}, expectVersions: "TLS1.2 TLS1.3",
		expectSuites: []string{"TLS_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
		start:        opensslServer("-groups", "P-256", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384"),
	},
	{
		// OpenSSL 3's DEFAULT list no longer holds CCM, ARIA or CAMELLIA;
		// ALL does (and anonymous suites), so this server offers them all.
		name: "openssl-all-ccm-aria-camellia", tools: []string{"openssl"}, expectVersions: "TLS1.0 TLS1.1 TLS1.2 TLS1.3",
		expectSuites: []string{"_CCM", "_ARIA_", "_CAMELLIA_", "_anon_"},
		start:        opensslServer("-min_protocol", "TLSv1", "-cipher", "ALL:@SECLEVEL=0", "-ciphersuites", allTLS13),
	},
	{
		name: "openssl-ecdsa-null-serverpref", tools: []string{"openssl"}, expectVersions: "TLS1.0 TLS1.1 TLS1.2 TLS1.3",
		expectSuites: []string{"TLS_ECDHE_ECDSA_WITH_NULL_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
		start:        opensslServer("-ecdsa", "-serverpref", "-min_protocol", "TLSv1", "-cipher", "ALL:eNULL:@SECLEVEL=0"),
	},
	{
		name: "nginx-legacy-serverpref", tools: []string{"nginx"}, expectVersions: "TLS1.0 TLS1.1 TLS1.2",
		expectSuites: []string{"TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA256"},
		start: nginxServer("TLSv1 TLSv1.1 TLSv1.2",
			"ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-SHA:AES128-SHA:CAMELLIA128-SHA:AES256-SHA256:@SECLEVEL=0", ""),
	},
	{
		name: "nginx-tls13-only", tools: []string{"nginx"}, expectVersions: "TLS1.3",
		expectSuites: []string{"TLS_AES_256_GCM_SHA384"},
		start:        nginxServer("TLSv1.3", "DEFAULT", "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"),
	},
	{
		// crypto/tls still implements RC4 and 3DES when listed explicitly
		// (the tlsrsakex/tls3des GODEBUGs only change the defaults).
		name: "go-rc4-3des", expectVersions: "TLS1.0 TLS1.1 TLS1.2",
		expectSuites: []string{"TLS_RSA_WITH_RC4_128_SHA", "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
		start: func(t testing.TB, dir string, port int, pki *interopPKI) error {
			ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
			if err != nil {
				return err
			}
			t.Cleanup(func() { ln.Close() })
			go ipki.Serve(ln, 10*time.Second, ipki.Handshake(&tls.Config{
				Certificates: []tls.Certificate{pki.rsa}, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS12,
				CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_RC4_128_SHA,
					tls.TLS_RSA_WITH_RC4_128_SHA, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA},
			}))
			return nil
		},
	},
}

func opensslServer(args ...string) func(t testing.TB, dir string, port int, pki *interopPKI) error {
	return func(t testing.TB, dir string, port int, pki *interopPKI) error {
		cert, key := pki.rsaCert, pki.rsaKey
		var rest []string
		for _, a := range args {
			if a == "-ecdsa" {
				cert, key = pki.ecCert, pki.ecKey
				continue
			}
			rest = append(rest, a)
		}
		full := append([]string{"s_server", "-quiet", "-www", "-accept", fmt.Sprintf("127.0.0.1:%d", port),
			"-cert", cert, "-key", key, "-dhparam", pki.dh}, rest...)
		return startProcess(t, dir, "openssl", full...)
	}
}

func nginxServer(protocols, ciphers, suites13 string) func(t testing.TB, dir string, port int, pki *interopPKI) error {
	return func(t testing.TB, dir string, port int, pki *interopPKI) error {
		conf := fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  server {
    listen 127.0.0.1:%[2]d ssl;
    ssl_certificate %[3]s;
    ssl_certificate_key %[4]s;
    ssl_dhparam %[5]s;
    ssl_protocols %[6]s;
    ssl_ciphers %[7]s;
    ssl_prefer_server_ciphers on;
    %[8]s
    location / { return 200 "ok\n"; }
  }
}
`, dir, port, pki.rsaCert, pki.rsaKey, pki.dh, protocols, ciphers, conf13(suites13))
		path := filepath.Join(dir, "nginx.conf")
		if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
			return err
		}
		return startProcess(t, dir, "nginx", "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", path)
	}
}

func conf13(suites string) string {
	if suites == "" {
		return ""
	}
	return "ssl_conf_command Ciphersuites " + suites + ";"
}

// startProcess runs a server until the test ends; its output goes to a
// log file shown when the test fails.
func startProcess(t testing.TB, dir, name string, args ...string) error {
	p, err := localserver.Start(dir, name, args...)
	if err != nil {
		return err
	}
	t.Cleanup(func() {
		p.Stop()
		if t.Failed() {
			b, _ := os.ReadFile(p.Log)
			t.Logf("%s log:\n%s", name, b)
		}
	})
	return nil
}

func newInteropPKI(t testing.TB) *interopPKI {
	dir := t.TempDir()
	ca := newCA(t, "Interop Test CA")
	pki := &interopPKI{ca: ca}
	pki.rsa = ca.leaf(t, leafOpts{hosts: []string{"127.0.0.1", "localhost"}, rsaBits: 2048})
	pki.rsaCert, pki.rsaKey = writePEM(t, dir, "rsa", pki.rsa)
	pki.ecCert, pki.ecKey = writePEM(t, dir, "ec", ca.leaf(t, leafOpts{hosts: []string{"127.0.0.1", "localhost"}}))
	if _, err := exec.LookPath("openssl"); err == nil {
		pki.dh = filepath.Join(dir, "dh.pem")
		if out, err := exec.Command("openssl", "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:ffdhe2048", "-out", pki.dh).CombinedOutput(); err != nil {
			t.Fatalf("openssl dhparam: %v\n%s", err, out)
		}
	}
	return pki
}

// startInterop starts srv on a free port (retrying on a port collision) and
// returns host:port.
func startInterop(t testing.TB, srv interopServer, pki *interopPKI) string {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		dir := t.TempDir()
		port, err := localserver.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		if err := srv.start(t, dir, port, pki); err != nil {
			lastErr = err
			continue
		}
		if lastErr = localserver.WaitListening(addr, 10*time.Second, nil); lastErr == nil {
			return addr
		}
	}
	t.Fatalf("starting %s: %v", srv.name, lastErr)
	return ""
}

// probeJSON runs the tls family as `selfassess probe --format json` does
// and returns the same JSON document.
func probeJSON(t *testing.T, url string, roots *probes.Config) []byte {
	cfg := probes.Config{Timeout: 5 * time.Second}
	if roots != nil {
		cfg = *roots
	}
	rs := probes.Run(context.Background(), []probes.Family{NewFamily()}, []probes.Target{{Kind: probes.KindURL, Value: url}}, cfg)
	b, err := json.Marshal(struct {
		Probes []probes.Result `json:"probes"`
	}{rs})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestInteropMatchesSSLScanAndNmap starts each real server and checks that
// versions, suites and certificate facts equal what sslscan and nmap report.
func TestInteropMatchesSSLScanAndNmap(t *testing.T) {
	oracle.Require(t, "sslscan", "nmap")
	t.Parallel() // beside the testssl.sh comparison: both are mostly the oracles' own time
	pki := newInteropPKI(t)
	for _, srv := range interopServers {
		t.Run(srv.name, func(t *testing.T) {
			oracle.Require(t, srv.tools...)
			t.Parallel()
			addr := startInterop(t, srv, pki)
			host, port, _ := net.SplitHostPort(addr)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()

			doc := probeJSON(t, "https://"+addr, &probes.Config{Timeout: 5 * time.Second, RootCAs: pki.ca.pool})
			ours, err := oracle.FromProbeJSON(doc, true)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(ours.Versions, " "); got != srv.expectVersions {
				t.Fatalf("selfassess offered versions %q, the server is configured for %q", got, srv.expectVersions)
			}

			names, _ := oracle.FromProbeJSON(doc, false)
			all := fmt.Sprint(names.Suites)
			for _, want := range srv.expectSuites {
				if !strings.Contains(all, want) {
					t.Errorf("no accepted suite matches %q; the server is configured to offer one", want)
				}
			}

			scan, err := oracle.SSLScan(ctx, addr, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range oracle.Diff(scan, ours) {
				t.Errorf("sslscan: %s", d)
			}

			nm, err := oracle.Nmap(ctx, host, port)
			if err != nil {
				t.Fatal(err)
			}
			nm.Cert = nil // nmap's script does not report the certificate
			for _, d := range oracle.Diff(nm, names) {
				t.Errorf("nmap: %s", d)
			}
			for v, pref := range nm.Preference {
				if ourPref, ok := names.Preference[v]; ok && (pref == "server" || pref == "client") && pref != ourPref {
					t.Errorf("%s: nmap says the %s's order is used, selfassess says the %s's", v, pref, ourPref)
				}
			}
			if t.Failed() {
				t.Logf("selfassess: %s", doc)
			}
		})
	}
}

// TestInteropDHGroupsMatchNmap: the DHE group openssl s_server uses, as
// tls.ciphers reads it, against nmap's ssl-dh-params (issue 12 item 23).
// nmap lists only the groups it finds weak (1024 bits or fewer); we warn
// below 2048 bits and on non-safe primes.
func TestInteropDHGroupsMatchNmap(t *testing.T) {
	oracle.Require(t, "openssl", "nmap")
	pki := newInteropPKI(t)
	cases := []struct {
		group     string // openssl genpkey -pkeyopt
		bits      int
		safe      bool
		status    probes.Status
		nmapsWeak bool
	}{
		{"group:ffdhe2048", 2048, true, probes.Pass, false},
		{"group:modp_1536", 1536, true, probes.Warn, false},
		{"dh_rfc5114:1", 1024, false, probes.Warn, true},
	}
	for _, tc := range cases {
		t.Run(tc.group, func(t *testing.T) {
			dir := t.TempDir()
			dh := filepath.Join(dir, "dh.pem")
			if out, err := exec.Command("openssl", "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", tc.group, "-out", dh).CombinedOutput(); err != nil {
				t.Fatalf("openssl genpkey: %v\n%s", err, out)
			}
			addr := startInterop(t, interopServer{name: tc.group, start: func(t testing.TB, dir string, port int, p *interopPKI) error {
				return startProcess(t, dir, "openssl", "s_server", "-quiet", "-www", "-accept", fmt.Sprintf("127.0.0.1:%d", port),
					"-cert", p.rsaCert, "-key", p.rsaKey, "-dhparam", dh, "-no_tls1_3",
					"-cipher", "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:@SECLEVEL=0")
			}}, pki)
			r := runFamily(t, "https://"+addr, probes.Config{RootCAs: pki.ca.pool})["tls.ciphers"]
			obs := r.Observed.(CiphersObserved)
			if len(obs.KeyExchange) != 1 {
				t.Fatalf("key exchange = %+v", obs.KeyExchange)
			}
			k := obs.KeyExchange[0]
			if r.Status != tc.status || k.Bits != tc.bits || k.SafePrime == nil || *k.SafePrime != tc.safe {
				t.Errorf("got %s %+v (findings %+v)", r.Status, k, r.Findings)
			}

			host, port, _ := net.SplitHostPort(addr)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			nm, err := oracle.NmapDH(ctx, host, port)
			if err != nil {
				t.Fatal(err)
			}
			if (len(nm) > 0) != tc.nmapsWeak {
				t.Fatalf("nmap ssl-dh-params: %+v, want weak=%v", nm, tc.nmapsWeak)
			}
			for _, g := range nm {
				if g.Bits != k.Bits || g.SafePrime != *k.SafePrime {
					t.Errorf("nmap: %+v, selfassess: %+v", g, k)
				}
				if r.Status == probes.Pass {
					t.Errorf("nmap finds the group weak (%s), selfassess passes it", g.Source)
				}
			}
		})
	}
}

// TestInteropRenegotiationAndCompressionMatchTestssl: RFC 5746 support and
// TLS compression as tls.versions reads them from the ServerHellos, against
// testssl.sh's -R and -C checks on a real server (issue 12 item 28). The
// opposite cases (no renegotiation_info, DEFLATE) need the raw server of
// TestCompressionAndRenegotiation: Debian's OpenSSL cannot produce them.
func TestInteropRenegotiationAndCompressionMatchTestssl(t *testing.T) {
	oracle.Require(t, "openssl", "testssl")
	t.Parallel() // testssl.sh takes ~10 s of its own; the package's other tests run meanwhile
	pki := newInteropPKI(t)
	addr := startInterop(t, interopServer{name: "openssl-tls12", start: opensslServer("-no_tls1_3", "-min_protocol", "TLSv1", "-cipher", "DEFAULT:@SECLEVEL=0")}, pki)
	r := runFamily(t, "https://"+addr, probes.Config{RootCAs: pki.ca.pool})["tls.versions"]
	obs := r.Observed.(VersionsObserved)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ts, err := oracle.Testssl(ctx, t.TempDir(), addr, "-R", "-C")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("testssl: secure_renego=%q CRIME_TLS=%q; selfassess: %+v %v", ts["secure_renego"], ts["CRIME_TLS"], obs.SecureRenegotiation, obs.Compression)
	if len(obs.SecureRenegotiation) != 3 {
		t.Errorf("secure renegotiation judged for %v, want TLS1.0-1.2", obs.SecureRenegotiation)
	}
	for v, ok := range obs.SecureRenegotiation {
		if ok != (ts["secure_renego"] == "supported") {
			t.Errorf("%s: secure renegotiation %v, testssl says %q", v, ok, ts["secure_renego"])
		}
	}
	if (len(obs.Compression) > 0) != strings.Contains(ts["CRIME_TLS"], "VULNERABLE") || ts["CRIME_TLS"] == "" {
		t.Errorf("compression %v, testssl CRIME_TLS %q", obs.Compression, ts["CRIME_TLS"])
	}
}

// TestInteropOCSPStapleFromOpenSSL: openssl s_server -status_file staples a
// revoked response; tls.certificate must read and judge it.
func TestInteropOCSPStapleFromOpenSSL(t *testing.T) {
	oracle.Require(t, "openssl")
	pki := newInteropPKI(t)
	der, err := ocsp.CreateResponse(pki.ca.cert, pki.ca.cert, ocsp.Response{Status: ocsp.Revoked, SerialNumber: pki.rsa.Leaf.SerialNumber,
		ThisUpdate: time.Now().Add(-time.Hour), NextUpdate: time.Now().Add(24 * time.Hour), RevokedAt: time.Now().Add(-2 * time.Hour)}, pki.ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "ocsp.der")
	if err := os.WriteFile(file, der, 0o600); err != nil {
		t.Fatal(err)
	}
	addr := startInterop(t, interopServer{name: "openssl-ocsp", start: opensslServer("-status_file", file)}, pki)
	r := runFamily(t, "https://"+addr, probes.Config{RootCAs: pki.ca.pool})["tls.certificate"]
	f := r.Observed.(CertFacts)
	if r.Status != probes.Fail || f.OCSP == nil || !f.OCSP.Stapled || f.OCSP.Status != "revoked" || !strings.Contains(r.Summary, "revoked on") {
		t.Errorf("got %s %q %+v", r.Status, r.Summary, f.OCSP)
	}
}
