package project

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/internal/input"
)

// Problems are reported like every other input file: FILE:LINE:COL: field:
// message, all of them at once, in file order.
func TestParsePositionedErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []string
	}{
		{"unknown setting and bad values", "checklist: finhub\ncolour: blue\ncontacts:\n  - nobody\ntargets: [ftp://x]\nfail_on: urgent\n", []string{
			"p/selfassess.yaml:2:1: colour: unknown setting (known: organisation, integration, contacts, checklist, targets, source, history, webhook_url, ca_file, answers, exceptions, output, sign_key, fail_on, reviewer_keys, reviewer_recipients)",
			`p/selfassess.yaml:4:5: contacts[0]: "nobody" is not an e-mail address`,
			`p/selfassess.yaml:5:11: targets[0]: "ftp://x": scheme must be https or http`,
			`p/selfassess.yaml:6:10: fail_on: must be one of critical, high, medium, low, got "urgent"`,
		}},
		{"syntax", "checklist: finhub\nsource: a: b\n", []string{
			"p/selfassess.yaml:2:10: invalid YAML: mapping values are not allowed in this context",
		}},
		{"not a mapping", "- finhub\n", []string{
			"p/selfassess.yaml:1:1: expected settings such as `checklist: finhub`, got a list",
		}},
		{"wrong type", "checklist: [a, b]\nanswers: yes\n", []string{
			"p/selfassess.yaml:1:12: checklist: expected text, got a list",
		}},
		{"duplicate", "checklist: finhub\nchecklist: fincode\n", []string{
			"p/selfassess.yaml:2:1: checklist: duplicate key",
		}},
		{"schema", "schema: selfassess/config/v2\n", []string{
			`p/selfassess.yaml:1:9: schema: must be "selfassess/config/v1", got "selfassess/config/v2"`,
		}},
		{"history", "history: -1\n", []string{
			"p/selfassess.yaml:1:10: history: expected a number of commits from 0 (no history scan) to 100000, got the number -1",
		}},
		{"history not a number", "history: all\nsource: .\n", []string{
			`p/selfassess.yaml:1:10: history: expected a number of commits from 0 (no history scan) to 100000, got the string "all"`,
		}},
		{"history too long", "history: 100001\n", []string{
			"p/selfassess.yaml:1:10: history: expected a number of commits from 0 (no history scan) to 100000, got the number 100001",
		}},
		{"history a list", "history: [1]\n", []string{
			"p/selfassess.yaml:1:10: history: expected a number of commits from 0 (no history scan) to 100000, got a list",
		}},
		{"key pasted, never echoed", "sign_key: \"-----BEGIN OPENSSH PRIVATE KEY-----\\nb3Blbn\"\n", []string{
			"p/selfassess.yaml:1:11: sign_key: holds a key, not a path; give the path of the key file (or of the public key, for ssh-agent)",
		}},
		{"reviewer recipients", "reviewer_recipients:\n  - ecdsa-sha2-nistp256 AAAAE2VjZHNh\n  - AGE-SECRET-KEY-1SECRETSECRET\n", []string{
			"p/selfassess.yaml:2:5: reviewer_recipients[0]: age cannot encrypt to ECDSA or security-key SSH keys; give the reviewer's ssh-ed25519 or ssh-rsa key, or an age1… key",
			"p/selfassess.yaml:3:5: reviewer_recipients[1]: this is a private key; give the reviewer's public key",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("p/selfassess.yaml", []byte(tt.data))
			var errs *input.Errors
			require.True(t, errors.As(err, &errs), "%v", err)
			assert.Equal(t, tt.want, errs.Lines())
		})
	}
}

// Paths are relative to the file; built-in checklist ids are not paths.
func TestParseRelativePaths(t *testing.T) {
	c, err := Parse(filepath.Join("proj", DefaultFile), []byte("checklist: finhub\nanswers: answers.yaml\nsource: ../src\noutput: /abs/out\n"))
	require.NoError(t, err)
	assert.Equal(t, "finhub", c.Checklist)
	assert.Equal(t, filepath.Join("proj", "answers.yaml"), c.Answers)
	assert.Equal(t, "src", c.Source)
	assert.Equal(t, "/abs/out", c.Output)

	c, err = Parse(filepath.Join("proj", DefaultFile), []byte("checklist: mine.yaml\n"))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join("proj", "mine.yaml"), c.Checklist)
}

// What init writes, run reads back unchanged.
func TestMarshalRoundTrip(t *testing.T) {
	in := &Config{Organisation: "Acme Ltd", Integration: "Checkout", Contacts: []string{"sec@acme.example"},
		Checklist: "finhub", Targets: []string{"https://acme.example"}, WebhookURL: "https://acme.example/hook",
		FailOn: "low", ReviewerRecipients: []string{"age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"}, History: ptr(250)}
	b, err := Marshal(in)
	require.NoError(t, err)
	out, err := Parse(DefaultFile, b)
	require.NoError(t, err)
	in.Path = DefaultFile
	assert.Equal(t, in, out)
}

func ptr[T any](v T) *T { return &v }

// history: 0 turns the history scan off; no history: keeps the default.
func TestParseHistory(t *testing.T) {
	c, err := Parse(DefaultFile, []byte("history: 0\n"))
	require.NoError(t, err)
	require.NotNil(t, c.History)
	assert.Equal(t, 0, *c.History)
	c, err = Parse(DefaultFile, []byte("source: .\n"))
	require.NoError(t, err)
	assert.Nil(t, c.History)
}

func TestLoadBounded(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(dir)
	assert.EqualError(t, err, dir+": a directory, not a regular file")
	big := filepath.Join(dir, DefaultFile)
	require.NoError(t, os.WriteFile(big, make([]byte, maxFileSize+1), 0o644))
	_, err = Load(big)
	assert.EqualError(t, err, big+": larger than 1 MiB; is it the right file?")
	empty := filepath.Join(dir, "empty.yaml")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	c, err := Load(empty)
	require.NoError(t, err)
	assert.Equal(t, &Config{Path: empty}, c)
}
