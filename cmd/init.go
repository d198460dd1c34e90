package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/input"
	"github.com/selfassess/selfassess/interview"
	"github.com/selfassess/selfassess/project"
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
	keyAction := project.KeyReference // with --ci, --sign-key is a reference; the key may live elsewhere (a CI secret)
	if !o.ci && o.ios.CanPrompt() {
		var err error
		if keyAction, err = askProject(ctx, o, &cfg); err != nil {
			return err
		}
	} else if err := cfg.CheckFlags(); err != nil {
		return err
	}
	if err := project.CheckChecklist(cfg.Checklist); err != nil {
		return err
	}
	// The key is created before the settings name it; an existing key is
	// read for its public half, which the provider's reviewer needs.
	key, err := project.SigningKey(keyAction, cfg.SignKey)
	if err != nil {
		return err
	}
	if key.Created {
		fmt.Fprintf(o.ios.ErrOut, "wrote %s (private, 0600, not encrypted: for a passphrase use 'selfassess keygen --passphrase-env VAR') and %s.pub\n", cfg.SignKey, cfg.SignKey)
	} else if key.NoPublic {
		fmt.Fprintf(o.ios.ErrOut, "selfassess: note: %s.pub not found; print the public key for the reviewer with: ssh-keygen -y -f %s\n", cfg.SignKey, cfg.SignKey)
	}
	data, err := cfg.Encode(o.path)
	if err != nil {
		return err
	}
	if err := input.WriteFileAtomic(o.path, data, 0o644); err != nil {
		return runtimeErr("", "writing %s: %v", o.path, err)
	}
	if key.Public == "" {
		fmt.Fprintf(o.ios.Out, "Wrote %s. Next: selfassess run\n", o.path)
		if cfg.SignKey == "" && !o.ci {
			fmt.Fprintln(o.ios.ErrOut, "selfassess: warning: no signing key: packages will be unsigned; create one with 'selfassess keygen' and add sign_key to "+o.path)
		}
		return nil
	}
	fmt.Fprintf(o.ios.Out, "Wrote %s, signing with %s.\n", o.path, cfg.SignKey)
	fmt.Fprintf(o.ios.Out, "Send this public key to the provider's reviewer through a channel they trust:\n%s\nfingerprint: %s\nNext: selfassess run\n",
		key.Public, key.Fingerprint)
	return nil
}

// askProject asks for the settings in a terminal, the flags giving the
// defaults, and fills cfg; it returns what to do about the signing key.
func askProject(ctx context.Context, o *initOptions, cfg *projectConfig) (string, error) {
	p, err := interview.AskProject(ctx, interview.Options{In: o.ios.In, Out: o.ios.Out,
		Accessible: o.accessible || o.ios.Getenv("TERM") == "dumb"},
		interview.Project{Organisation: cfg.Organisation, Integration: cfg.Integration,
			Contacts: cfg.Contacts, Checklist: cfg.Checklist, Targets: cfg.Targets, Source: project.DefaultSource(cfg.Source),
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
