// Package interview is the terminal questionnaire (the only package that
// imports huh): one form step per control, saved after every control.
package interview

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/checklist"
)

// STUB: replaced by the huh questionnaire.

// ErrInterrupted is returned when the user pressed Ctrl-C; answers given
// before it are already saved.
var ErrInterrupted = errors.New("questionnaire interrupted")

// Options configure a questionnaire session.
type Options struct {
	In         io.Reader
	Out        io.Writer
	Accessible bool // screen-reader friendly prompts (also when TERM=dumb)
	Review     bool // walk every control again with previous answers as defaults
	AnsweredBy string
	Now        func() time.Time
	// Save persists the answers; called after every answered control.
	Save func(*answers.File) error
	// ProbeNote, when set, returns a line about the control's probes that
	// already finished (e.g. "tls.versions failed: TLS1.0 offered"), or "".
	ProbeNote func(controlID string) string
}

// Run asks every unanswered control (every control with Review) and saves
// after each one.
func Run(ctx context.Context, cl *checklist.Checklist, ans *answers.File, opts Options) error {
	return errors.New("interactive questionnaire not implemented")
}
