// Package project is selfassess.yaml: the project's settings, committed with
// the code, loaded with the same FILE:LINE:COL: field: message errors as the
// other input files.
package project

import (
	"bytes"
	"fmt"
	"net/mail"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/input"
	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/submission"
)

// Schema is selfassess.yaml's optional `schema` value.
const Schema = "selfassess/config/v1"

// DefaultFile is read by `run` when present and no --config is given.
const DefaultFile = "selfassess.yaml"

// Config is selfassess.yaml: the project's settings, committed with
// the code. It never holds a secret: sign_key is a path to a key file (or to
// a public key whose private half is in ssh-agent).
type Config struct {
	Organisation string
	Integration  string
	Contacts     []string
	Checklist    string
	Targets      []string
	Source       string
	WebhookURL   string
	CAFile       string // PEM CA certificates trusted for the targets (a private CA)
	Answers      string
	Exceptions   string
	Output       string
	SignKey      string
	FailOn       string
	// ReviewerKeys is an allowed_signers file naming the provider's
	// reviewers (run --review checks the review against it).
	ReviewerKeys string
	// ReviewerRecipients are the provider reviewers' public keys
	// (ssh-ed25519, ssh-rsa or age1…): the package zip is encrypted to them.
	ReviewerRecipients []string

	// Path is the file the settings were read from ("" when none).
	Path string

	// History is how many commits source.secrets reads from the branch's
	// history, as --history (nil: the default; 0: none).
	History *int
}

// configKeys in the order init writes them.
var configKeys = []string{"schema", "organisation", "integration", "contacts", "checklist", "targets", "source", "history",
	"webhook_url", "ca_file", "answers", "exceptions", "output", "sign_key", "fail_on", "reviewer_keys", "reviewer_recipients"}

// keyMaterial recognises a key pasted where a path belongs.
var keyMaterial = regexp.MustCompile(`-----BEGIN|^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-|sk-)[^ ]* AAAA`)

// MaxHistory bounds history: (and --history): git log reads that many commits at most.
const MaxHistory = probes.MaxHistory

// maxFileSize bounds selfassess.yaml; a real one is well under a KiB.
const maxFileSize = 1 << 20

// Load reads a selfassess.yaml. Relative paths in it are relative to the
// file's directory. Every problem is reported at once as *input.Errors.
func Load(path string) (*Config, error) {
	data, err := input.ReadFile(path, maxFileSize)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse decodes selfassess.yaml from data; path names it in errors and
// anchors its relative paths.
func Parse(path string, data []byte) (*Config, error) {
	var errs []input.FieldError
	errf := func(n *yaml.Node, field, format string, a ...any) {
		errs = append(errs, input.FieldError{File: path, Line: n.Line, Col: n.Column, Path: field, Msg: fmt.Sprintf(format, a...)})
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &input.Errors{List: []input.FieldError{input.YAMLError(path, data, err)}}
	}
	c := &Config{Path: path}
	if len(doc.Content) == 0 {
		return c, nil // an empty file: no settings
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		errf(root, "", "expected settings such as `checklist: finhub`, got %s", input.KindName(root))
		return nil, &input.Errors{List: errs}
	}
	str := func(n *yaml.Node, field string, dst *string) {
		if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
			errf(n, field, "expected text, got %s", input.KindName(n))
			return
		}
		*dst = strings.TrimSpace(n.Value)
	}
	// list reads a list of text (a single value is a list of one) and
	// returns each kept item's node and field path, for errors.
	type item struct {
		node  *yaml.Node
		field string
	}
	list := func(n *yaml.Node, field string, dst *[]string) []item {
		if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
			*dst = []string{strings.TrimSpace(n.Value)}
			return []item{{n, field + "[0]"}}
		}
		if n.Kind != yaml.SequenceNode {
			errf(n, field, "expected a list, got %s", input.KindName(n))
			return nil
		}
		var at []item
		for i, e := range n.Content {
			var s string
			f := fmt.Sprintf("%s[%d]", field, i)
			str(e, f, &s)
			if s != "" {
				*dst = append(*dst, s)
				at = append(at, item{e, f})
			}
		}
		return at
	}
	input.Entries(root, "", errf, func(_ string, k, v *yaml.Node) {
		switch k.Value {
		case "schema":
			var s string
			if str(v, "schema", &s); s != "" && s != Schema {
				errf(v, "schema", "must be %q, got %q", Schema, s)
			}
		case "organisation", "organization":
			str(v, k.Value, &c.Organisation)
		case "integration":
			str(v, k.Value, &c.Integration)
		case "contacts":
			at := list(v, "contacts", &c.Contacts)
			for j, addr := range c.Contacts {
				if _, err := mail.ParseAddress(addr); err != nil {
					errf(at[j].node, at[j].field, "%q is not an e-mail address", addr)
				}
			}
		case "checklist":
			str(v, "checklist", &c.Checklist)
		case "targets":
			at := list(v, "targets", &c.Targets)
			for j, t := range c.Targets {
				if err := CheckURL(t); err != nil {
					errf(at[j].node, at[j].field, "%q: %v", t, err)
				}
			}
		case "source":
			str(v, "source", &c.Source)
		case "history":
			n, err := strconv.Atoi(strings.TrimSpace(v.Value))
			if v.Kind != yaml.ScalarNode || err != nil || n < 0 || n > MaxHistory {
				errf(v, "history", "expected a number of commits from 0 (no history scan) to %d, got %s", MaxHistory, input.KindName(v))
			} else {
				c.History = &n
			}
		case "webhook_url":
			if str(v, "webhook_url", &c.WebhookURL); c.WebhookURL != "" {
				if err := CheckURL(c.WebhookURL); err != nil {
					errf(v, "webhook_url", "%q: %v", c.WebhookURL, err)
				}
			}
		case "ca_file":
			str(v, "ca_file", &c.CAFile)
		case "answers":
			str(v, "answers", &c.Answers)
		case "exceptions":
			str(v, "exceptions", &c.Exceptions)
		case "output":
			str(v, "output", &c.Output)
		case "sign_key":
			var s string
			str(v, "sign_key", &s)
			if keyMaterial.MatchString(s) {
				// never echo it: it may be a private key
				errf(v, "sign_key", "holds a key, not a path; give the path of the key file (or of the public key, for ssh-agent)")
			} else {
				c.SignKey = s
			}
		case "reviewer_recipients":
			at := list(v, "reviewer_recipients", &c.ReviewerRecipients)
			for j, r := range c.ReviewerRecipients {
				if _, err := submission.ParseRecipient(r); err != nil {
					errf(at[j].node, at[j].field, "%v", err) // never echoes the value: it may be a private key
				}
			}
		case "fail_on":
			if str(v, "fail_on", &c.FailOn); c.FailOn != "" && checklist.Severity(c.FailOn).Rank() == 0 {
				errf(v, "fail_on", "must be one of critical, high, medium, low, got %q", c.FailOn)
			}
		case "reviewer_keys":
			str(v, "reviewer_keys", &c.ReviewerKeys)
		default:
			errf(k, k.Value, "unknown setting (known: %s)", strings.Join(configKeys[1:], ", "))
		}
	})
	if len(errs) > 0 {
		return nil, &input.Errors{List: errs}
	}
	dir := filepath.Dir(path)
	rel := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		if e := ExpandHome(p); e != p {
			return e
		}
		return filepath.Join(dir, p)
	}
	c.Source, c.Answers, c.Exceptions, c.Output, c.SignKey = rel(c.Source), rel(c.Answers), rel(c.Exceptions), rel(c.Output), rel(c.SignKey)
	c.ReviewerKeys = rel(c.ReviewerKeys)
	c.CAFile = rel(c.CAFile)
	if c.Checklist != "" && !slices.Contains(checklist.BuiltinIDs(), c.Checklist) {
		c.Checklist = rel(c.Checklist)
	}
	return c, nil
}

// Marshal renders selfassess.yaml as `init` writes it: settings in a
// fixed order, empty ones left out, with a header saying what the file is.
func Marshal(c *Config) ([]byte, error) {
	root := &yaml.Node{Kind: yaml.MappingNode}
	add := func(k string, v *yaml.Node) {
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, v)
	}
	s := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }
	addStr := func(k, v string) {
		if v != "" {
			add(k, s(v))
		}
	}
	addList := func(k string, vs []string) {
		if len(vs) == 0 {
			return
		}
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for _, v := range vs {
			seq.Content = append(seq.Content, s(v))
		}
		add(k, seq)
	}
	addStr("schema", Schema)
	addStr("organisation", c.Organisation)
	addStr("integration", c.Integration)
	addList("contacts", c.Contacts)
	addStr("checklist", c.Checklist)
	addList("targets", c.Targets)
	addStr("source", c.Source)
	if c.History != nil {
		add("history", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(*c.History)})
	}
	addStr("webhook_url", c.WebhookURL)
	addStr("ca_file", c.CAFile)
	addStr("answers", c.Answers)
	addStr("exceptions", c.Exceptions)
	addStr("output", c.Output)
	addStr("sign_key", c.SignKey)
	addStr("fail_on", c.FailOn)
	addStr("reviewer_keys", c.ReviewerKeys)
	addList("reviewer_recipients", c.ReviewerRecipients)
	root.HeadComment = "selfassess project settings (selfassess run reads this file).\nNever put a secret here: sign_key is the path of a key file, or of the\npublic key when the private key is in ssh-agent."
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// IsKeyMaterial reports whether s looks like a key pasted where the path of
// a key file belongs; such a value is never echoed.
func IsKeyMaterial(s string) bool { return keyMaterial.MatchString(s) }

// CheckURL is the rule for targets, the same as for --target.
func CheckURL(raw string) error { return probes.CheckURL(raw) }
