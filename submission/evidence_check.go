package submission

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/selfassess/selfassess/internal/evidence"
	"github.com/selfassess/selfassess/internal/input"
)

// EvidenceRule is the hint when refused evidence files need different fixes.
const EvidenceRule = "evidence must be a document inside the project folder; --evidence-root DIR widens it"

// Problem is the one-line error for the refused files (the caller prints
// Lines first when there are several): one file is the error with its
// own hint; several share a hint only when they share the fix.
func (e *EvidenceErrors) Problem() error {
	switch len(e.List) {
	case 0:
		return nil
	case 1:
		return &input.Problem{Err: e.List[0], Hint: e.Hints[0]}
	}
	hint := e.Hints[0]
	for _, h := range e.Hints {
		if h != hint {
			hint = EvidenceRule
		}
	}
	return input.Problemf(hint, "%d refused evidence files in %s", len(e.List), e.List[0].File)
}

// CheckEvidenceFile checks one evidence file as the questionnaire takes
// it (relative to answersDir): a refusal is one line naming the file and,
// when there is one, how to fix it.
func CheckEvidenceFile(ctx context.Context, chk *evidence.Checker, answersDir, path string, allowSecret bool) error {
	_, err := chk.Check(ctx, answersDir, path, allowSecret)
	var e *evidence.Error
	if errors.As(err, &e) && e.Hint != "" {
		return fmt.Errorf("%s: %s; %s", path, e.Msg, e.Hint)
	} else if errors.As(err, &e) {
		return fmt.Errorf("%s: %s", path, e.Msg)
	}
	return err
}

// EvidenceChecker is the checker for a run's evidence files: they are
// signed and sent, so they must stay inside the project folder (the
// answers file's and the settings file's) or an extra root (--evidence-root).
func EvidenceChecker(answersPath, configPath string, extraRoots []string) (*evidence.Checker, error) {
	roots := append([]string{filepath.Dir(answersPath)}, extraRoots...)
	if configPath != "" {
		roots = append(roots, filepath.Dir(configPath))
	}
	ev, err := evidence.NewChecker(roots...)
	if err != nil {
		return nil, input.Problemf("", "--evidence-root: %w", err)
	}
	return ev, nil
}
