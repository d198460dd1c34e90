package cmd

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
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/pki"
)

// demodata holds the demo's bundled inputs: answers for the FinHub
// checklist, the evidence file they name, and a small source tree with
// typical flaws for the source.* probes.
//
//go:embed demodata
var demodata embed.FS

// demoOutDir is where `run --demo` writes unless --out is given.
const demoOutDir = "selfassess-demo"

// demoPlan starts the two demo targets and returns a plan that probes them
// with the bundled answers; stop shuts the targets down.
func (o *runOptions) demoPlan() (*runPlan, func(), error) {
	// The demo brings its own targets, answers and key: a flag it would
	// ignore is refused rather than silently dropped.
	for _, name := range []string{"config", "checklist", "target", "answers", "exceptions", "source", "webhook-url",
		"ca-file", "review", "allow-unanswered", "fail-on", "sign-key"} {
		if o.changed(name) {
			return nil, nil, usageErr("drop --"+name+", or run without --demo", "--demo uses its own targets, answers and key; --%s does not apply to it", name)
		}
	}
	outDir := demoOutDir
	if o.changed("out") {
		outDir = o.outDir
	}
	// The inputs go to a temporary directory: the package copies the answers
	// and evidence it needs, and the output directory holds only the package.
	inputDir, err := os.MkdirTemp("", "selfassess-demo-")
	if err != nil {
		return nil, nil, runtimeErr("", "creating a temporary directory: %v", err)
	}
	cleanup := func() { os.RemoveAll(inputDir) }
	if err := writeDemoInputs(inputDir); err != nil {
		cleanup()
		return nil, nil, runtimeErr("", "writing the demo inputs to %s: %v", inputDir, err)
	}
	cl, err := checklist.Builtin("finhub")
	if err != nil {
		cleanup()
		return nil, nil, runtimeErr("", "loading the FinHub checklist: %v", err)
	}
	ans, err := answers.LoadFor(filepath.Join(inputDir, "answers.yaml"), cl)
	if err != nil {
		cleanup()
		return nil, nil, runtimeErr("", "the bundled demo answers do not fit the FinHub checklist: %v", err)
	}
	// The package copies the answers file, so it gets the fresh dates too.
	if freshenDemoDates(cl, ans, o.now()) {
		if err := answers.Save(ans); err != nil {
			cleanup()
			return nil, nil, runtimeErr("", "writing the demo answers: %v", err)
		}
	}

	targets, err := startDemoTargets()
	if err != nil {
		cleanup()
		return nil, nil, runtimeErr("", "starting the demo targets: %v", err)
	}
	stop := func() { targets.stop(); cleanup() }
	o.probe.Source = filepath.Join(inputDir, "source")
	o.probe.WebhookURL = ""
	cfg, err := o.probe.config(o.ios)
	if err != nil {
		stop()
		return nil, nil, err
	}
	cfg.RootCAs = targets.roots // the demo trusts its own in-memory CA, and only it
	ts, err := o.probe.targets([]string{targets.good, targets.flawed})
	if err != nil {
		stop()
		return nil, nil, err
	}
	fmt.Fprintf(o.ios.ErrOut, "demo: well-configured target %s\ndemo: flawed target        %s\n", targets.good, targets.flawed)
	return &runPlan{
		cfg: &projectConfig{Organisation: "Demo Payments Ltd", Integration: "Demo Checkout",
			Contacts: []string{"security@demo-payments.example"}},
		cl: cl, ans: ans, probeCfg: cfg, targets: ts,
		failOn: checklist.High, outDir: outDir, ephemeral: true,
	}, stop, nil
}

// freshenDemoDates moves the bundled answers' dates next to today, so the
// demo gives the same result whenever it runs: a date answer becomes 30 days
// ago (within any max_age_days) and a remediation due date 120 days ahead.
// It reports whether it changed anything.
func freshenDemoDates(cl *checklist.Checklist, ans *answers.File, now time.Time) bool {
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

// writeDemoInputs copies the bundled inputs to dir, replacing earlier copies.
func writeDemoInputs(dir string) error {
	return fs.WalkDir(demodata, "demodata", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("demodata", filepath.FromSlash(p))
		dst := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := demodata.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
}

type demoTargets struct {
	good, flawed string
	roots        *x509.CertPool
	servers      []*http.Server
}

func (d *demoTargets) stop() {
	for _, s := range d.servers {
		s.Close()
	}
}

// startDemoTargets serves the two demo sites over TLS on loopback, with a
// certificate from a CA that exists only in this process.
func startDemoTargets() (*demoTargets, error) {
	cert, roots, err := demoCertificate(time.Now())
	if err != nil {
		return nil, err
	}
	d := &demoTargets{roots: roots}
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
	if d.good, err = serve(demoGoodHandler(), tls.VersionTLS12, demoStrongSuites); err != nil {
		d.stop()
		return nil, err
	}
	// The flawed site still accepts TLS 1.0, as old load balancers do.
	if d.flawed, err = serve(demoFlawedHandler(), tls.VersionTLS10, nil); err != nil {
		d.stop()
		return nil, err
	}
	return d, nil
}

// demoStrongSuites are the TLS 1.2 suites of the well-configured site: AEAD
// with forward secrecy only (TLS 1.3 suites are not configurable and all strong).
var demoStrongSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
}

// demoCertificate makes a throwaway CA and a 90-day leaf certificate for
// localhost and the loopback addresses.
func demoCertificate(now time.Time) (tls.Certificate, *x509.CertPool, error) {
	notBefore, notAfter := now.Add(-time.Hour), now.Add(90*24*time.Hour)
	ca, err := pki.NewCA("selfassess demo CA", notBefore, notAfter)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := ca.Issue(pki.Leaf{Hosts: []string{"localhost", "127.0.0.1", "::1"}, NotBefore: notBefore, NotAfter: notAfter})
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	return leaf, ca.Pool, nil
}

const demoPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Demo Checkout</title>
<script src="/static/app.js" defer></script></head>
<body><h1>Demo Checkout</h1><p>Pay with FinHub.</p></body></html>
`

const demoGoodJS = `document.addEventListener("DOMContentLoaded", function () {
  fetch("/api/session", { credentials: "include" }).then(function (r) { return r.json(); });
});
`

// The flawed script keeps the access token where any injected script can read it.
const demoFlawedJS = `async function login(user, pass) {
  const r = await fetch("/api/login", { method: "POST", body: JSON.stringify({ user, pass }) });
  const data = await r.json();
  localStorage.setItem("access_token", data.access_token);
}
`

func demoSecurityTxt() string {
	return "Contact: mailto:security@demo-payments.example\nExpires: " +
		time.Now().Add(180*24*time.Hour).UTC().Format(time.RFC3339) + "\nPreferred-Languages: en\n"
}

// demoGoodHandler is a well-configured site: HSTS, security headers,
// secure cookies, generic errors, security.txt, rate-limit headers.
func demoGoodHandler() http.Handler {
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
		io.WriteString(w, demoPage)
	})
	mux.HandleFunc("/static/app.js", func(w http.ResponseWriter, r *http.Request) {
		secure(w.Header())
		w.Header().Set("Content-Type", "text/javascript")
		io.WriteString(w, demoGoodJS)
	})
	mux.HandleFunc("/.well-known/security.txt", func(w http.ResponseWriter, r *http.Request) {
		secure(w.Header())
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, demoSecurityTxt())
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

const demoStackTrace = `Internal Server Error

Traceback (most recent call last):
  File "/srv/checkout/app/views.py", line 42, in handle
    order = Order.objects.get(id=request.GET["id"])
KeyError: 'id'
`

// demoFlawedHandler has the typical flaws: no HSTS or security headers, a
// cookie without flags, version banners, a token written to localStorage,
// stack traces on error pages, no security.txt.
func demoFlawedHandler() http.Handler {
	banners := func(h http.Header) {
		h.Set("Server", "Apache/2.4.49 (Unix)")
		h.Set("X-Powered-By", "PHP/7.4.3")
	}
	leak := func(w http.ResponseWriter) {
		banners(w.Header())
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, demoStackTrace)
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
		io.WriteString(w, demoPage)
	})
	mux.HandleFunc("/static/app.js", func(w http.ResponseWriter, r *http.Request) {
		banners(w.Header())
		w.Header().Set("Content-Type", "text/javascript")
		io.WriteString(w, demoFlawedJS)
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
