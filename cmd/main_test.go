package cmd

import (
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"selfassess": func() { os.Exit(Main(os.Args[1:])) },
		// selfassess-exits CODE ARGS... runs selfassess and succeeds only when
		// it exits with CODE, so scripts can assert exact exit codes.
		"selfassess-exits": func() {
			want, err := strconv.Atoi(os.Args[1])
			if err != nil {
				fmt.Fprintln(os.Stderr, "selfassess-exits: first argument must be the expected exit code")
				os.Exit(100)
			}
			if got := Main(os.Args[2:]); got != want {
				fmt.Fprintf(os.Stderr, "selfassess-exits: exit code %d, want %d\n", got, want)
				os.Exit(100)
			}
			os.Exit(0)
		},
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "../testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("CI", "true")
			env.Setenv("NO_COLOR", "1")
			return nil
		},
		Cmds: scriptCmds(),
	})
}
