package cmd

import (
	"errors"
	"io/fs"
	"os"

	"github.com/selfassess/selfassess/internal/input"
	"github.com/selfassess/selfassess/project"
)

// projectConfig is selfassess.yaml (package project); cmd only merges it
// with the flags.
type projectConfig = project.Config

// findConfig returns the config to use: the named file (which must exist),
// or ./selfassess.yaml when present, or an empty config.
func findConfig(named string) (*projectConfig, error) {
	path := named
	if path == "" {
		path = project.DefaultFile
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return &projectConfig{}, nil
		}
	}
	c, err := project.Load(path)
	if err != nil {
		var ce *input.Errors
		if errors.As(err, &ce) {
			return nil, err
		}
		return nil, usageErr("create one with 'selfassess init'", "--config: %v", pathErr(err))
	}
	return c, nil
}
