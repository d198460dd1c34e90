package indent

import (
	"bytes"
	"errors"
	"testing"
)

type row struct {
	ID    string   `json:"id" yaml:"id"`
	Items []string `json:"items" yaml:"items"`
}

func TestJSON(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, []row{{ID: "a", Items: []string{"x"}}}); err != nil {
		t.Fatal(err)
	}
	want := "[\n  {\n    \"id\": \"a\",\n    \"items\": [\n      \"x\"\n    ]\n  }\n]\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestYAML(t *testing.T) {
	var b bytes.Buffer
	if err := YAML(&b, []row{{ID: "a", Items: []string{"x"}}}); err != nil {
		t.Fatal(err)
	}
	want := "- id: a\n  items:\n    - x\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrorsAreReturned(t *testing.T) {
	if err := JSON(failWriter{}, row{ID: "a"}); err == nil {
		t.Error("JSON: want the writer's error")
	}
	if err := YAML(failWriter{}, row{ID: "a"}); err == nil {
		t.Error("YAML: want the writer's error")
	}
}
