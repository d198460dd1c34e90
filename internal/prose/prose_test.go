package prose

import (
	"strings"
	"testing"
)

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "0 targets", 1: "1 target", 3: "3 targets"} {
		if got := Plural(n, "target"); got != want {
			t.Errorf("Plural(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "no", 1: "one", 4: "four", 5: "5", 12: "12", -1: "-1"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestFirstN(t *testing.T) {
	list := []string{"a", "b", "c", "d"}
	for n, want := range map[int]string{4: "a b c d", 5: "a b c d", 3: "a b c and 1 more", 1: "a and 3 more"} {
		if got := strings.Join(FirstN(list, n), " "); got != want {
			t.Errorf("FirstN(%d) = %q, want %q", n, got, want)
		}
	}
	if FirstN(list, 2); len(list) != 4 || list[2] != "c" {
		t.Errorf("FirstN changed its input: %q", list)
	}
}

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"  plain  ":                  "plain",
		"first line\nsecond\tline\n": "first line; second line",
	} {
		if got := OneLine(in); got != want {
			t.Errorf("OneLine(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOrList(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want string
	}{
		{[]string{"table"}, "table"},
		{[]string{"table", "json"}, "table or json"},
		{[]string{"table", "json", "yaml"}, "table, json or yaml"},
	} {
		if got := OrList(c.in); got != c.want {
			t.Errorf("OrList(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestWrapEdges(t *testing.T) {
	for _, c := range []struct {
		name, in string
		width    int
		want     string
	}{
		{"fits exactly", "abc def", 7, "abc def"},
		{"one word longer than the width stays whole", "supercalifragilistic", 5, "supercalifragilistic"},
		{"a long word is broken after it", "supercalifragilistic and more", 5, "supercalifragilistic\n  and\n  more"},
		{"runes, not bytes", "ééé ééé ééé", 7, "ééé ééé\n  ééé"},
		{"indent kept, continuations two further", "    one two three", 12, "    one two\n      three"},
		{"table rows stay whole", "a    1    2    3    4", 8, "a    1    2    3    4"},
		{"lines wrap one by one", "one two three\nshort\nfour five six", 9, "one two\n  three\nshort\nfour five\n  six"},
		{"spaces at the cut are dropped", "one   two", 4, "one\n  two"},
		{"no width: unchanged", "one two three", 0, "one two three"},
	} {
		if got := Wrap(c.in, c.width); got != c.want {
			t.Errorf("%s: Wrap(%q, %d) = %q, want %q", c.name, c.in, c.width, got, c.want)
		}
	}
}
