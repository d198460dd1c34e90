package interview

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/checklist"
)

// TestFinHubIsQuickToAnswer walks the built-in FinHub checklist through the
// real form, answering every prompt, and counts prompts and key presses: the
// issue asks that a person gets through it in under 10 minutes, so it must
// stay well under 60 prompts (10 s each).
func TestFinHubIsQuickToAnswer(t *testing.T) {
	cl, err := checklist.Builtin("finhub")
	require.NoError(t, err)
	ans := newAnswers(t)
	require.NoError(t, os.WriteFile(filepath.Join(filepath.Dir(ans.Path), "doc.pdf"), []byte("%PDF"), 0o600))
	d := startTUI(t, cl, ans, Options{})

	prompts, keys := 0, 0
	handled := ""
	timeout := time.After(60 * time.Second) // a deadlock guard, not a speed assertion
	for done := false; !done; {
		select {
		case s := <-d.snaps:
			at := s.control + "/" + s.field
			if s.field == "" || at == handled {
				continue
			}
			handled = at
			prompts++
			key := keyEnter
			if ctl, _ := cl.Control(s.control); ctl != nil {
				if q := ctl.Question(s.field); q != nil {
					switch q.Type {
					case checklist.Confirm:
						key = "y"
					case checklist.Text:
						key = "x" + keyEnter
					case checklist.Number:
						key = "1" + keyEnter
					case checklist.Date:
						key = time.Now().Format(dateLayout) + keyEnter
					}
				}
			}
			switch {
			case s.field == "applies":
				key = "y"
			case len(s.field) > 9 && s.field[:9] == "evidence:":
				key = "doc.pdf" + keyEnter
			}
			keys += len([]rune(key))
			d.press(key)
		case err := <-d.result:
			require.NoError(t, err)
			done = true
		case <-timeout:
			t.Fatalf("stuck at %s", handled)
		}
	}
	items := listItems(cl)
	require.Len(t, ans.Controls, len(items), "every askable control answered")
	t.Logf("finhub: %d controls asked, %d prompts, %d key presses answering yes/first option everywhere", len(items), prompts, keys)
	require.LessOrEqual(t, prompts, 60)
}
