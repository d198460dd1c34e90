package submission

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// AllowedSigner is one line of an OpenSSH allowed_signers file
// (ssh-keygen(1), ALLOWED SIGNERS): PRINCIPALS [OPTIONS] KEYTYPE KEY.
type AllowedSigner struct {
	Line int
	// Principals is the comma-separated pattern list of the first field.
	Principals string
	// Namespaces is the namespaces="…" pattern list; "" allows any.
	Namespaces string
	// ValidAfter and ValidBefore bound when the key is trusted; zero = unbounded.
	ValidAfter, ValidBefore time.Time
	Key                     ssh.PublicKey
}

// ErrCertAuthority marks an allowed_signers line with cert-authority, which
// verify does not support (it would trust any key the CA certified).
var ErrCertAuthority = errors.New("cert-authority lines are not supported; list the signing key itself")

// ParseAllowedSigners reads an OpenSSH allowed_signers file; name prefixes
// errors ("name:LINE: …"). Every line must be well-formed: unlike
// ssh-keygen, which reads only as far as the first line that matches, a
// malformed line anywhere is an error, so a typo cannot go unnoticed.
func ParseAllowedSigners(name string, b []byte) ([]AllowedSigner, error) {
	var out []AllowedSigner
	for i, line := range strings.Split(string(b), "\n") {
		s, err := parseAllowedSigner(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, i+1, err)
		}
		if s != nil {
			s.Line = i + 1
			out = append(out, *s)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no signers listed", name)
	}
	return out, nil
}

func parseAllowedSigner(line string) (*AllowedSigner, error) {
	line = strings.TrimRight(strings.TrimLeft(line, " \t"), "\r")
	if line == "" || line[0] == '#' {
		return nil, nil
	}
	var s AllowedSigner
	var rest string
	if line[0] == '"' { // a quoted principals field, as ssh-keygen allows
		end := strings.IndexByte(line[1:], '"')
		if end < 0 {
			return nil, errors.New("principals: missing end quote")
		}
		s.Principals, rest = line[1:end+1], line[end+2:]
	} else {
		i := strings.IndexAny(line, " \t")
		if i < 0 {
			return nil, errors.New("no public key")
		}
		s.Principals, rest = line[:i], line[i:]
	}
	if s.Principals == "" {
		return nil, errors.New("no principals")
	}
	pub, _, opts, tail, err := ssh.ParseAuthorizedKey([]byte(rest))
	if err != nil || len(strings.TrimSpace(string(tail))) > 0 {
		return nil, errors.New("no public key")
	}
	s.Key = pub
	seen := map[string]bool{}
	for _, o := range opts {
		k, v, hasValue := strings.Cut(o, "=")
		k = strings.ToLower(k)
		if k == "cert-authority" && !hasValue {
			return nil, ErrCertAuthority
		}
		if k != "namespaces" && k != "valid-after" && k != "valid-before" {
			return nil, fmt.Errorf("unknown option %q (want namespaces, valid-after or valid-before)", o)
		}
		if seen[k] {
			return nil, fmt.Errorf("more than one %s option", k)
		}
		seen[k] = true
		if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			return nil, fmt.Errorf("%s: the value must be in double quotes", k)
		}
		v = strings.ReplaceAll(v[1:len(v)-1], `\"`, `"`)
		switch k {
		case "namespaces":
			s.Namespaces = v
		case "valid-after":
			s.ValidAfter, err = ParseSignerTime(v)
		case "valid-before":
			s.ValidBefore, err = ParseSignerTime(v)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", k, err)
		}
	}
	if !s.ValidAfter.IsZero() && !s.ValidBefore.IsZero() && !s.ValidBefore.After(s.ValidAfter) {
		return nil, errors.New("valid-before is not after valid-after")
	}
	return &s, nil
}

// ParseSignerTime reads an allowed_signers time as ssh-keygen does:
// YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, in local time unless it ends
// in Z or UTC.
func ParseSignerTime(v string) (time.Time, error) {
	loc := time.Local
	s := v
	if u := strings.ToUpper(s); strings.HasSuffix(u, "UTC") && len(s) > 3 {
		s, loc = s[:len(s)-3], time.UTC
	} else if strings.HasSuffix(u, "Z") && len(s) > 1 {
		s, loc = s[:len(s)-1], time.UTC
	}
	layouts := map[int]string{8: "20060102", 12: "200601021504", 14: "20060102150405"}
	layout, ok := layouts[len(s)]
	if ok {
		for _, c := range s {
			ok = ok && c >= '0' && c <= '9'
		}
	}
	if !ok {
		return time.Time{}, fmt.Errorf("%q is not a time (want YYYYMMDD[HHMM[SS]][Z])", v)
	}
	t, err := time.ParseInLocation(layout, s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a valid date", v)
	}
	return t, nil
}

// signerVerdict says whether line trusts key for principal and namespace
// at now; why is the reason when it does not.
func (s *AllowedSigner) verdict(key ssh.PublicKey, principal, namespace string, now time.Time) (ok bool, why string) {
	switch {
	case string(s.Key.Marshal()) != string(key.Marshal()):
		return false, ""
	case matchPatternList(principal, s.Principals) != 1:
		return false, fmt.Sprintf("line %d lists the key for %q, not principal %q", s.Line, s.Principals, principal)
	case !s.ValidAfter.IsZero() && now.Before(s.ValidAfter):
		return false, fmt.Sprintf("line %d: the key is not valid before %s", s.Line, s.ValidAfter.Format(time.RFC3339))
	case !s.ValidBefore.IsZero() && now.After(s.ValidBefore):
		return false, fmt.Sprintf("line %d: the key expired at %s", s.Line, s.ValidBefore.Format(time.RFC3339))
	case s.Namespaces != "" && matchPatternList(namespace, s.Namespaces) != 1:
		return false, fmt.Sprintf("line %d allows the key for namespaces %q, not %q", s.Line, s.Namespaces, namespace)
	}
	return true, ""
}

// matchPatternList is OpenSSH's match_pattern_list: 1 when s matches one of
// the comma-separated patterns (* and ? wildcards), -1 when it matches a
// negated one (!pattern), 0 otherwise.
func matchPatternList(s, list string) int {
	got := 0
	for _, p := range strings.Split(list, ",") {
		neg := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		// Only * and ? are special to OpenSSH; escape what path.Match would also read.
		p = strings.NewReplacer(`\`, `\\`, `[`, `\[`).Replace(p)
		if ok, _ := path.Match(p, s); ok {
			if neg {
				return -1
			}
			got = 1
		}
	}
	return got
}
