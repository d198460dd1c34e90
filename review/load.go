package review

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/internal/input"
	"github.com/selfassess/selfassess/internal/prose"
	"github.com/selfassess/selfassess/report"
	"github.com/selfassess/selfassess/submission"
)

// RoundInput names what a run is given of the previous round (the flags
// --previous, --review and --reviewer-keys) and how strict to be.
type RoundInput struct {
	// Previous is the previous package's results.json; with a review and
	// no Previous, the one in OutDir (the package the new one replaces).
	Previous, OutDir string
	Review           string // the reviewer's signed review package
	ReviewerKeys     string // allowed_signers naming the reviewers
	Answers          *answers.File
	// RequireResponses (CI mode, unanswered not allowed): every reviewer
	// finding and question needs a response in the answers file.
	RequireResponses bool
	Now              time.Time
}

// RoundNotes are lines for the terminal: Warnings (the approval lapsing
// soon) and, with the error, the Unresponded items one per line.
type RoundNotes struct {
	Warnings, Unresponded []string
}

// LoadRound reads the previous results and the review: checked against
// the reviewer keys, bound to the previous package, and the team's
// responses to it checked. Every problem is a *input.Problem naming the flag.
func LoadRound(in RoundInput) (*Round, RoundNotes, error) {
	var notes RoundNotes
	r := &Round{PreviousPath: in.Previous}
	if r.PreviousPath == "" && in.Review != "" {
		r.PreviousPath = PreviousIn(in.OutDir)
	}
	if r.PreviousPath != "" {
		prev, err := report.LoadResults(r.PreviousPath)
		if err != nil {
			return nil, notes, input.Problemf("", "--previous: %w", input.PathErr(err))
		}
		r.Previous = prev
	}
	if in.Review == "" {
		return r, notes, nil
	}
	if in.ReviewerKeys == "" {
		return nil, notes, input.Problemf("give the provider's reviewer keys (an allowed_signers file) with --reviewer-keys FILE or reviewer_keys: in selfassess.yaml",
			"--review needs the reviewer keys to check the review against")
	}
	keys, err := LoadReviewerKeys(in.ReviewerKeys)
	if err != nil {
		return nil, notes, err
	}
	if r.Review, err = Open(in.Review, keys, in.Now); err != nil {
		return nil, notes, input.Problemf("", "--review: %w", input.PathErr(err))
	}
	if r.PreviousPath == "" {
		return nil, notes, input.Problemf("give the reviewed package's results.json with --previous (its SHA256SUMS must sit beside it)",
			"--review: cannot tell which submission the review is of")
	}
	if err := r.Review.Match(r.PreviousPath); errors.As(err, new(*VerifyError)) {
		return nil, notes, input.Problemf("", "--review %s: %w (the previous package is %s)", in.Review, err, filepath.Dir(r.PreviousPath))
	} else if err != nil {
		return nil, notes, input.Problemf("", "--previous: %w", err)
	}
	if w := r.Review.Review.ExpiryWarning(in.Now); w != "" {
		notes.Warnings = append(notes.Warnings, w)
	}
	missing, err := r.CheckResponses(in.Answers)
	if err != nil {
		return nil, notes, &input.Problem{Err: err}
	}
	if len(missing) > 0 && in.RequireResponses {
		for _, it := range missing {
			kind, due := "finding", ", due "+it.Due
			if it.Question {
				kind, due = "question", ""
			}
			notes.Unresponded = append(notes.Unresponded, fmt.Sprintf("unresponded: %s reviewer %s%s: %s", it.Control, kind, due, prose.OneLine(it.Text)))
		}
		return nil, notes, input.Problemf("add review_response: {kind: fixed|will-fix|disputed|answered, …} to each control in "+in.Answers.Path+", or pass --allow-unanswered",
			"%d reviewer finding(s) or question(s) have no response in %s", len(missing), in.Answers.Path)
	}
	return r, notes, nil
}

// LoadReviewerKeys reads --reviewer-keys, an allowed_signers file naming
// the provider's reviewers.
func LoadReviewerKeys(path string) ([]submission.AllowedSigner, error) {
	b, err := input.ReadFile(path, maxKeysFile)
	if err != nil {
		return nil, input.Problemf("", "--reviewer-keys: %w", input.PathErr(err))
	}
	keys, err := submission.ParseAllowedSigners(path, b)
	if err != nil {
		return nil, input.Problemf(fmt.Sprintf("each line is: %s namespaces=%q KEYTYPE KEY", Principal, Namespace), "--reviewer-keys %w", err)
	}
	return keys, nil
}

// maxKeysFile bounds an allowed_signers file.
const maxKeysFile = 1 << 20

// Approval is verify's verdict on the review of a verified package.
type Approval struct {
	*Opened
	Path string
	// Approved: an approval still valid at the time asked; else Why not.
	Approved bool
	Why      string
}

// Lines are what verify prints of it: the review and who signed it
// (checked against keysPath), the decision, and the result.
func (a *Approval) Lines(keysPath string) []string {
	result := "result:  APPROVED until " + a.Review.Decision.ValidUntil
	if !a.Approved {
		result = "result:  NOT APPROVED — " + a.Why
	}
	return []string{fmt.Sprintf("review:  %s, signed by %s (checked against %s)", a.Path, a.Check.KeyFP, keysPath),
		"decision: " + a.Review.Status(), result}
}

// CheckApproval opens the review at path (--review) against the reviewer
// keys, checks it is of the package whose SHA256SUMS digest is sums, and
// whether it approves it at now. A review that does not verify or is of
// another package is a *VerifyError; an unreadable one a *input.Problem.
func CheckApproval(path string, keys []submission.AllowedSigner, sums string, now time.Time) (*Approval, error) {
	opened, err := Open(path, keys, now)
	if err == nil {
		err = opened.Review.Binds(sums)
	}
	if errors.As(err, new(*VerifyError)) {
		return nil, err
	} else if err != nil {
		return nil, input.Problemf("", "--review: %w", input.PathErr(err))
	}
	a := &Approval{Opened: opened, Path: path}
	a.Approved, a.Why = opened.Review.ApprovedAt(now)
	return a, nil
}
