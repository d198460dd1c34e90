package cmd

import "github.com/spf13/cobra"

// RootCommand is the whole CLI as cobra sees it, for generators of man pages
// and completions (internal/tools/gendocs); it writes to the process's streams.
func RootCommand() *cobra.Command { return newRootCmd(SystemIO()) }
