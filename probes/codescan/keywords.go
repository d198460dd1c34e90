package codescan

// keywordTrie finds every occurrence of the rules' keywords in one pass
// (Aho-Corasick, compiled to a DFA). It replaces github.com/BobuSumisu/
// aho-corasick here only for its build cost: that library gives every
// state a 256-entry table of int64 (2 KiB), 4 MB for the ~300 keywords,
// allocated and filled in every process that scans anything. Here the
// columns are the few byte values that occur in keywords, every other byte
// sharing one column that leads back to the root.
type keywordTrie struct {
	class  [256]uint8 // byte -> column; 0 = a byte in no keyword
	ncols  int
	delta  []int32 // state*ncols + column -> next state
	out    []int32 // state -> keyword ending here, or -1
	dict   []int32 // state -> nearest proper suffix state with a keyword, or -1
	length []int32 // keyword -> its length
}

func newKeywordTrie(words []string) *keywordTrie {
	t := &keywordTrie{ncols: 1}
	for _, w := range words {
		for i := 0; i < len(w); i++ {
			if t.class[w[i]] == 0 {
				t.class[w[i]] = uint8(t.ncols)
				t.ncols++
			}
		}
	}
	// the goto function: a tree of the keywords, -1 where there is no edge
	states := 1
	for _, w := range words {
		states += len(w) // at most
	}
	t.delta = make([]int32, 0, states*t.ncols)
	t.out = make([]int32, 0, states)
	t.dict = make([]int32, 0, states)
	t.length = make([]int32, 0, len(words))
	t.addState()
	for k, w := range words {
		t.length = append(t.length, int32(len(w)))
		if w == "" {
			continue // matches nowhere, as in no rule
		}
		s := int32(0)
		for i := 0; i < len(w); i++ {
			at := int(s)*t.ncols + int(t.class[w[i]])
			if t.delta[at] < 0 {
				t.delta[at] = t.addState()
			}
			s = t.delta[at]
		}
		if t.out[s] < 0 { // a repeated keyword reports its first index
			t.out[s] = int32(k)
		}
	}
	// Breadth first, so a state's failure state is complete before it:
	// missing edges become the failure state's transitions (the DFA).
	fail := make([]int32, len(t.out))
	queue := make([]int32, 0, len(t.out))
	for c := 0; c < t.ncols; c++ {
		if v := t.delta[c]; v < 0 {
			t.delta[c] = 0
		} else {
			fail[v] = 0
			queue = append(queue, v)
		}
	}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		if f := fail[u]; t.out[f] >= 0 {
			t.dict[u] = f
		} else {
			t.dict[u] = t.dict[f]
		}
		for c := 0; c < t.ncols; c++ {
			at := int(u)*t.ncols + c
			next := t.delta[int(fail[u])*t.ncols+c]
			if v := t.delta[at]; v < 0 {
				t.delta[at] = next
			} else {
				fail[v] = next
				queue = append(queue, v)
			}
		}
	}
	return t
}

func (t *keywordTrie) addState() int32 {
	for c := 0; c < t.ncols; c++ {
		t.delta = append(t.delta, -1)
	}
	t.out = append(t.out, -1)
	t.dict = append(t.dict, -1)
	return int32(len(t.out) - 1)
}

// walk calls fn for every keyword occurrence in input, in the order of
// their end positions (at one position: the longest keyword first), with
// the index of its last byte, its length and the keyword's index.
func (t *keywordTrie) walk(input []byte, fn func(end, n, keyword int)) {
	s := int32(0)
	for i, b := range input {
		s = t.delta[int(s)*t.ncols+int(t.class[b])]
		if k := t.out[s]; k >= 0 {
			fn(i, int(t.length[k]), int(k))
		}
		for u := t.dict[s]; u >= 0; u = t.dict[u] {
			k := t.out[u]
			fn(i, int(t.length[k]), int(k))
		}
	}
}
