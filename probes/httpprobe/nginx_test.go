package httpprobe

import (
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/internal/localserver"
	"github.com/selfassess/selfassess/internal/pki"
	"github.com/selfassess/selfassess/internal/pki/pkitest"
	"github.com/selfassess/selfassess/internal/testenv"
	"github.com/selfassess/selfassess/probes"
)

// requireTool skips when a tool is missing, unless SELFASSESS_REQUIRE_INTEROP=1
// (set by .ci/run) makes that a failure.
func requireTool(t *testing.T, name string) {
	t.Helper()
	testenv.RequireTool(t, name)
}

// serverCert writes a certificate for 127.0.0.1 (signed by a fresh
// private CA) and its key into dir, and returns the pool trusting the CA.
func serverCert(t *testing.T, dir string) (certPath, keyPath string, pool *x509.CertPool) {
	now := time.Now()
	ca, err := pki.NewCA("nginx test CA", now.Add(-time.Hour), now.Add(24*time.Hour))
	require.NoError(t, err)
	leaf, err := ca.Issue(pki.Leaf{Hosts: []string{"127.0.0.1"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour)})
	require.NoError(t, err)
	certPath, keyPath, err = pkitest.WriteFiles(dir, "server", leaf)
	require.NoError(t, err)
	return certPath, keyPath, ca.Pool
}

func freePort(t *testing.T) int {
	port, err := localserver.FreePort()
	require.NoError(t, err)
	return port
}

// nginxSite writes the site's files and starts nginx with an HTTPS server
// (tlsPort) and a plain-HTTP server (plainPort), fixed or flawed.
func nginxSite(t *testing.T, fixed bool) (tlsPort, plainPort int, pool *x509.CertPool) {
	requireTool(t, "nginx")
	dir := t.TempDir()
	certPath, keyPath, pool := serverCert(t, dir)
	root := filepath.Join(dir, "www")
	require.NoError(t, os.MkdirAll(filepath.Join(root, ".well-known"), 0o755))
	write := func(name, content string) {
		require.NoError(t, os.WriteFile(filepath.Join(root, name), []byte(content), 0o644))
	}
	write("index.html", `<!doctype html><html><head><script src="/app.js"></script></head><body>shop</body></html>`)
	if !fixed {
		// a third-party stylesheet without integrity (js.sri)
		write("index.html", `<!doctype html><html><head><script src="/app.js"></script><link rel="stylesheet" href="https://cdn.elsewhere.example/shop.css"></head><body>shop</body></html>`)
	}
	if fixed {
		write("app.js", cleanJS)
		write(".well-known/security.txt", "Contact: mailto:security@example.com\nExpires: "+time.Now().Add(90*24*time.Hour).UTC().Format(time.RFC3339)+"\n")
	} else {
		write("app.js", leakyJS)
		write("debug404.html", "<pre>Traceback (most recent call last):\n  File \"/home/deploy/shop/views.py\", line 12, in page\nsqlite3.OperationalError: no such table: pages</pre>\n")
	}
	tlsPort, plainPort = freePort(t), freePort(t)

	var server, plain string
	if fixed {
		server = `
    server_tokens off;
    add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;
    add_header Content-Security-Policy "default-src 'self'; frame-ancestors 'none'" always;
    add_header X-Content-Type-Options nosniff always;
    add_header X-Frame-Options DENY always;
    add_header Referrer-Policy strict-origin-when-cross-origin always;
    add_header Permissions-Policy "camera=()" always;
    location = / {
      add_header Set-Cookie "session=` + plantedCookie + `; Path=/; Secure; HttpOnly; SameSite=Lax";
      add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;
      add_header Content-Security-Policy "default-src 'self'; frame-ancestors 'none'" always;
      add_header X-Content-Type-Options nosniff always;
      add_header X-Frame-Options DENY always;
      add_header Referrer-Policy strict-origin-when-cross-origin always;
      add_header Permissions-Policy "camera=()" always;
      try_files /index.html =404;
    }`
		plain = fmt.Sprintf(`return 301 https://$host:%d$request_uri;`, tlsPort)
	} else {
		server = `
    server_tokens on;
    add_header Strict-Transport-Security "max-age=600";
    add_header Access-Control-Allow-Origin $http_origin;
    add_header Access-Control-Allow-Credentials true;
    error_page 404 405 /debug404.html;
    location = / {
      add_header Set-Cookie "session=` + plantedCookie + `; Path=/";
      add_header Strict-Transport-Security "max-age=600";
      add_header Access-Control-Allow-Origin $http_origin;
      add_header Access-Control-Allow-Credentials true;
      try_files /index.html =404;
    }`
		plain = `root ` + root + `;`
	}
	conf := fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 256; }
http {
  access_log off;
  types { text/html html; text/javascript js; text/plain txt; }
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  server {
    listen 127.0.0.1:%[2]d ssl;
    ssl_certificate %[3]s;
    ssl_certificate_key %[4]s;
    root %[5]s;
    %[6]s
  }
  server {
    listen 127.0.0.1:%[7]d;
    %[8]s
  }
}
`, dir, tlsPort, certPath, keyPath, root, server, plainPort, plain)
	confPath := filepath.Join(dir, "nginx.conf")
	require.NoError(t, os.WriteFile(confPath, []byte(conf), 0o600))
	p, err := localserver.Start(dir, "nginx", "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", confPath)
	require.NoError(t, err)
	t.Cleanup(p.Stop)
	for _, port := range []int{tlsPort, plainPort} {
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if err := localserver.WaitListening(addr, 10*time.Second, p.Exited()); err != nil {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx: %v: %s", err, log)
		}
	}
	return tlsPort, plainPort, pool
}

// TestNginxFlawedAndFixed: the probes against a real nginx, misconfigured
// and then configured the way the providers ask.
func TestNginxFlawedAndFixed(t *testing.T) {
	for _, fixed := range []bool{true, false} {
		name := map[bool]string{true: "fixed", false: "flawed"}[fixed]
		t.Run(name, func(t *testing.T) {
			tlsPort, plainPort, pool := nginxSite(t, fixed)
			f := newFamily()
			f.plainHTTPPort = strconv.Itoa(plainPort)
			rs := run(t, f, fmt.Sprintf("https://127.0.0.1:%d/", tlsPort), nil, testConfig(pool, time.Now()))
			for _, id := range urlIDs {
				r := rs[id]
				switch {
				case id == "http.rate-limit":
					assert.Equal(t, probes.Info, r.Status, "%s: %s", id, r.Summary)
				case fixed:
					assert.Equal(t, probes.Pass, r.Status, "%s: %s %+v", id, r.Summary, r.Findings)
				default:
					assert.Equal(t, probes.Fail, r.Status, "%s: %s %+v", id, r.Summary, r.Findings)
				}
			}
			if !fixed {
				assert.Contains(t, findingRules(rs["http.banners"], probes.Fail), "banner-server")
				assert.Contains(t, findingRules(rs["http.error-leak"], probes.Fail), "sql-error")
			}
		})
	}
}
