package cli

import (
	"flag"
	"fmt"
	"strconv"

	"github.com/sup-run/sup/cmd/sup/internal/control"
)

func scaleCmd() *command {
	return &command{
		name: "scale", args: "[--no-wait] [--timeout D] JOB N",
		summary: "run N processes of a job: start or stop only the difference (until the next reload)",
		example: "sup scale worker 8",
		flags: func(fs *flag.FlagSet) func(*env, []string) int {
			noWait := fs.Bool("no-wait", false, "return at once instead of waiting for the result")
			timeout := fs.Duration("timeout", 0, "give up waiting after this long (0 = wait for the outcome)")
			out := fs.String("o", "text", "output: text or json")
			return func(e *env, args []string) int {
				if len(args) != 2 {
					fmt.Fprintln(e.stderr, "sup scale: give a job and a count (sup scale worker 8)")
					return exitUsage
				}
				n, err := strconv.Atoi(args[1])
				if err != nil || n < 0 {
					fmt.Fprintf(e.stderr, "sup scale: %q is not a count (0 or more)\n", args[1])
					return exitUsage
				}
				c, code := e.client()
				if c == nil {
					return code
				}
				req := control.ScaleRequest{Name: args[0], Count: &n, Wait: !*noWait}
				if *timeout > 0 {
					req.Timeout = timeout.String()
				}
				rs, err := c.Scale(e.ctx, req)
				if err != nil {
					return e.fail(err)
				}
				return printResults(e, rs, *out)
			}
		},
	}
}
