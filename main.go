package main

import (
	"os"

	"github.com/selfassess/selfassess/cmd"
)

func main() { os.Exit(cmd.Main(os.Args[1:])) }
