package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/sup-run/sup/runtime/proc"
)

// execHelperName is the hidden command the reaper runs to give a child a
// umask (see proc.ReaperOptions.Helper): sup's own umask is process-wide,
// so it cannot be changed around a fork.
const execHelperName = "_exec"

// ExecHelperArgs are the leading arguments of the helper, after the
// executable.
func ExecHelperArgs() []string { return []string{"sup", execHelperName} }

func execHelper(stderr io.Writer, args []string) int {
	err := proc.ExecHelper(args, os.Environ())
	fmt.Fprintf(stderr, "sup: %v\n", err)
	return 127
}
