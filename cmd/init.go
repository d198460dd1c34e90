package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/ssh"

	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/input"
	"github.com/selfassess/selfassess/interview"
	"github.com/selfassess/selfassess/project"
	"github.com/selfassess/selfassess/submission"
)

type initOptions struct {
	ios        *IOStreams
	path       string
	force      bool
	ci         bool
	accessible bool
	cfg        projectConfig
}

func newInitCmd(ios *IOStreams) *cobra.Command {
	o := &initOptions{ios: ios}
	c := &cobra.Command{
		Use:   "init",
		Short: "Write selfassess.yaml, the project settings run reads",
		Long: `init writes selfassess.yaml: organisation, integration, contacts, checklist,
targets and the other settings 'selfassess run' reads. In a terminal it asks
for them (flags give the defaults); with --ci (or without a terminal) it
takes them from flags. An existing file is kept unless --force is given.
In a terminal it also offers to create the signing key (as 'selfassess
keygen') or to reference an existing one (a key file, or the .pub of a key in
ssh-agent), and prints the public key and fingerprint to send the provider.

Exit codes: 0 written, 2 usage error or the file exists, 3 runtime failure.`,
		Example: `  selfassess init
  selfassess init --ci --organisation "Acme Ltd" --integration "Acme Checkout" \
      --contact security@acme.example --checklist finhub --target https://checkout.acme.example`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error { return runInit(c.Context(), o) },
	}
	f := c.Flags()
	f.StringVar(&o.path, "config", project.DefaultFile, "`FILE` to write")
	f.BoolVar(&o.force, "force", false, "overwrite an existing file")
	f.BoolVar(&o.ci, "ci", false, "never prompt: take every setting from flags")
	f.BoolVar(&o.accessible, "accessible", false, "screen-reader friendly prompts (automatic when TERM=dumb)")
	f.StringVar(&o.cfg.Organisation, "organisation", "", "your `NAME`, as the provider knows it")
	f.StringVar(&o.cfg.Integration, "integration", "", "the integration's `NAME`")
	f.StringArrayVar(&o.cfg.Contacts, "contact", nil, "security contact e-mail `EMAIL`; repeatable")
	f.StringVar(&o.cfg.Checklist, "checklist", "", "built-in checklist `ID|FILE` ("+strings.Join(checklist.BuiltinIDs(), ", ")+") or a checklist file")
	f.StringArrayVar(&o.cfg.Targets, "target", nil, "deployed `URL` to probe; repeatable")
	f.StringVar(&o.cfg.Source, "source", "", "source tree `DIR` to scan")
	f.StringVar(&o.cfg.WebhookURL, "webhook-url", "", "webhook endpoint `URL` to check")
	f.StringVar(&o.cfg.Answers, "answers", "", "answers `FILE` (run's default: answers.yaml)")
	f.StringVar(&o.cfg.Exceptions, "exceptions", "", "approved exceptions `FILE`")
	f.StringVar(&o.cfg.Output, "out", "", "output `DIR` (run's default: selfassess-out)")
	f.StringVar(&o.cfg.SignKey, "sign-key", "", "`FILE` of the SSH key that signs the package (or its public key, for ssh-agent)")
	f.StringVar(&o.cfg.FailOn, "fail-on", "", "lowest failing `SEVERITY` that blocks readiness (run's default: high)")
	return c
}

func runInit(ctx context.Context, o *initOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if _, err := os.Stat(o.path); err == nil && !o.force {
		return usageErr("edit it, or pass --force to replace it", "%s already exists", o.path)
	}
	cfg := o.cfg
	keyAction := "" // with --ci, --sign-key is a reference; the key may live elsewhere (a CI secret)
	if !o.ci && o.ios.CanPrompt() {
		var err error
		if keyAction, err = askProject(ctx, o, &cfg); err != nil {
			return err
		}
	} else if missing := cfg.Missing(); len(missing) > 0 {
		for i, key := range missing {
			missing[i] = flagForSetting(key)
		}
		return usageErr("in CI mode every setting comes from flags; see 'selfassess init --help'", "missing %s", strings.Join(missing, ", "))
	}
	if !slices.Contains(checklist.BuiltinIDs(), cfg.Checklist) {
		if _, err := checklist.Resolve(cfg.Checklist); err != nil {
			var nf *checklist.NotFoundError
			if errors.As(err, &nf) {
				return usageErr(nf.Hint(), "--checklist: %v", err)
			}
			return usageErr("check it with 'selfassess checklist validate "+cfg.Checklist+"'", "--checklist %s: %v", cfg.Checklist, err)
		}
	}
	// The key is created before the settings name it; an existing key is
	// read for its public half, which the provider's reviewer needs.
	var pub []byte
	if cfg.SignKey != "" && !project.IsKeyMaterial(cfg.SignKey) {
		var err error
		if pub, err = signingKey(o.ios, keyAction, cfg.SignKey); err != nil {
			return err
		}
	}
	// Paths typed here are relative to the current directory; the file's
	// are relative to the file.
	cfg.RelativeTo(o.path)
	data, err := project.Marshal(&cfg)
	if err != nil {
		return runtimeErr("", "encoding %s: %v", o.path, err)
	}
	// The file must read back as written: this applies run's checks
	// (e-mail addresses, URLs, severity, no key material) to the flags.
	if _, err := project.Parse(o.path, data); err != nil {
		var ce *checklist.Errors
		if errors.As(err, &ce) && len(ce.List) > 0 {
			fe := ce.List[0]
			return usageErr("", "%s: %s", flagForSetting(fe.Path), fe.Msg)
		}
		return usageErr("", "%v", err)
	}
	if err := input.WriteFileAtomic(o.path, data, 0o644); err != nil {
		return runtimeErr("", "writing %s: %v", o.path, err)
	}
	if pub == nil {
		fmt.Fprintf(o.ios.Out, "Wrote %s. Next: selfassess run\n", o.path)
		if cfg.SignKey == "" && !o.ci {
			fmt.Fprintln(o.ios.ErrOut, "selfassess: warning: no signing key: packages will be unsigned; create one with 'selfassess keygen' and add sign_key to "+o.path)
		}
		return nil
	}
	return printPublicKey(o, cfg.SignKey, pub)
}

// askProject asks for the settings in a terminal, the flags giving the
// defaults, and fills cfg; it returns what to do about the signing key.
func askProject(ctx context.Context, o *initOptions, cfg *projectConfig) (string, error) {
	p, err := interview.AskProject(ctx, interview.Options{In: o.ios.In, Out: o.ios.Out,
		Accessible: o.accessible || o.ios.Getenv("TERM") == "dumb"},
		interview.Project{Organisation: cfg.Organisation, Integration: cfg.Integration,
			Contacts: cfg.Contacts, Checklist: cfg.Checklist, Targets: cfg.Targets, Source: defaultSource(cfg.Source),
			SignKey: cfg.SignKey})
	if errors.Is(err, interview.ErrInterrupted) {
		return "", &ExitError{Code: ExitUsage, Err: errors.New("interrupted; nothing was written")}
	}
	if err != nil {
		return "", runtimeErr("", "%v", err)
	}
	cfg.Organisation, cfg.Integration, cfg.Contacts, cfg.Checklist, cfg.Targets, cfg.Source =
		p.Organisation, p.Integration, p.Contacts, p.Checklist, p.Targets, p.Source
	cfg.SignKey = p.SignKey
	return p.KeyAction, nil
}

// printPublicKey tells the user what to send the provider's reviewer.
func printPublicKey(o *initOptions, signKey string, pub []byte) error {
	k, _, _, _, err := ssh.ParseAuthorizedKey(pub)
	if err != nil {
		return usageErr("give the key's .pub file", "%s: not an SSH public key", signKey)
	}
	fmt.Fprintf(o.ios.Out, "Wrote %s, signing with %s.\n", o.path, signKey)
	fmt.Fprintf(o.ios.Out, "Send this public key to the provider's reviewer through a channel they trust:\n%s\nfingerprint: %s\nNext: selfassess run\n",
		strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))), ssh.FingerprintSHA256(k))
	return nil
}

// signingKey creates the key pair init was asked to create, or reads the
// public half of an existing key; it returns the public key line (nil when
// an existing private key has no .pub beside it).
func signingKey(ios *IOStreams, action, path string) ([]byte, error) {
	file := interview.ExpandHome(path)
	switch action {
	case interview.KeyCreate:
		if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
			return nil, runtimeErr("", "creating %s: %v", filepath.Dir(path), pathErr(err))
		}
		kp, err := submission.GenerateKey(nil, "selfassess")
		if err != nil {
			return nil, runtimeErr("", "generating the key: %v", err)
		}
		if err := submission.WriteKeyPair(file, kp, false); err != nil {
			var ie *submission.InputError
			if errors.As(err, &ie) {
				return nil, usageErr(ie.Hint, "%v", ie.Err)
			}
			return nil, runtimeErr("", "writing %s: %v", path, pathErr(err))
		}
		fmt.Fprintf(ios.ErrOut, "wrote %s (private, 0600, not encrypted: for a passphrase use 'selfassess keygen --passphrase-env VAR') and %s.pub\n", path, path)
		return kp.Public, nil
	case interview.KeyAgent:
		b, err := input.ReadFile(file, 64<<10)
		if err != nil {
			return nil, usageErr("", "--sign-key: %v", pathErr(err))
		}
		return b, nil
	case "": // a reference from a flag: show the public key when it is here
		if !strings.HasSuffix(file, ".pub") {
			file += ".pub"
		}
		if b, err := input.ReadFile(file, 64<<10); err == nil {
			return b, nil
		}
		return nil, nil
	}
	if _, err := os.Stat(file); err != nil {
		return nil, usageErr("create one with 'selfassess keygen', or give the path of an existing key", "--sign-key: %v", pathErr(err))
	}
	b, err := input.ReadFile(file+".pub", 64<<10)
	if err != nil {
		fmt.Fprintf(ios.ErrOut, "selfassess: note: %s.pub not found; print the public key for the reviewer with: ssh-keygen -y -f %s\n", path, path)
		return nil, nil
	}
	return b, nil
}

// defaultSource proposes the current directory as the source tree when it
// is a git checkout (init usually runs at the repository's root).
func defaultSource(flag string) string {
	if flag != "" {
		return flag
	}
	if _, err := os.Stat(".git"); err == nil {
		return "."
	}
	return ""
}

// flagForSetting names the init flag behind a selfassess.yaml setting path
// such as "contacts[1]".
func flagForSetting(path string) string {
	key, _, _ := strings.Cut(path, "[")
	switch key {
	case "contacts":
		return "--contact"
	case "targets":
		return "--target"
	case "output":
		return "--out"
	}
	return "--" + strings.ReplaceAll(key, "_", "-")
}
