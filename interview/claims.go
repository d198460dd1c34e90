package interview

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/huh"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/assessment"
)

// ClaimCandidate is a failing probe finding the team may claim is a false
// positive (assessment.Candidates lists them).
type ClaimCandidate = assessment.Candidate

// claimPick asks which findings are false positives.
type claimPick struct {
	cands  []ClaimCandidate
	chosen []string
}

func (st *claimPick) pages() []rpage {
	var opts []huh.Option[string]
	for _, c := range st.cands {
		opts = append(opts, huh.NewOption(fmt.Sprintf("%s: %s (%s)", c.Control, c.Message, c.Location), c.Fingerprint))
	}
	return []rpage{rp(huh.NewMultiSelect[string]().
		Title("Probe findings: mark any that are false positives (the reviewer decides each claim)").
		Description("space selects, enter confirms; confirm with none selected to claim nothing").
		Options(opts...).Value(&st.chosen))}
}

// claimWhy asks the justification of one claim.
type claimWhy struct {
	cand ClaimCandidate
	text string
}

func (st *claimWhy) pages() []rpage {
	return []rpage{rp(
		huh.NewNote().Title("False positive on "+st.cand.Control).Description(st.cand.Fingerprint+"\n"+st.cand.Message),
		huh.NewInput().Title("Why is it not real?").Value(&st.text).Validate(nonEmpty("the justification")),
	)}
}

// RunClaims offers the failing probe findings not yet claimed for the team
// to mark as false positives, each with a justification; a claim goes into
// the answers (the control's false_positives) and is saved at once.
func RunClaims(ctx context.Context, cands []ClaimCandidate, ans *answers.File, opts ResponseOptions) error {
	opts.defaults(ans)
	claimed := map[string]bool{}
	for _, c := range ans.Controls {
		if c != nil {
			for _, fp := range c.FalsePositives {
				claimed[fp.Fingerprint] = true
			}
		}
	}
	var open []ClaimCandidate
	for _, c := range cands {
		if !claimed[c.Fingerprint] {
			open = append(open, c)
		}
	}
	if len(open) == 0 {
		return nil
	}
	byFP := map[string]ClaimCandidate{}
	for _, c := range open {
		byFP[c.Fingerprint] = c
	}
	return runSteps(ctx, []formStep{&claimPick{cands: open}}, "False positives", opts.In, opts.Out, opts.Accessible, func(st formStep) ([]formStep, error) {
		switch st := st.(type) {
		case *claimPick:
			var more []formStep
			for _, fp := range st.chosen {
				more = append(more, &claimWhy{cand: byFP[fp]})
			}
			return more, nil
		case *claimWhy:
			c := ans.Controls[st.cand.Control]
			if c == nil {
				c = &answers.Control{}
				ans.Controls[st.cand.Control] = c
			}
			c.FalsePositives = append(c.FalsePositives, answers.FalsePositive{Fingerprint: st.cand.Fingerprint, Justification: strings.TrimSpace(st.text)})
			if err := opts.Save(ans); err != nil {
				return nil, fmt.Errorf("saving answers: %w", err)
			}
		}
		return nil, nil
	})
}
