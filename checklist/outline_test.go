package checklist

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestWriteOutline(t *testing.T) {
	cl, err := Builtin("finhub")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := cl.WriteOutline(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"finhub  ", "\nprovider  FinHub", "\ncontrols  ", "            verified by ", "            ? "} {
		if !strings.Contains(out, want) {
			t.Errorf("outline lacks %q:\n%s", want, out)
		}
	}
	if err := cl.WriteOutline(failingWriter{}); err == nil {
		t.Error("a write error is not returned")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestVerifiedBy(t *testing.T) {
	for _, c := range []struct {
		ctl  Control
		want string
	}{
		{Control{Questions: make([]Question, 1)}, "1 question"},
		{Control{Questions: make([]Question, 2), Probes: []string{"a"}}, "2 questions and 1 probe"},
		{Control{Probes: []string{"a", "b"}}, "2 probes"},
	} {
		if got := verifiedBy(&c.ctl); got != c.want {
			t.Errorf("verifiedBy = %q, want %q", got, c.want)
		}
	}
}
