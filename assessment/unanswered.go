package assessment

import (
	"fmt"
	"strings"
	"time"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/input"
)

// AnswersFail reports whether an answered question of the control that
// applies fails its pass criterion: the control fails whatever else is given.
func AnswersFail(ctl *checklist.Control, a *answers.Control, now time.Time) bool {
	if a == nil || (a.NotApplicable != "" && ctl.AllowNotApplicable) {
		return false
	}
	for i := range ctl.Questions {
		q := &ctl.Questions[i]
		v, ok := a.Answers[q.ID]
		if !ok || q.Pass == nil || answers.IsBlank(v) || !answers.Asked(q, a.Answers) {
			continue
		}
		if ok, _ := q.Pass.Resolve(a.Answers).Check(v, now); !ok {
			return true
		}
	}
	return false
}

// MissingEvidence lists the control's required evidence not given. Required
// evidence backs a passing answer: an honest "no" (a failing answer) is
// complete without it.
func MissingEvidence(ctl *checklist.Control, a *answers.Control, now time.Time) []string {
	if AnswersFail(ctl, a, now) {
		return nil
	}
	return answers.MissingEvidence(ctl, a)
}

// Unanswered lists, in checklist order, the controls with required
// questions still to answer, or a passing answer without its required
// evidence.
func Unanswered(cl *checklist.Checklist, f *answers.File, now time.Time) []string {
	var out []string
	for _, sc := range cl.Controls() {
		var a *answers.Control
		if f != nil {
			a = f.Controls[sc.Control.ID]
		}
		if len(answers.MissingQuestions(sc.Control, a)) > 0 || len(MissingEvidence(sc.Control, a, now)) > 0 {
			out = append(out, sc.Control.ID)
		}
	}
	return out
}

// RequireAnswered is, for CI mode, a *input.Problem when some control
// cannot be evaluated for want of answers; lines then say, one per
// control, what is missing ("unanswered: ID (question, evidence FILE)").
func RequireAnswered(cl *checklist.Checklist, f *answers.File, now time.Time) (lines []string, err error) {
	missing := Unanswered(cl, f, now)
	if len(missing) == 0 {
		return nil, nil
	}
	for _, id := range missing {
		ctl, _ := cl.Control(id)
		what := answers.MissingQuestions(ctl, f.Controls[id])
		for _, e := range MissingEvidence(ctl, f.Controls[id], now) {
			what = append(what, "evidence "+e)
		}
		lines = append(lines, fmt.Sprintf("unanswered: %s (%s)", id, strings.Join(what, ", ")))
	}
	return lines, input.Problemf("answer them in "+f.Path+", run 'selfassess run' in a terminal, or pass --allow-unanswered to record them as not_tested",
		"%d of %d controls are not answered in %s", len(missing), len(cl.Controls()), f.Path)
}
