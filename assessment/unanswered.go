package assessment

import (
	"time"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/checklist"
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
