package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/sup-run/sup/cmd/sup/internal/control"
	"github.com/sup-run/sup/internal/signals"
	"github.com/sup-run/sup/runtime/supervisor"
)

func printJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func statusCmd() *command {
	return &command{
		name: "status", args: "[-o text|wide|json] [NAME...]",
		summary: "show processes: state, pid and uptime, or why they are not running",
		example: "sup status            # exits 3 if a process that should run does not",
		flags: func(fs *flag.FlagSet) func(*env, []string) int {
			out := fs.String("o", "text", "output: text, wide or json")
			return func(e *env, args []string) int {
				if *out != "text" && *out != "wide" && *out != "json" {
					fmt.Fprintf(e.stderr, "sup status: -o %q: want text, wide or json\n", *out)
					return exitUsage
				}
				c, code := e.client()
				if c == nil {
					return code
				}
				var raw []byte
				var st *control.StatusReply
				var err error
				if *out == "json" {
					// The daemon's JSON as it came: no second encoding.
					raw, st, err = c.StatusJSON(e.ctx, args)
				} else {
					st, err = c.Status(e.ctx, args)
				}
				if err != nil {
					return e.fail(err)
				}
				switch *out {
				case "json":
					e.stdout.Write(raw)
				default:
					for _, c := range st.Daemon.Conditions {
						fmt.Fprintf(e.stdout, "sup: DEGRADED: %s\n", c.Message)
					}
					printTable(e.stdout, st.Processes, *out == "wide")
					if len(args) > 0 {
						printWhy(e.stdout, st.Processes)
					}
				}
				for _, p := range st.Processes {
					if notRunningAsWanted(p) {
						return exitNotRun
					}
				}
				return exitOK
			}
		},
	}
}

// notRunningAsWanted is status's exit-3 rule: a process that should be up
// is not (a finished task and an admin-stopped process are fine).
func notRunningAsWanted(p supervisor.ProcessInfo) bool {
	switch p.StateName {
	case "RUNNING":
		return false
	case "FATAL", "BACKOFF":
		return true
	case "EXITED":
		return p.Wanted && !p.Expected
	}
	return p.Wanted
}

func printTable(w io.Writer, ps []supervisor.ProcessInfo, wide bool) {
	width := 4
	for _, p := range ps {
		width = max(width, len(p.Name))
	}
	width += 2
	for _, p := range ps {
		if wide {
			fmt.Fprintf(w, "%-*s %-10s %-12s %-9s %-22s %s\n", width, p.Name, p.StateName, p.Group,
				"restarts="+strconv.Itoa(p.Restarts), p.DeclaredAt, p.Description)
			continue
		}
		fmt.Fprintf(w, "%-*s %-10s %s\n", width, p.Name, p.StateName, p.Description)
	}
}

func actionCmd(verb, summary, example string) *command {
	return &command{
		name: verb, args: "[--no-wait] [--timeout D] NAME...", summary: summary, example: example,
		flags: func(fs *flag.FlagSet) func(*env, []string) int {
			noWait := fs.Bool("no-wait", false, "return at once instead of waiting for the result")
			timeout := fs.Duration("timeout", 0, "give up waiting after this long (0 = wait for the outcome)")
			out := fs.String("o", "text", "output: text or json")
			return func(e *env, args []string) int {
				if len(args) == 0 {
					fmt.Fprintf(e.stderr, "sup %s: name a process (NAME, GROUP:*, or all)\n", verb)
					return exitUsage
				}
				c, code := e.client()
				if c == nil {
					return code
				}
				req := control.ActionRequest{Names: args, Wait: !*noWait}
				if *timeout > 0 {
					req.Timeout = timeout.String()
				}
				rs, err := c.Action(e.ctx, verb, req)
				if err != nil {
					return e.fail(err)
				}
				return printResults(e, rs, *out)
			}
		},
	}
}

func printResults(e *env, rs *control.ResultsReply, out string) int {
	code := exitOK
	if out == "json" {
		printJSON(e.stdout, rs)
	}
	for _, r := range rs.Results {
		if out != "json" {
			if r.OK {
				fmt.Fprintln(e.stdout, r.String())
			} else {
				fmt.Fprintln(e.stderr, r.String())
			}
		}
		if !r.OK {
			code = exitFail
		}
	}
	return code
}

func signalCmd() *command {
	return &command{
		name: "signal", args: "SIGNAL NAME...",
		summary: "send a signal (to the process group when kill_group)",
		example: "sup signal HUP web",
		flags: func(fs *flag.FlagSet) func(*env, []string) int {
			out := fs.String("o", "text", "output: text or json")
			return func(e *env, args []string) int {
				if len(args) < 2 {
					fmt.Fprintln(e.stderr, "sup signal: give a signal and a name (sup signal HUP web)")
					return exitUsage
				}
				if _, err := signals.Parse(args[0]); err != nil {
					fmt.Fprintf(e.stderr, "sup signal: %v\n", err)
					return exitUsage
				}
				c, code := e.client()
				if c == nil {
					return code
				}
				rs, err := c.Action(e.ctx, "signal", control.ActionRequest{Names: args[1:], Signal: args[0]})
				if err != nil {
					return e.fail(err)
				}
				return printResults(e, rs, *out)
			}
		},
	}
}

func waitCmd() *command {
	return &command{
		name: "wait", args: "NAME... [--for running|ready|stopped|exited|fatal|backoff] [--timeout D]",
		summary: "block until processes reach a state; exit 1 on timeout with the state seen",
		example: "sup wait web --for running --timeout 30s",
		flags: func(fs *flag.FlagSet) func(*env, []string) int {
			target := fs.String("for", "running", "state to wait for: "+strings.Join(control.Conditions(), ", "))
			timeout := fs.Duration("timeout", time.Minute, "give up after this long")
			return func(e *env, args []string) int {
				if len(args) == 0 {
					fmt.Fprintln(e.stderr, "sup wait: name a process (sup wait web --for running)")
					return exitUsage
				}
				// A daemon that is still starting (sup run & sup wait) is
				// waited for too, within the same timeout.
				deadline := time.Now().Add(*timeout)
				var r *control.WaitReply
				for delay := 10 * time.Millisecond; ; delay = min(2*delay, 200*time.Millisecond) {
					var err error
					r, err = e.waitOnce(args, *target, time.Until(deadline))
					var nd *control.NoDaemonError
					if errors.As(err, &nd) && time.Now().Add(delay).Before(deadline) {
						select {
						case <-time.After(delay):
							continue
						case <-e.ctx.Done():
						}
					}
					if err != nil {
						return e.fail(err)
					}
					break
				}
				if r.Met {
					return exitOK
				}
				for _, p := range r.Processes {
					fmt.Fprintf(e.stderr, "%s: timed out after %s waiting for %s; state %s (%s)\n",
						p.Name, timeout, *target, p.StateName, p.Description)
				}
				return exitFail
			}
		},
	}
}

func (e *env) waitOnce(names []string, target string, timeout time.Duration) (*control.WaitReply, error) {
	c, err := e.dial()
	if err != nil {
		return nil, err
	}
	return c.Wait(e.ctx, control.WaitRequest{Names: names, For: target, Timeout: max(timeout, 0).String()})
}

func tailCmd() *command {
	return &command{
		name: "tail", args: "[-f] [-BYTES] NAME [stdout|stderr]",
		summary: "print the last bytes a process wrote (default 1600), exactly; -f follows",
		example: "sup tail -f -4096 web stderr",
		flags: func(fs *flag.FlagSet) func(*env, []string) int {
			follow := fs.Bool("f", false, "follow: keep printing what the process writes")
			return func(e *env, args []string) int {
				n := int64(1600)
				var rest []string
				for _, a := range args {
					if isNumberFlag(a) {
						v, err := strconv.ParseInt(a[1:], 10, 64)
						if err != nil {
							fmt.Fprintf(e.stderr, "sup tail: %s: bad byte count\n", a)
							return exitUsage
						}
						n = v
						continue
					}
					rest = append(rest, a)
				}
				if len(rest) < 1 || len(rest) > 2 {
					fmt.Fprintln(e.stderr, "sup tail: give one NAME and optionally stdout or stderr")
					return exitUsage
				}
				stream := "stdout"
				if len(rest) == 2 {
					stream = rest[1]
					if stream != "stdout" && stream != "stderr" {
						fmt.Fprintf(e.stderr, "sup tail: stream %q: want stdout or stderr\n", stream)
						return exitUsage
					}
				}
				c, code := e.client()
				if c == nil {
					return code
				}
				body, err := c.Log(e.ctx, rest[0], stream, -n, *follow)
				if err != nil {
					return e.fail(err)
				}
				defer body.Close()
				if _, err := io.Copy(e.stdout, body); err != nil && e.ctx.Err() == nil {
					return e.fail(err)
				}
				return exitOK
			}
		},
	}
}

func pidCmd() *command {
	return &command{
		name: "pid", args: "[NAME...]",
		summary: "print the daemon's pid, or the pid of each named process (0 if not running)",
		example: "sup pid web",
		flags: func(fs *flag.FlagSet) func(*env, []string) int {
			return func(e *env, args []string) int {
				c, code := e.client()
				if c == nil {
					return code
				}
				st, err := c.Status(e.ctx, args)
				if err != nil {
					return e.fail(err)
				}
				if len(args) == 0 {
					fmt.Fprintln(e.stdout, st.Daemon.PID)
					return exitOK
				}
				for _, p := range st.Processes {
					fmt.Fprintln(e.stdout, p.PID)
				}
				return exitOK
			}
		},
	}
}

func shutdownCmd() *command {
	return &command{
		name: "shutdown", args: "",
		summary: "stop every process, then the daemon",
		example: "sup shutdown",
		flags: func(fs *flag.FlagSet) func(*env, []string) int {
			return func(e *env, args []string) int {
				c, code := e.client()
				if c == nil {
					return code
				}
				if err := c.Shutdown(e.ctx); err != nil {
					return e.fail(err)
				}
				fmt.Fprintln(e.stdout, "Shut down")
				return exitOK
			}
		},
	}
}
