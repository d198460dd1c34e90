package input

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// PathErr shortens a bare *fs.PathError to "PATH: reason" (the operation,
// "open" or "stat", says nothing to the user); other errors are returned
// as they are.
func PathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && err == error(pe) {
		return fmt.Errorf("%s: %v", pe.Path, pe.Err)
	}
	return err
}

// FlagProblem is err, a problem with the file given to flag, as a
// *Problem: positioned problems (*Errors) speak for themselves, anything
// else is prefixed with the flag.
func FlagProblem(flag string, err error) error {
	var errs *Errors
	if errors.As(err, &errs) {
		return &Problem{Err: errs}
	}
	return Problemf("", "%s: %w", flag, PathErr(err))
}

// CheckPath checks that path, given to flag, exists and is a folder (dir)
// or a file, so a typo is found before minutes of questions and probes.
func CheckPath(flag, path string, dir bool) error {
	fi, err := os.Stat(path)
	if err != nil {
		return Problemf("", "%s: %w", flag, PathErr(err))
	}
	if fi.IsDir() != dir {
		what := "a file, not a folder"
		if dir {
			what = "a folder, not a file"
		}
		return Problemf("", "%s %s: give %s", flag, path, what)
	}
	return nil
}
