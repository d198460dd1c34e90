package probes

import (
	"crypto/x509"
	"errors"
	"strings"
	"sync"
)

// Trust is what https certificates are verified against when the user adds
// CA certificates (--ca-file): the system roots plus those.
//
// Parsing the system roots costs ~15 ms of CPU per process, as much as
// the whole TLS enumeration of a loopback server, so they are loaded only
// when a chain does not verify against the added CAs alone. That shortcut
// changes no verdict: a chain that verifies against a subset of the roots
// verifies against the whole set (more roots only add candidate chains),
// and a chain that does not is judged against the whole set, as before.
type Trust struct {
	extra *x509.CertPool
	all   func() *x509.CertPool
}

// ErrNoCertificates is NewTrust's error for PEM data without a certificate.
var ErrNoCertificates = errors.New("no certificates found")

// NewTrust returns the system roots plus the CA certificates in pem.
func NewTrust(pem []byte) (*Trust, error) {
	extra := x509.NewCertPool()
	if !extra.AppendCertsFromPEM(pem) {
		return nil, ErrNoCertificates
	}
	return &Trust{extra: extra, all: sync.OnceValue(func() *x509.CertPool {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		pool.AppendCertsFromPEM(pem)
		return pool
	})}, nil
}

// Pool returns every trusted root (system and added), loading the system
// roots on first use.
func (t *Trust) Pool() *x509.CertPool { return t.all() }

// Verify is leaf.Verify(opts) with opts.Roots set to the trusted roots.
func (t *Trust) Verify(leaf *x509.Certificate, opts x509.VerifyOptions) ([][]*x509.Certificate, error) {
	opts.Roots = t.extra
	if chains, err := leaf.Verify(opts); err == nil {
		return chains, nil
	}
	opts.Roots = t.all()
	return leaf.Verify(opts)
}

// VerifyCert verifies leaf against the run's trust: cfg.Trust when set,
// else cfg.RootCAs (nil = the system roots).
func (c Config) VerifyCert(leaf *x509.Certificate, opts x509.VerifyOptions) ([][]*x509.Certificate, error) {
	if c.Trust != nil {
		return c.Trust.Verify(leaf, opts)
	}
	opts.Roots = c.RootCAs
	return leaf.Verify(opts)
}

// warmRoots starts loading the system roots in the background when the run
// will verify https certificates against them (RootCAs and Trust unset), so
// the load overlaps the TLS enumeration, which needs no roots.
func warmRoots(cfg Config, targets []Target) {
	if cfg.RootCAs != nil || cfg.Trust != nil {
		return
	}
	for _, t := range targets {
		if (t.Kind == KindURL || t.Kind == KindWebhook) && len(t.Value) > 8 && strings.EqualFold(t.Value[:8], "https://") {
			go x509.SystemCertPool() //nolint:errcheck // only warms crypto/x509's process-wide cache
			return
		}
	}
}
