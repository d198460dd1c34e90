package checklist

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSummaries(t *testing.T) {
	rows, err := Summaries()
	require.NoError(t, err)
	require.Len(t, rows, len(BuiltinIDs()))
	for i, id := range BuiltinIDs() {
		cl, err := Builtin(id)
		require.NoError(t, err)
		r := rows[i]
		assert.Equal(t, id, r.ID, "in BuiltinIDs order")
		assert.Equal(t, cl.Title, r.Title)
		assert.Equal(t, cl.Version, r.Version)
		assert.Equal(t, cl.Provider.Name, r.Provider)
		assert.Equal(t, len(cl.Sections), r.Sections)
		assert.Equal(t, len(cl.Controls()), r.Controls)
		assert.Positive(t, r.Controls)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestResolveArg(t *testing.T) {
	src, err := BuiltinSource("baseline")
	require.NoError(t, err)
	cl, err := ResolveArg(Stdin, strings.NewReader(string(src)))
	require.NoError(t, err)
	assert.Equal(t, "<stdin>", cl.File)
	assert.Equal(t, "baseline", cl.ID)

	_, err = ResolveArg(Stdin, strings.NewReader("id: x\n"))
	var errs *Errors
	require.ErrorAs(t, err, &errs)
	assert.Equal(t, "<stdin>", errs.List[0].File, "problems are positioned in <stdin>")

	_, err = ResolveArg(Stdin, failingReader{})
	assert.EqualError(t, err, "cannot read checklist from standard input: broken pipe")

	// too much input is refused by size, not read without end
	_, err = ResolveArg(Stdin, strings.NewReader(strings.Repeat("#", MaxFileSize+10)))
	require.ErrorAs(t, err, &errs)
	assert.Contains(t, errs.List[0].Msg, "a checklist may be at most")

	cl, err = ResolveArg("fincode", failingReader{})
	require.NoError(t, err, "anything else is Resolve's: stdin is not read")
	assert.Equal(t, "fincode", cl.ID)
}
