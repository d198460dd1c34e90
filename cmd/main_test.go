package cmd

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

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
		// selfassess-within DURATION CODE ARGS... is selfassess-exits that
		// also fails when selfassess is still running after DURATION.
		"selfassess-within": func() {
			limit, err := time.ParseDuration(os.Args[1])
			want, err2 := strconv.Atoi(os.Args[2])
			if err != nil || err2 != nil {
				fmt.Fprintln(os.Stderr, "selfassess-within: usage: selfassess-within DURATION CODE ARGS...")
				os.Exit(100)
			}
			done := make(chan int, 1)
			go func() { done <- Main(os.Args[3:]) }()
			select {
			case got := <-done:
				if got != want {
					fmt.Fprintf(os.Stderr, "selfassess-within: exit code %d, want %d\n", got, want)
					os.Exit(100)
				}
				os.Exit(0)
			case <-time.After(limit):
				fmt.Fprintf(os.Stderr, "selfassess-within: still running after %s\n", limit)
				os.Exit(100)
			}
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
			if os.Getenv("GORACE") == "" {
				// A binary built with -race sleeps 1 s at exit (GORACE
				// atexit_sleep_ms=1000) so that goroutines still running
				// can report; every command here has stopped its own
				// before it returns, and races are reported when they
				// happen. The sleep was 3 of make test's 5 minutes.
				env.Setenv("GORACE", "atexit_sleep_ms=0")
			}
			return nil
		},
		Cmds: scriptCmds(),
	})
}
