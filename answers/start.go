package answers

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"

	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/input"
)

// StartOptions say how a run uses the answers file.
type StartOptions struct {
	// CI: nothing will be asked, so a missing file cannot be written.
	CI bool
	// Named: the path was given with --answers, not taken by default.
	Named bool
	// AllowUnanswered: unanswered controls are recorded as not_tested.
	AllowUnanswered bool
}

// Start loads the answers file for cl, or starts an empty one where the
// questionnaire will write it. In CI mode a missing file is a *input.Problem
// unless unanswered controls are allowed (note then says so); outside it,
// the folder must exist now, not when the first answer is saved. Other
// errors are LoadFor's and Validate's.
func Start(path string, cl *checklist.Checklist, o StartOptions) (f *File, note string, err error) {
	f, err = LoadFor(path, cl)
	if !IsNotExist(err) {
		return f, "", err
	}
	switch {
	case o.CI && o.Named:
		return nil, "", input.Problemf("", "--answers %s: file not found", path)
	case o.CI && !o.AllowUnanswered:
		where, _ := filepath.Abs(filepath.Dir(path))
		return nil, "", input.Problemf("the questionnaire writes it: run 'selfassess run' in a terminal; or pass --answers FILE, or --allow-unanswered to record every control as not_tested",
			"no answers file: %s does not exist in %s", filepath.Base(path), where)
	case o.CI:
		note = fmt.Sprintf("%s does not exist; every question is unanswered", path)
	default:
		if fi, err := os.Stat(filepath.Dir(path)); err != nil || !fi.IsDir() {
			return nil, "", input.Problemf("create the directory, or pass --answers FILE", "--answers %s: directory %s does not exist", path, filepath.Dir(path))
		}
	}
	f = New(path, cl.ID)
	if err := Validate(f, cl); err != nil { // records the checklist order for saving
		return nil, "", err
	}
	return f, note, nil
}

// Author names who answers: $USER, $LOGNAME, else the account name ("" when
// none is known).
func Author(getenv func(string) string) string {
	for _, v := range []string{"USER", "LOGNAME"} {
		if s := getenv(v); s != "" {
			return s
		}
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return ""
}
