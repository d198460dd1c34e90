package cmd

import "github.com/rogpeppe/go-internal/testscript"

// scriptCmds are the custom testscript commands (servers for probes, etc).
// Each family's helpers add theirs in their own *_test.go via scriptCmdSet.
func scriptCmds() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	m := map[string]func(ts *testscript.TestScript, neg bool, args []string){}
	for _, add := range scriptCmdSet {
		add(m)
	}
	return m
}

var scriptCmdSet []func(map[string]func(ts *testscript.TestScript, neg bool, args []string))
