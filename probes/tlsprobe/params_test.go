package tlsprobe

import (
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/selfassess/selfassess/probes"
)

// The thresholds a checklist sets: min_version, allowed_classes,
// expiry_warn_days and min_rsa_bits change the verdict on one server; the
// defaults keep the verdict the probes always gave.
func TestTLSParameters(t *testing.T) {
	ca := newCA(t, "Test CA")
	addr := startGoTLS(t, &tls.Config{
		Certificates: []tls.Certificate{ca.leaf(t, leafOpts{hosts: []string{"127.0.0.1"}, rsaBits: 2048,
			notAfter: time.Now().Add(45 * 24 * time.Hour)})},
		MinVersion:   tls.VersionTLS10,
		MaxVersion:   tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA},
	})
	url := "https://" + addr
	check := func(rs map[string]probes.Result, id string, want probes.Status, text string) {
		t.Helper()
		r := rs[id]
		var all []string
		all = append(all, r.Summary)
		for _, f := range r.Findings {
			all = append(all, f.Message)
		}
		if r.Status != want || !strings.Contains(strings.Join(all, "\n"), text) {
			t.Errorf("%s = %s (%s), want %s mentioning %q", id, r.Status, strings.Join(all, "; "), want, text)
		}
	}

	def := runFamily(t, url, probes.Config{RootCAs: ca.pool})
	check(def, "tls.versions", probes.Fail, "TLS1.0 is offered; only TLS 1.2 and newer are acceptable")
	check(def, "tls.ciphers", probes.Warn, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA is weak")
	check(def, "tls.certificate", probes.Pass, "days left")

	set := runFamily(t, url, probes.Config{RootCAs: ca.pool, With: map[string]probes.Params{
		"tls.versions":    {"min_version": "TLS1.0"},
		"tls.ciphers":     {"allowed_classes": []string{"strong"}},
		"tls.certificate": {"expiry_warn_days": 60},
	}})
	check(set, "tls.versions", probes.Pass, "offered: TLS1.0 TLS1.1 TLS1.2")
	check(set, "tls.ciphers", probes.Fail, "(allowed classes: strong)")
	check(set, "tls.certificate", probes.Warn, "certificate expires in 44 days")

	strict := runFamily(t, url, probes.Config{RootCAs: ca.pool, With: map[string]probes.Params{
		"tls.versions":    {"min_version": "TLS1.3"},
		"tls.certificate": {"min_rsa_bits": 3072},
	}})
	check(strict, "tls.versions", probes.Fail, "no version from TLS 1.3 is offered")
	check(strict, "tls.certificate", probes.Fail, "RSA key of 2048 bits; at least 3072 are required")
}
