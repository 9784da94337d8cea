// Command sup is a process supervisor whose configuration is Starlark.
package main

import (
	"os"

	"github.com/sup-run/sup/cmd/sup/internal/cli"
)

func main() { os.Exit(cli.Main()) }
