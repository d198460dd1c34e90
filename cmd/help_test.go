package cmd

import (
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Every command's help reads the same way: placeholders in capitals (FILE,
// DIR, ID|FILE, URL), exit codes stated, an example; --out is -o wherever
// it names where output goes.
func TestHelpIsConsistent(t *testing.T) {
	root := newRootCmd(TestIO(nil, nil, nil, nil))
	exitCodes := regexp.MustCompile(`(?i)exit (codes|0)`)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Hidden || sub.Name() == "help" || sub.Name() == "completion" || strings.HasPrefix(sub.Name(), "__") {
				continue
			}
			walk(sub)
		}
		if !c.Runnable() || c == root || c.HasSubCommands() {
			return
		}
		name := c.CommandPath()
		if !exitCodes.MatchString(c.Long) {
			t.Errorf("%s: the long description does not state the exit codes", name)
		}
		if c.Example == "" {
			t.Errorf("%s: no example", name)
		}
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if strings.Contains(f.Usage, "`") {
				if word, _ := pflag.UnquoteUsage(f); word == "" || word[:1] != strings.ToUpper(word[:1]) {
					t.Errorf("%s --%s: placeholder %q is not in capitals", name, f.Name, word)
				}
			}
			if f.Name == "out" && f.Shorthand != "o" && c.Name() != "init" {
				t.Errorf("%s --out has no -o", name)
			}
		})
	}
	walk(root)
}
