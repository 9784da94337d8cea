package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/sup-run/sup/cmd/sup/internal/control"
)

// logActionCmd is rotate and clear: a verb on the logs of named processes.
func logActionCmd(verb, summary, example string) *command {
	return &command{
		name: verb, args: "NAME...", summary: summary, example: example,
		flags: func(fs *flag.FlagSet) func(*env, []string) int {
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
				rs, err := c.Action(e.ctx, verb, control.ActionRequest{Names: args})
				if err != nil {
					return e.fail(err)
				}
				return printResults(e, rs, *out)
			}
		},
	}
}

func logsCmd() *command {
	return &command{
		name: "logs", args: "[-n N] [-f] [--since D] [-o text|json] [--stream S] [NAME...]",
		summary: "print the last lines of processes, interleaved by time with a name prefix; -f follows",
		example: "sup logs -n 50 -f web worker",
		flags: func(fs *flag.FlagSet) func(*env, []string) int {
			n := fs.Int("n", 10, "how many lines (from memory: the last few thousand per stream)")
			follow := fs.Bool("f", false, "follow: keep printing new lines")
			since := fs.String("since", "", "only lines read in the last D (e.g. 10m)")
			stream := fs.String("stream", "", "stdout or stderr (default both)")
			out := fs.String("o", "text", "output: text or json (one document per line)")
			return func(e *env, args []string) int {
				if *out != "text" && *out != "json" {
					fmt.Fprintf(e.stderr, "sup logs: -o %q: want text or json\n", *out)
					return exitUsage
				}
				c, code := e.client()
				if c == nil {
					return code
				}
				body, err := c.Lines(e.ctx, args, *stream, *n, *since, *follow)
				if err != nil {
					return e.fail(err)
				}
				defer body.Close()
				width := 0
				for _, a := range args {
					width = max(width, len(a))
				}
				dec := json.NewDecoder(body)
				for {
					var l control.Line
					if err := dec.Decode(&l); err != nil {
						if err == io.EOF || e.ctx.Err() != nil {
							return exitOK
						}
						return e.fail(err)
					}
					if *out == "json" {
						json.NewEncoder(e.stdout).Encode(l)
						continue
					}
					name := l.Name
					if l.Stream == "stderr" {
						name += "!"
					}
					width = max(width, len(name))
					fmt.Fprintf(e.stdout, "%-*s | %s\n", width, name, l.Text)
				}
			}
		},
	}
}

func sendCmd() *command {
	return &command{
		name: "send", args: "NAME TEXT...",
		summary: "write TEXT and a newline to the stdin of a process (declared with stdin = True)",
		example: `sup send repl "status"`,
		flags: func(fs *flag.FlagSet) func(*env, []string) int {
			noNL := fs.Bool("n", false, "do not add a newline")
			return func(e *env, args []string) int {
				if len(args) < 2 {
					fmt.Fprintln(e.stderr, "sup send: give a NAME and the TEXT to send")
					return exitUsage
				}
				c, code := e.client()
				if c == nil {
					return code
				}
				text := strings.Join(args[1:], " ")
				if !*noNL {
					text += "\n"
				}
				if err := c.Send(e.ctx, args[0], []byte(text)); err != nil {
					return e.fail(err)
				}
				return exitOK
			}
		},
	}
}

func fgCmd() *command {
	return &command{
		name: "fg", args: "NAME",
		summary: "attach to a process: show its output, send your input to its stdin; Ctrl-C detaches",
		example: "sup fg repl",
		flags: func(fs *flag.FlagSet) func(*env, []string) int {
			return func(e *env, args []string) int {
				if len(args) != 1 {
					fmt.Fprintln(e.stderr, "sup fg: give one NAME")
					return exitUsage
				}
				name := args[0]
				c, code := e.client()
				if c == nil {
					return code
				}
				ctx, cancel := context.WithCancel(e.ctx)
				defer cancel()
				errs := make(chan error, 3)
				for _, s := range []struct {
					stream string
					w      io.Writer
				}{{"stdout", e.stdout}, {"stderr", e.stderr}} {
					body, err := c.Log(ctx, name, s.stream, 0x7fffffffffffffff, true)
					if err != nil {
						return e.fail(err)
					}
					go func() {
						defer body.Close()
						_, err := io.Copy(s.w, body)
						errs <- err
					}()
				}
				go func() {
					// Line by line, so what is typed goes as it is entered.
					r := bufio.NewReader(e.stdin)
					for {
						line, err := r.ReadBytes('\n')
						if len(line) > 0 {
							if serr := c.Send(ctx, name, line); serr != nil {
								errs <- serr
								return
							}
						}
						if err != nil {
							return // end of input: stay attached to the output
						}
					}
				}()
				select {
				case <-e.ctx.Done():
					fmt.Fprintf(e.stderr, "\nsup fg: detached from %s (it keeps running)\n", name)
					return exitOK
				case err := <-errs:
					if e.ctx.Err() != nil {
						return exitOK
					}
					if err != nil {
						return e.fail(err)
					}
					return exitOK
				}
			}
		},
	}
}
