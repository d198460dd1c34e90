// Package demo is `selfassess run --demo`: bundled answers, evidence and a
// flawed source tree for the FinHub checklist, and two local HTTPS sites
// (one well configured, one with the usual flaws) to probe.
package demo

import (
	"crypto/tls"
	"crypto/x509"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/pki"
)

// data holds the demo's bundled inputs: answers for the FinHub
// checklist, the evidence file they name, and a small source tree with
// typical flaws for the source.* probes.
//
//go:embed data
var data embed.FS

// OutDir is where `run --demo` writes unless --out is given.
const OutDir = "selfassess-demo"

// Project is the demo's organisation, as selfassess.yaml would give it.
var Project = assessment.Project{Organisation: "Demo Payments Ltd", Integration: "Demo Checkout",
	Contacts: []string{"security@demo-payments.example"}}

// Demo is a prepared demo: its inputs in a temporary folder and its sites running.
type Demo struct {
	Checklist *checklist.Checklist
	Answers   *answers.File
	// Source is the bundled source tree for the source.* probes.
	Source  string
	Targets *Targets
	dir     string
}

// Close stops the sites and removes the inputs.
func (d *Demo) Close() {
	if d.Targets != nil {
		d.Targets.Stop()
	}
	os.RemoveAll(d.dir)
}

// Start writes the bundled inputs to a temporary folder (the package copies
// the answers and evidence it needs, so the output folder holds only the
// package), moves their dates next to now and starts the two sites.
func Start(now time.Time) (*Demo, error) {
	dir, err := os.MkdirTemp("", "selfassess-demo-")
	if err != nil {
		return nil, fmt.Errorf("creating a temporary directory: %w", err)
	}
	d := &Demo{dir: dir, Source: filepath.Join(dir, "source")}
	if err := writeInputs(dir); err != nil {
		d.Close()
		return nil, fmt.Errorf("writing the demo inputs to %s: %w", dir, err)
	}
	if d.Checklist, err = checklist.Builtin("finhub"); err != nil {
		d.Close()
		return nil, fmt.Errorf("loading the FinHub checklist: %w", err)
	}
	if d.Answers, err = answers.LoadFor(filepath.Join(dir, "answers.yaml"), d.Checklist); err != nil {
		d.Close()
		return nil, fmt.Errorf("the bundled demo answers do not fit the FinHub checklist: %w", err)
	}
	// The package copies the answers file, so it gets the fresh dates too.
	if FreshenDates(d.Checklist, d.Answers, now) {
		if err := answers.Save(d.Answers); err != nil {
			d.Close()
			return nil, fmt.Errorf("writing the demo answers: %w", err)
		}
	}
	if d.Targets, err = StartTargets(); err != nil {
		d.Close()
		return nil, fmt.Errorf("starting the demo targets: %w", err)
	}
	return d, nil
}

// FreshenDates moves the bundled answers' dates next to today, so the
// demo gives the same result whenever it runs: a date answer becomes 30 days
// ago (within any max_age_days) and a remediation due date 120 days ahead.
// It reports whether it changed anything.
func FreshenDates(cl *checklist.Checklist, ans *answers.File, now time.Time) bool {
	today, changed := now.UTC(), false
	for _, sc := range cl.Controls() {
		a := ans.Controls[sc.Control.ID]
		if a == nil {
			continue
		}
		if a.Due != "" {
			a.Due, changed = today.AddDate(0, 0, 120).Format(time.DateOnly), true
		}
		for _, q := range sc.Control.Questions {
			if _, ok := a.Answers[q.ID]; !ok || q.Type != checklist.Date {
				continue
			}
			ago := 30
			if q.Pass != nil && q.Pass.MaxAgeDays > 0 && q.Pass.MaxAgeDays <= ago {
				ago = q.Pass.MaxAgeDays / 2
			}
			a.Answers[q.ID], changed = today.AddDate(0, 0, -ago).Format(time.DateOnly), true
		}
	}
	return changed
}

// writeInputs copies the bundled inputs to dir, replacing earlier copies.
func writeInputs(dir string) error {
	return fs.WalkDir(data, "data", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("data", filepath.FromSlash(p))
		dst := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := data.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
}

// Targets are the demo's two HTTPS sites on loopback.
type Targets struct {
	Good, Flawed string // URLs
	// Roots trusts the demo CA, which exists only in this process; CAPEM is its certificate.
	Roots   *x509.CertPool
	CAPEM   []byte
	servers []*http.Server
}

// Stop shuts both sites down.
func (d *Targets) Stop() {
	for _, s := range d.servers {
		s.Close()
	}
}

// StartTargets serves the two demo sites over TLS on loopback, with a
// certificate from a CA that exists only in this process.
func StartTargets() (*Targets, error) {
	cert, ca, err := certificate(time.Now())
	if err != nil {
		return nil, err
	}
	d := &Targets{Roots: ca.Pool, CAPEM: ca.CertPEM()}
	serve := func(h http.Handler, minVersion uint16, suites []uint16) (string, error) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", err
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ErrorLog: quietLog(),
			TLSConfig: &tls.Config{MinVersion: minVersion, CipherSuites: suites, Certificates: []tls.Certificate{cert}}}
		d.servers = append(d.servers, srv)
		go srv.ServeTLS(ln, "", "")
		return "https://localhost:" + fmt.Sprint(ln.Addr().(*net.TCPAddr).Port) + "/", nil
	}
	if d.Good, err = serve(goodHandler(), tls.VersionTLS12, strongSuites); err != nil {
		d.Stop()
		return nil, err
	}
	// The flawed site still accepts TLS 1.0, as old load balancers do.
	if d.Flawed, err = serve(flawedHandler(), tls.VersionTLS10, nil); err != nil {
		d.Stop()
		return nil, err
	}
	return d, nil
}

// strongSuites are the TLS 1.2 suites of the well-configured site: AEAD
// with forward secrecy only (TLS 1.3 suites are not configurable and all strong).
var strongSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
}

// certificate makes a throwaway CA and a 90-day leaf certificate for
// localhost and the loopback addresses.
func certificate(now time.Time) (tls.Certificate, *pki.CA, error) {
	notBefore, notAfter := now.Add(-time.Hour), now.Add(90*24*time.Hour)
	ca, err := pki.NewCA("selfassess demo CA", notBefore, notAfter)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := ca.Issue(pki.Leaf{Hosts: []string{"localhost", "127.0.0.1", "::1"}, NotBefore: notBefore, NotAfter: notAfter})
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	return leaf, ca, nil
}

const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Demo Checkout</title>
<script src="/static/app.js" defer></script></head>
<body><h1>Demo Checkout</h1><p>Pay with FinHub.</p></body></html>
`

const goodJS = `document.addEventListener("DOMContentLoaded", function () {
  fetch("/api/session", { credentials: "include" }).then(function (r) { return r.json(); });
});
`

// The flawed script keeps the access token where any injected script can read it.
const flawedJS = `async function login(user, pass) {
  const r = await fetch("/api/login", { method: "POST", body: JSON.stringify({ user, pass }) });
  const data = await r.json();
  localStorage.setItem("access_token", data.access_token);
}
`

func securityTxt() string {
	return "Contact: mailto:security@demo-payments.example\nExpires: " +
		time.Now().Add(180*24*time.Hour).UTC().Format(time.RFC3339) + "\nPreferred-Languages: en\n"
}

// goodHandler is a well-configured site: HSTS, security headers,
// secure cookies, generic errors, security.txt, rate-limit headers.
func goodHandler() http.Handler {
	secure := func(h http.Header) {
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		h.Set("Content-Security-Policy", "default-src 'self'; object-src 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		h.Set("RateLimit-Policy", `"default";q=100;w=60`)
		h.Set("RateLimit", `"default";r=99;t=60`)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		secure(w.Header())
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"invalid request"}`)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Add("Set-Cookie", "session=7f3c9a1e5b2d4f60a8c1e3b5d7f9a2c4; Path=/; Secure; HttpOnly; SameSite=Lax")
		io.WriteString(w, page)
	})
	mux.HandleFunc("/static/app.js", func(w http.ResponseWriter, r *http.Request) {
		secure(w.Header())
		w.Header().Set("Content-Type", "text/javascript")
		io.WriteString(w, goodJS)
	})
	mux.HandleFunc("/.well-known/security.txt", func(w http.ResponseWriter, r *http.Request) {
		secure(w.Header())
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, securityTxt())
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern == "" {
			secure(w.Header())
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, "Not found.\n")
			return
		}
		mux.ServeHTTP(w, r)
	})
}

const stackTrace = `Internal Server Error

Traceback (most recent call last):
  File "/srv/checkout/app/views.py", line 42, in handle
    order = Order.objects.get(id=request.GET["id"])
KeyError: 'id'
`

// flawedHandler has the typical flaws: no HSTS or security headers, a
// cookie without flags, version banners, a token written to localStorage,
// stack traces on error pages, no security.txt.
func flawedHandler() http.Handler {
	banners := func(h http.Header) {
		h.Set("Server", "Apache/2.4.49 (Unix)")
		h.Set("X-Powered-By", "PHP/7.4.3")
	}
	leak := func(w http.ResponseWriter) {
		banners(w.Header())
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, stackTrace)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			leak(w)
			return
		}
		banners(w.Header())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Add("Set-Cookie", "session=7f3c9a1e5b2d4f60a8c1e3b5d7f9a2c4; Path=/")
		io.WriteString(w, page)
	})
	mux.HandleFunc("/static/app.js", func(w http.ResponseWriter, r *http.Request) {
		banners(w.Header())
		w.Header().Set("Content-Type", "text/javascript")
		io.WriteString(w, flawedJS)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern == "" {
			leak(w)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// quietLog drops the servers' own log lines (TLS handshake errors from the
// prober's deliberately odd ClientHellos would otherwise fill the terminal).
func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }
