package prose

import "testing"

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

func TestWrapBreaksAtSpacesOnly(t *testing.T) {
	in := "      fix:   Serve every endpoint over HTTPS only (TLS 1.2 or 1.3, modern suites), redirect HTTP\n" +
		"Section one                     2     0     0        0    0           0      0   and more columns here\n" +
		"short\n" +
		"Results written to out (SHA256SUMS, VERIFY.md, assessment-results.json-with-a-very-long-name-indeed)"
	want := "      fix:   Serve every endpoint over HTTPS only (TLS 1.2\n" +
		"        or 1.3, modern suites), redirect HTTP\n" +
		"Section one                     2     0     0        0    0           0      0   and more columns here\n" +
		"short\n" +
		"Results written to out (SHA256SUMS, VERIFY.md,\n" +
		"  assessment-results.json-with-a-very-long-name-indeed)"
	if got := Wrap(in, 60); got != want {
		t.Errorf("Wrap:\n%s\nwant:\n%s", got, want)
	}
	if got := Wrap(in, 0); got != in {
		t.Error("no width: unchanged")
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
		{"indent kept", "    one two three", 12, "    one two\n      three"},
	} {
		if got := Wrap(c.in, c.width); got != c.want {
			t.Errorf("%s: Wrap(%q, %d) = %q, want %q", c.name, c.in, c.width, got, c.want)
		}
	}
}
