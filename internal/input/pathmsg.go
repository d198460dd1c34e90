package input

import (
	"errors"
	"fmt"
	"io/fs"
)

// ShortPath drops the operation from a bare *fs.PathError, so "open x: no
// such file or directory" reads "x: no such file or directory"; any other
// error (a wrapped one already says what failed) is returned as it is.
func ShortPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && err == error(pe) {
		return fmt.Errorf("%s: %v", pe.Path, pe.Err)
	}
	return err
}
