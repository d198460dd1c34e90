package interview

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/checklist"
)

// The review's items carry their controls' titles; a control the
// checklist does not have keeps an empty one.
func TestResponseItems(t *testing.T) {
	cl := &checklist.Checklist{Sections: []checklist.Section{{ID: "s", Controls: []checklist.Control{{ID: "C-TOK", Title: "Tokens"}}}}}
	got := ResponseItems([]assessment.ReviewItem{
		{Control: "C-TOK", Text: "tokens reach localStorage", Severity: "critical", Due: "2027-01-31"},
		{Control: "C-GONE", Text: "Which KMS?", Question: true},
	}, cl)
	assert.Equal(t, []ResponseItem{
		{Control: "C-TOK", Title: "Tokens", Text: "tokens reach localStorage", Severity: "critical", Due: "2027-01-31"},
		{Control: "C-GONE", Text: "Which KMS?", Question: true},
	}, got)
}

func TestResponsesAccessibleAndResume(t *testing.T) {
	items := []ResponseItem{
		{Control: "C-TOK", Title: "Tokens", Text: "tokens reach localStorage", Severity: "critical", Due: "2027-01-31"},
		{Control: "C-LOG", Title: "Logs", Text: "show the retention", Severity: "medium", Due: "2027-02-28"},
		{Control: "C-KMS", Title: "KMS", Text: "Which KMS?", Question: true},
	}
	ans := answers.New("", "t")
	saves := 0
	opts := func(in string, out *bytes.Buffer) ResponseOptions {
		return ResponseOptions{In: strings.NewReader(in), Out: out, Accessible: true, Save: func(*answers.File) error { saves++; return nil }}
	}
	// C-TOK fixed; then C-LOG will-fix: a date after the due date is refused, then the input ends
	var out bytes.Buffer
	err := RunResponses(context.Background(), items, ans, opts("1\nmoved to an HttpOnly cookie\n2\n2027-03-01\n", &out))
	require.ErrorIs(t, err, ErrInterrupted)
	assert.Contains(t, out.String(), "Reviewer's finding on C-TOK · Tokens · critical · due 2027-01-31")
	assert.Contains(t, out.String(), "no later than the due date 2027-02-28")
	assert.Equal(t, &answers.ReviewResponse{Kind: answers.RespFixed, Text: "moved to an HttpOnly cookie"}, ans.Controls["C-TOK"].ReviewResponse)
	assert.Nil(t, ans.Controls["C-LOG"], "not saved half-way")
	assert.Equal(t, 1, saves)

	// Resumed: C-TOK is not asked again.
	out.Reset()
	err = RunResponses(context.Background(), items, ans, opts("2\n2027-02-15\nana\n1\nAWS KMS\n", &out))
	require.NoError(t, err, out.String())
	assert.NotContains(t, out.String(), "C-TOK")
	assert.Equal(t, &answers.ReviewResponse{Kind: answers.RespWillFix, Date: "2027-02-15", Owner: "ana"}, ans.Controls["C-LOG"].ReviewResponse)
	assert.Equal(t, &answers.ReviewResponse{Kind: answers.RespAnswered, Text: "AWS KMS"}, ans.Controls["C-KMS"].ReviewResponse)
	assert.Equal(t, 3, saves)
}
