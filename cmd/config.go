package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/input"
)

// configSchema is selfassess.yaml's optional `schema` value.
const configSchema = "selfassess/config/v1"

// defaultConfigFile is read by `run` when present and no --config is given.
const defaultConfigFile = "selfassess.yaml"

// projectConfig is selfassess.yaml: the project's settings, committed with
// the code. It never holds a secret: sign_key is a path to a key file (or to
// a public key whose private half is in ssh-agent).
type projectConfig struct {
	Organisation string
	Integration  string
	Contacts     []string
	Checklist    string
	Targets      []string
	Source       string
	WebhookURL   string
	Answers      string
	Exceptions   string
	Output       string
	SignKey      string
	FailOn       string

	// Path is the file the settings were read from ("" when none).
	Path string
}

// configKeys in the order init writes them.
var configKeys = []string{"schema", "organisation", "integration", "contacts", "checklist", "targets", "source",
	"webhook_url", "answers", "exceptions", "output", "sign_key", "fail_on"}

// keyMaterial recognises a key pasted where a path belongs.
var keyMaterial = regexp.MustCompile(`-----BEGIN|^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-|sk-)[^ ]* AAAA`)

// loadConfig reads a selfassess.yaml. Relative paths in it are relative to
// the file's directory. Every problem is reported at once as *checklist.Errors.
func loadConfig(path string) (*projectConfig, error) {
	data, err := input.ReadFile(path, 1<<20)
	if err != nil {
		return nil, err
	}
	return parseConfig(path, data)
}

func parseConfig(path string, data []byte) (*projectConfig, error) {
	var errs []checklist.FieldError
	errf := func(n *yaml.Node, field, format string, a ...any) {
		errs = append(errs, checklist.FieldError{File: path, Line: n.Line, Col: n.Column, Path: field, Msg: fmt.Sprintf(format, a...)})
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &checklist.Errors{List: []checklist.FieldError{input.YAMLError(path, data, err)}}
	}
	c := &projectConfig{Path: path}
	if len(doc.Content) == 0 {
		return c, nil // an empty file: no settings
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		errf(root, "", "expected settings such as `checklist: finhub`, got %s", input.KindName(root))
		return nil, &checklist.Errors{List: errs}
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
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if seen[k.Value] {
			errf(k, k.Value, "duplicate key")
			continue
		}
		seen[k.Value] = true
		switch k.Value {
		case "schema":
			var s string
			if str(v, "schema", &s); s != "" && s != configSchema {
				errf(v, "schema", "must be %q, got %q", configSchema, s)
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
				if err := checkURL(t); err != nil {
					errf(at[j].node, at[j].field, "%q: %v", t, err)
				}
			}
		case "source":
			str(v, "source", &c.Source)
		case "webhook_url":
			if str(v, "webhook_url", &c.WebhookURL); c.WebhookURL != "" {
				if err := checkURL(c.WebhookURL); err != nil {
					errf(v, "webhook_url", "%q: %v", c.WebhookURL, err)
				}
			}
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
		case "fail_on":
			if str(v, "fail_on", &c.FailOn); c.FailOn != "" && checklist.Severity(c.FailOn).Rank() == 0 {
				errf(v, "fail_on", "must be one of critical, high, medium, low, got %q", c.FailOn)
			}
		default:
			errf(k, k.Value, "unknown setting (known: %s)", strings.Join(configKeys[1:], ", "))
		}
	}
	if len(errs) > 0 {
		return nil, &checklist.Errors{List: errs}
	}
	dir := filepath.Dir(path)
	rel := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		if strings.HasPrefix(p, "~/") {
			if home, err := os.UserHomeDir(); err == nil {
				return filepath.Join(home, p[2:])
			}
		}
		return filepath.Join(dir, p)
	}
	c.Source, c.Answers, c.Exceptions, c.Output, c.SignKey = rel(c.Source), rel(c.Answers), rel(c.Exceptions), rel(c.Output), rel(c.SignKey)
	if c.Checklist != "" && !slices.Contains(checklist.BuiltinIDs(), c.Checklist) {
		c.Checklist = rel(c.Checklist)
	}
	return c, nil
}

// findConfig returns the config to use: the named file (which must exist),
// or ./selfassess.yaml when present, or an empty config.
func findConfig(named string) (*projectConfig, error) {
	path := named
	if path == "" {
		path = defaultConfigFile
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return &projectConfig{}, nil
		}
	}
	c, err := loadConfig(path)
	if err != nil {
		var ce *checklist.Errors
		if errors.As(err, &ce) {
			return nil, err
		}
		return nil, usageErr("create one with 'selfassess init'", "--config: %v", pathErr(err))
	}
	return c, nil
}

// marshalConfig renders selfassess.yaml as `init` writes it: settings in a
// fixed order, empty ones left out, with a header saying what the file is.
func marshalConfig(c *projectConfig) ([]byte, error) {
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
	addStr("schema", configSchema)
	addStr("organisation", c.Organisation)
	addStr("integration", c.Integration)
	addList("contacts", c.Contacts)
	addStr("checklist", c.Checklist)
	addList("targets", c.Targets)
	addStr("source", c.Source)
	addStr("webhook_url", c.WebhookURL)
	addStr("answers", c.Answers)
	addStr("exceptions", c.Exceptions)
	addStr("output", c.Output)
	addStr("sign_key", c.SignKey)
	addStr("fail_on", c.FailOn)
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
