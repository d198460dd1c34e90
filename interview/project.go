package interview

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/project"
)

// Project is what `selfassess init` asks for its selfassess.yaml.
type Project struct {
	Organisation string
	Integration  string
	Contacts     []string // e-mail addresses
	Checklist    string   // built-in id or a file path
	Targets      []string // https URLs of the deployed integration
	Source       string   // the source tree to scan; "" for none
	// KeyAction says what to do about the signing key: KeyCreate (write a
	// new key pair at SignKey), KeyFile (SignKey is an existing private
	// key), KeyAgent (SignKey is the .pub of a key in ssh-agent) or
	// KeyNone (unsigned packages for now).
	KeyAction string
	SignKey   string
}

// Signing key choices of Project.KeyAction: project.SigningKey's, which
// init passes them to, and KeyNone.
const (
	KeyCreate = project.KeyCreate
	KeyFile   = project.KeyFile
	KeyAgent  = project.KeyAgent
	KeyNone   = "none" // no key: SignKey stays empty and nothing is done
)

// DefaultKeyPath is where init proposes to write a new signing key: outside
// the repository, so it is not committed by accident.
const DefaultKeyPath = "~/.ssh/selfassess"

// AskProject asks for the project settings, starting from def (e.g. values
// given as flags or an existing file). Ctrl-C returns ErrInterrupted.
func AskProject(ctx context.Context, opts Options, def Project) (Project, error) {
	opts.defaults()
	p := def
	contacts := strings.Join(def.Contacts, ", ")
	targets := strings.Join(def.Targets, ", ")

	checklistField := huh.Field(huh.NewInput().Key("checklist").Title("Checklist (built-in id or path to a checklist file)").
		Value(&p.Checklist).Validate(validateRequired(&p.Checklist)))
	if ids := checklist.BuiltinIDs(); len(ids) > 0 {
		if p.Checklist == "" {
			p.Checklist = ids[0]
		}
		opts := make([]huh.Option[string], 0, len(ids)+1)
		known := false
		for _, id := range ids {
			known = known || id == p.Checklist
			opts = append(opts, huh.NewOption(id, id))
		}
		if !known { // keep a file path given as the default
			opts = append(opts, huh.NewOption(p.Checklist, p.Checklist))
		}
		checklistField = huh.NewSelect[string]().Key("checklist").Title("Checklist").
			Description("The provider whose security review you are preparing for.").
			Options(opts...).Value(&p.Checklist)
	}

	fields := []huh.Field{
		huh.NewInput().Key("organisation").Title("Organisation").Description("Your company, as the provider knows it.").
			Value(&p.Organisation).Validate(validateRequired(&p.Organisation)),
		huh.NewInput().Key("integration").Title("Integration name").Description("The app or integration under review.").
			Value(&p.Integration).Validate(validateRequired(&p.Integration)),
		huh.NewInput().Key("contacts").Title("Security contacts").Description("E-mail addresses, separated by commas.").
			Value(&contacts).Validate(defaulted(&contacts, validateContacts)),
		checklistField,
		huh.NewInput().Key("targets").Title("Targets").Description("Deployed https:// URLs to probe, separated by commas (may be empty).").
			Value(&targets).Validate(defaulted(&targets, validateTargets)),
		// Without it the source.* probes do not run and the controls they
		// verify stay not_tested.
		huh.NewInput().Key("source").Title("Source tree").
			Description("Directory of the integration's source code, scanned for secrets and risky code (may be empty).").
			Value(&p.Source).Validate(defaulted(&p.Source, validateSourceDir)),
	}
	if p.KeyAction == "" {
		switch {
		case strings.HasSuffix(p.SignKey, ".pub"):
			p.KeyAction = KeyAgent
		case p.SignKey != "":
			p.KeyAction = KeyFile
		default:
			p.KeyAction, p.SignKey = KeyCreate, DefaultKeyPath
		}
	}
	keyChoice := huh.NewSelect[string]().Key("key").Title("Signing key").
		Description("The provider's reviewer checks the package's signature against your public key.").
		Options(huh.NewOption("Create a new key pair (as selfassess keygen)", KeyCreate),
			huh.NewOption("Use an existing private key file", KeyFile),
			huh.NewOption("Use a key held by ssh-agent (give its .pub file)", KeyAgent),
			huh.NewOption("Not now: packages will be unsigned", KeyNone)).
		Value(&p.KeyAction)
	keyPath := huh.NewInput().Key("sign_key").
		TitleFunc(func() string { return keyPathTitle(p.KeyAction) }, &p.KeyAction).
		Value(&p.SignKey).Validate(func(s string) error {
		if strings.TrimSpace(s) == "" {
			s = p.SignKey
		}
		return validateKeyPath(p.KeyAction, s)
	})
	if opts.Accessible {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		in := newLineReader(ctx, opts.In)
		for _, f := range append(fields, keyChoice, keyPath) {
			if f == huh.Field(keyPath) && p.KeyAction == KeyNone {
				continue
			}
			form := huh.NewForm(huh.NewGroup(f)).WithAccessible(true).WithInput(in).WithOutput(opts.Out)
			if err := form.RunWithContext(ctx); err != nil {
				return def, mapFormErr(err)
			}
			if in.ended() {
				return def, ErrInterrupted
			}
		}
	} else {
		form := huh.NewForm(huh.NewGroup(fields...).Title("selfassess init"),
			huh.NewGroup(keyChoice).Title("selfassess init · signing key"),
			huh.NewGroup(keyPath).Title("selfassess init · signing key").
				WithHideFunc(func() bool { return p.KeyAction == KeyNone }))
		if err := runForm(ctx, form, opts); err != nil {
			return def, err
		}
	}
	p.Organisation = strings.TrimSpace(p.Organisation)
	p.Integration = strings.TrimSpace(p.Integration)
	p.Contacts = splitList(contacts)
	p.Targets = splitList(targets)
	p.Source = strings.TrimSpace(p.Source)
	p.SignKey = strings.TrimSpace(p.SignKey)
	if p.KeyAction == KeyNone {
		p.SignKey = ""
	}
	return p, nil
}

func keyPathTitle(action string) string {
	switch action {
	case KeyFile:
		return "Private key file"
	case KeyAgent:
		return "Public key file (.pub) of the key in ssh-agent"
	}
	return "Where to write the new private key (the public key goes next to it as .pub)"
}

// validateKeyPath checks the key path for the chosen action: a new key
// must not overwrite anything; an existing one must be a file.
func validateKeyPath(action, s string) error {
	s = strings.TrimSpace(s)
	if action == KeyNone {
		return nil
	}
	if s == "" {
		return errRequired
	}
	path := project.ExpandHome(s)
	switch action {
	case KeyCreate:
		if strings.HasSuffix(s, ".pub") {
			return errors.New("name the private key; its public key is written next to it as .pub")
		}
		if _, err := os.Stat(path); err == nil {
			return fmt.Errorf("%s already exists: choose \"Use an existing private key file\", or another path", s)
		}
	case KeyAgent:
		if !strings.HasSuffix(s, ".pub") {
			return errors.New("give the public key file (.pub) of the key in ssh-agent")
		}
		fallthrough
	default:
		if err := checkReadable(path); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

func mapFormErr(err error) error {
	if errors.Is(err, huh.ErrUserAborted) || errors.Is(err, context.Canceled) {
		return ErrInterrupted
	}
	return fmt.Errorf("questionnaire: %w", err)
}

// defaulted validates the input, or the default when the input is empty
// (accessible prompts keep the default on an empty line).
func defaulted(def *string, check func(string) error) func(string) error {
	return func(s string) error {
		if strings.TrimSpace(s) == "" {
			s = *def
		}
		return check(s)
	}
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, strings.TrimSpace(f))
	}
	return out
}

func validateContacts(s string) error {
	list := splitList(s)
	if len(list) == 0 {
		return errors.New("give at least one e-mail address")
	}
	for _, c := range list {
		if a, err := mail.ParseAddress(c); err != nil || a.Address != c {
			return fmt.Errorf("%q is not an e-mail address", c)
		}
	}
	return nil
}

func validateTargets(s string) error {
	for _, t := range splitList(s) {
		u, err := url.Parse(t)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return fmt.Errorf("%q is not a URL: use https://host/path", t)
		}
	}
	return nil
}

func validateSourceDir(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if fi, err := os.Stat(s); err != nil || !fi.IsDir() {
		return fmt.Errorf("%q is not a directory", s)
	}
	return nil
}

// formHook, when set (tests), sees a single form after every update.
var formHook func(*huh.Form)

// runForm runs one form as a bubbletea program on opts' streams, like
// huh's Form.Run, but ends on end of input instead of waiting forever.
func runForm(ctx context.Context, form *huh.Form, opts Options) error {
	m := &formModel{form: form, observe: formHook}
	var p *tea.Program
	in := notifyEOF(opts.In, func() { go p.Send(inputEndedMsg{}) })
	p = tea.NewProgram(m, tea.WithInput(in), tea.WithOutput(opts.Out), tea.WithContext(ctx))
	_, err := p.Run()
	switch {
	case m.inputEnded || form.State == huh.StateAborted,
		errors.Is(err, tea.ErrInterrupted), errors.Is(err, tea.ErrProgramKilled):
		return ErrInterrupted
	case err != nil:
		return fmt.Errorf("questionnaire: %w", err)
	case form.State != huh.StateCompleted: // quit by a signal
		return ErrInterrupted
	}
	return nil
}

type formModel struct {
	form       *huh.Form
	observe    func(*huh.Form)
	inputEnded bool
}

func (m *formModel) Init() tea.Cmd { return m.form.Init() }

func (m *formModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(inputEndedMsg); ok {
		m.inputEnded = true
		return m, tea.Quit
	}
	f, cmd := m.form.Update(msg)
	m.form = f.(*huh.Form)
	if m.observe != nil {
		m.observe(m.form)
	}
	if m.form.State != huh.StateNormal {
		return m, tea.Quit
	}
	return m, cmd
}

func (m *formModel) View() string {
	if m.form.State != huh.StateNormal {
		return ""
	}
	return m.form.View()
}
