// Command gendocs writes the man pages and shell completions that go into the
// release archives (.goreleaser.yaml runs it): gendocs DIR writes DIR/man/*.1
// and DIR/completions/selfassess.{bash,zsh,fish,ps1}. It is a separate
// program so that the man page generator is not linked into selfassess.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/selfassess/selfassess/cmd"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gendocs DIR")
		os.Exit(2)
	}
	if err := generate(os.Args[1]); err != nil {
		fmt.Fprintf(os.Stderr, "gendocs: error: %v\n", err)
		os.Exit(1)
	}
}

func generate(dir string) error {
	root := cmd.RootCommand()
	root.DisableAutoGenTag = true
	man := filepath.Join(dir, "man")
	completions := filepath.Join(dir, "completions")
	for _, d := range []string{man, completions} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	header := &doc.GenManHeader{Title: "SELFASSESS", Section: "1", Source: "selfassess " + cmd.Version, Date: sourceDate()}
	if err := doc.GenManTree(root, header, man); err != nil {
		return fmt.Errorf("man pages: %v", err)
	}
	for name, gen := range map[string]func(*cobra.Command, string) error{
		"selfassess.bash": func(c *cobra.Command, p string) error { return c.GenBashCompletionFileV2(p, true) },
		"selfassess.zsh":  func(c *cobra.Command, p string) error { return c.GenZshCompletionFile(p) },
		"selfassess.fish": func(c *cobra.Command, p string) error { return c.GenFishCompletionFile(p, true) },
		"selfassess.ps1":  func(c *cobra.Command, p string) error { return c.GenPowerShellCompletionFileWithDesc(p) },
	} {
		if err := gen(root, filepath.Join(completions, name)); err != nil {
			return fmt.Errorf("completion %s: %v", name, err)
		}
	}
	return nil
}

// sourceDate keeps the man pages reproducible: SOURCE_DATE_EPOCH when set.
func sourceDate() *time.Time {
	t := time.Now().UTC()
	if v := os.Getenv("SOURCE_DATE_EPOCH"); v != "" {
		var sec int64
		if _, err := fmt.Sscan(v, &sec); err == nil {
			t = time.Unix(sec, 0).UTC()
		}
	}
	return &t
}
