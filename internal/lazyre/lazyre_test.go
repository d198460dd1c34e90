package lazyre

import (
	"sync"
	"testing"
)

func TestNewCompilesOnceOnFirstUse(t *testing.T) {
	re := New(`^a+b$`)
	var wg sync.WaitGroup
	got := make([]any, 8)
	for i := range got {
		wg.Add(1)
		go func() { defer wg.Done(); got[i] = re() }()
	}
	wg.Wait()
	for _, g := range got {
		if g != got[0] {
			t.Fatal("concurrent first calls returned different compiled expressions")
		}
	}
	if !re().MatchString("aab") || re().MatchString("b") {
		t.Fatal("the compiled expression does not match as the pattern says")
	}
}

func TestNewPanicsOnFirstUseOfAnInvalidPattern(t *testing.T) {
	re := New(`(unclosed`) // no panic yet: nothing compiled
	defer func() {
		if recover() == nil {
			t.Fatal("an invalid pattern did not panic on first use")
		}
	}()
	re()
}

func TestPatternsRecordsEveryNew(t *testing.T) {
	before := len(Patterns())
	New(`x+`)
	New(`(y`)
	got := Patterns()
	if len(got) != before+2 || got[len(got)-2] != `x+` || got[len(got)-1] != `(y` {
		t.Fatalf("Patterns() = %q", got[before:])
	}
}
