package cmd

import "github.com/selfassess/selfassess/project"

// projectConfig is selfassess.yaml (package project; project.Find finds
// it); cmd only merges it with the flags.
type projectConfig = project.Config
