package input

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestShortPath(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := os.Open(missing)
	if got, want := ShortPath(err).Error(), missing+": no such file or directory"; got != want {
		t.Errorf("bare PathError: got %q, want %q", got, want)
	}
	wrapped := fmt.Errorf("reading: %w", err)
	if got := ShortPath(wrapped); got != wrapped {
		t.Errorf("a wrapped error is kept as it is, got %q", got)
	}
	other := errors.New("other")
	if got := ShortPath(other); got != other {
		t.Errorf("other errors are kept, got %q", got)
	}
	if ShortPath(nil) != nil {
		t.Error("nil stays nil")
	}
}
