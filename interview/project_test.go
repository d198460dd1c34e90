package interview

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/huh"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAskProjectForm drives AskProject's real form through a pipe, field by
// field, as a terminal would.
func TestAskProjectForm(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	type state struct{ field, err string }
	states := make(chan state, 100000)
	formHook = func(f *huh.Form) {
		st := state{}
		if fld := f.GetFocusedField(); fld != nil {
			st.field = fld.GetKey()
			if fld.Error() != nil {
				st.err = fld.Error().Error()
			}
		}
		states <- st
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); r.Close(); w.Close(); formHook = nil })

	type result struct {
		p   Project
		err error
	}
	done := make(chan result, 1)
	go func() {
		p, err := AskProject(ctx, Options{In: r, Out: &bytes.Buffer{}}, Project{Checklist: "turris"})
		done <- result{p, err}
	}()
	wait := func(field, errText string) {
		t.Helper()
		timeout := time.After(20 * time.Second) // a deadlock guard
		for {
			select {
			case st := <-states:
				if st.field == field && (errText == "" || strings.Contains(st.err, errText)) {
					return
				}
			case <-timeout:
				t.Fatalf("timed out waiting for %s %s", field, errText)
			}
		}
	}
	press := func(s ...string) {
		for _, k := range s {
			_, err := w.WriteString(k)
			require.NoError(t, err)
		}
	}
	wait("organisation", "")
	press(keyEnter)
	wait("organisation", "an answer is required")
	press("ACME Ltd", keyEnter)
	wait("integration", "")
	press("Checkout", keyEnter)
	wait("contacts", "")
	press("not-an-address", keyEnter)
	wait("contacts", "is not an e-mail address")
	press(keyCtrlU, "sec@acme.example", keyEnter)
	wait("checklist", "")
	press(keyEnter) // keep the default, turris
	wait("targets", "")
	press("https://pay.acme.example", keyEnter)
	wait("source", "")
	press("no-such-dir", keyEnter)
	wait("source", `"no-such-dir" is not a directory`)
	press(keyCtrlU, ".", keyEnter)
	// the signing key: create one, at a path that already exists first
	wait("key", "")
	press(keyEnter)
	wait("sign_key", "")
	existing := filepath.Join(t.TempDir(), "taken")
	require.NoError(t, os.WriteFile(existing, []byte("x"), 0o600))
	press(keyCtrlU, existing, keyEnter)
	wait("sign_key", "already exists")
	press(keyCtrlU, existing+"2.pub", keyEnter)
	wait("sign_key", "name the private key")
	press(keyCtrlU, existing+"2", keyEnter)
	res := <-done
	require.NoError(t, res.err)
	assert.Equal(t, Project{Organisation: "ACME Ltd", Integration: "Checkout", Contacts: []string{"sec@acme.example"},
		Checklist: "turris", Targets: []string{"https://pay.acme.example"}, Source: ".",
		KeyAction: KeyCreate, SignKey: existing + "2"}, res.p)
}

func TestAskProjectCtrlC(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	_, err = w.WriteString("AC" + keyCtrlC)
	require.NoError(t, err)
	_, err = AskProject(context.Background(), Options{In: r, Out: &bytes.Buffer{}}, Project{})
	require.ErrorIs(t, err, ErrInterrupted)
}

func TestAskProjectInputEnds(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	_, err = w.WriteString("ACME")
	require.NoError(t, err)
	require.NoError(t, w.Close())
	_, err = AskProject(context.Background(), Options{In: r, Out: &bytes.Buffer{}}, Project{})
	require.ErrorIs(t, err, ErrInterrupted)
}
