package submission

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFirstProblem(t *testing.T) {
	for _, c := range []struct {
		r    Result
		want string
	}{
		{Result{Rejected: []string{"../x: escapes the folder"}, Mismatched: []string{"a"}}, "../x: escapes the folder"},
		{Result{Mismatched: []string{"report.md"}, Missing: []string{"b"}}, "report.md was modified (its hash does not match SHA256SUMS)"},
		{Result{Missing: []string{"results.json"}, Extra: []string{"c"}}, "results.json is missing"},
		{Result{Extra: []string{"notes.txt"}}, "notes.txt is not listed in SHA256SUMS"},
		{Result{Problems: []string{"SHA256SUMS line 3: malformed"}, Signed: true}, "SHA256SUMS line 3: malformed"},
		{Result{}, "it is not signed"},
		{Result{Signed: true}, "the signature is invalid"},
		// a name from the package that would drive the terminal is quoted
		{Result{Extra: []string{"x\x1b[2Jy"}}, `"x\x1b[2Jy" is not listed in SHA256SUMS`},
		{Result{Missing: []string{"a\x9bb"}}, `"a\x9bb" is missing`},
	} {
		assert.Equal(t, c.want, c.r.FirstProblem())
	}
}
