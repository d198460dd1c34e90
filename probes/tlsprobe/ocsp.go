package tlsprobe

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/selfassess/selfassess/probes"
)

// Revocation is judged from the OCSP response the server staples, never by
// asking the CA's responder named in the certificate's AIA: the probes
// contact only the targets the user named (a responder is a third party,
// and an assessment run from a locked-down network would hang on it or
// read "offline" as a verdict). Without a staple, revocation is unchecked
// and the finding says so.

// OCSPFacts describe a stapled OCSP response.
type OCSPFacts struct {
	Stapled    bool      `json:"stapled"`
	MustStaple bool      `json:"must_staple"`      // the certificate demands a staple (RFC 7633)
	Status     string    `json:"status,omitempty"` // good, revoked, unknown
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
	ThisUpdate time.Time `json:"this_update,omitzero"`
	NextUpdate time.Time `json:"next_update,omitzero"`
	Problem    string    `json:"problem,omitempty"`    // why the staple cannot be used
	Responders []string  `json:"responders,omitempty"` // AIA OCSP URLs, not contacted
}

// oidTLSFeature is the TLS Feature extension (RFC 7633); status_request (5)
// in it is "OCSP Must-Staple".
var oidTLSFeature = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 24}

func mustStaple(c *x509.Certificate) bool {
	for _, e := range c.Extensions {
		if !e.Id.Equal(oidTLSFeature) {
			continue
		}
		var features []int
		if _, err := asn1.Unmarshal(e.Value, &features); err == nil {
			for _, f := range features {
				if f == 5 {
					return true
				}
			}
		}
	}
	return false
}

// stapleFacts checks a stapled response against the leaf and its issuer
// (from the sent chain, else from the chain verify builds: the issuer may
// be a root the server rightly does not send).
func stapleFacts(chain []*x509.Certificate, staple []byte, verify func(*x509.Certificate, x509.VerifyOptions) ([][]*x509.Certificate, error), now time.Time) *OCSPFacts {
	leaf := chain[0]
	f := &OCSPFacts{Stapled: len(staple) > 0, MustStaple: mustStaple(leaf), Responders: leaf.OCSPServer}
	if !f.Stapled {
		return f
	}
	var issuer *x509.Certificate
	for _, c := range chain[1:] {
		if bytes.Equal(leaf.RawIssuer, c.RawSubject) && leaf.CheckSignatureFrom(c) == nil {
			issuer = c
			break
		}
	}
	if issuer == nil {
		inter := x509.NewCertPool()
		for _, c := range chain[1:] {
			inter.AddCert(c)
		}
		chains, err := verify(leaf, x509.VerifyOptions{Intermediates: inter, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
		if err == nil && len(chains) > 0 && len(chains[0]) > 1 {
			issuer = chains[0][1]
		}
	}
	if issuer == nil {
		f.Problem = "the issuer's certificate is unknown, so the response's signature cannot be checked"
		return f
	}
	resp, err := ocsp.ParseResponseForCert(staple, leaf, issuer)
	if err != nil {
		f.Problem = oneLine(err.Error())
		return f
	}
	f.ThisUpdate, f.NextUpdate = resp.ThisUpdate.UTC(), resp.NextUpdate.UTC()
	switch resp.Status {
	case ocsp.Good:
		f.Status = "good"
	case ocsp.Revoked:
		f.Status, f.RevokedAt = "revoked", resp.RevokedAt.UTC()
	default:
		f.Status = "unknown"
	}
	if !resp.NextUpdate.IsZero() && now.After(resp.NextUpdate) {
		f.Problem = "it expired on " + resp.NextUpdate.UTC().Format(time.DateOnly)
	}
	return f
}

func ocspFindings(f CertFacts) []probes.Finding {
	o := f.OCSP
	if o == nil {
		return nil
	}
	var out []probes.Finding
	add := func(st probes.Status, rule, msg string) {
		out = append(out, probes.Finding{Status: st, Rule: rule, Message: msg})
	}
	switch {
	case o.Status == "revoked":
		add(probes.Fail, "tls-cert-revoked", fmt.Sprintf("the stapled OCSP response says the certificate was revoked on %s", o.RevokedAt.Format(time.DateOnly)))
	case o.Stapled && o.Problem != "":
		add(probes.Warn, "tls-ocsp-staple-invalid", "the stapled OCSP response cannot be used: "+o.Problem)
	case o.Status == "unknown":
		add(probes.Warn, "tls-ocsp-staple-invalid", "the stapled OCSP response does not know the certificate")
	case !o.Stapled && o.MustStaple:
		add(probes.Fail, "tls-ocsp-must-staple", "the certificate demands OCSP stapling (Must-Staple), but the server staples no response: browsers that honour it refuse the site")
	case !o.Stapled:
		msg := "no OCSP response stapled: revocation is not checked (selfassess contacts only the targets you name, not the CA's OCSP responder"
		if len(o.Responders) > 0 {
			msg += " " + o.Responders[0]
		}
		add(probes.Info, "tls-ocsp-not-stapled", msg+")")
	}
	return out
}
