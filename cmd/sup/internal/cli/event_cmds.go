package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sup-run/sup/cmd/sup/internal/control"
	"github.com/sup-run/sup/runtime/supervisor"
)

func emitCmd() *command {
	return &command{
		name: "emit", args: "EVENT [KEY=VALUE...]",
		summary: "put an event on the bus (starts and stops jobs whose start_on/stop_on match)",
		example: "sup emit net-device-up IFACE=eth0",
		flags: func(fs *flag.FlagSet) func(*env, []string) int {
			out := fs.String("o", "text", "output: text or json")
			return func(e *env, args []string) int {
				if len(args) == 0 {
					fmt.Fprintln(e.stderr, "sup emit: name an event (sup emit net-device-up IFACE=eth0)")
					return exitUsage
				}
				vars := map[string]string{}
				for _, kv := range args[1:] {
					k, v, ok := strings.Cut(kv, "=")
					if !ok {
						fmt.Fprintf(e.stderr, "sup emit: %q: want KEY=VALUE\n", kv)
						return exitUsage
					}
					vars[k] = v
				}
				if err := supervisor.CheckEvent(args[0], vars); err != nil {
					fmt.Fprintf(e.stderr, "sup emit: %v\n", err)
					return exitUsage
				}
				c, code := e.client()
				if c == nil {
					return code
				}
				line, err := c.Emit(e.ctx, control.EmitRequest{Event: args[0], Vars: vars})
				if err != nil {
					return e.fail(err)
				}
				if *out == "json" {
					printJSON(e.stdout, line)
					return exitOK
				}
				fmt.Fprintf(e.stdout, "emitted %s (seq %d)\n", line.Event.String(), line.Seq)
				return exitOK
			}
		},
	}
}

func eventsCmd() *command {
	return &command{
		name: "events", args: "[-f] [-o text|json]",
		summary: "print recent events (-f: and follow new ones); -o json is NDJSON",
		example: "sup events -f -o json",
		flags: func(fs *flag.FlagSet) func(*env, []string) int {
			follow := fs.Bool("f", false, "follow: keep printing events as they happen")
			out := fs.String("o", "text", "output: text or json (NDJSON, one event per line)")
			return func(e *env, args []string) int {
				if len(args) > 0 {
					fmt.Fprintln(e.stderr, "sup events: takes no names (filter with grep or jq)")
					return exitUsage
				}
				if *out != "text" && *out != "json" {
					fmt.Fprintf(e.stderr, "sup events: -o %q: want text or json\n", *out)
					return exitUsage
				}
				c, code := e.client()
				if c == nil {
					return code
				}
				dec, closeFn, err := c.Events(e.ctx, *follow)
				if err != nil {
					return e.fail(err)
				}
				defer closeFn()
				enc := json.NewEncoder(e.stdout)
				for {
					var line control.EventLine
					if err := dec.Decode(&line); err != nil {
						if errors.Is(err, io.EOF) || e.ctx.Err() != nil {
							return exitOK
						}
						return e.fail(err)
					}
					switch {
					case *out == "json":
						enc.Encode(line)
					case line.Dropped > 0:
						fmt.Fprintf(e.stderr, "sup events: this stream fell behind; %d events dropped\n", line.Dropped)
					default:
						fmt.Fprintf(e.stdout, "%s %6d %s\n", line.Time.Local().Format(time.RFC3339), line.Seq, line.Event.String())
					}
				}
			}
		},
	}
}

// printWhy explains, under the table, why named processes are not running.
func printWhy(w io.Writer, ps []supervisor.ProcessInfo) {
	for _, p := range ps {
		for _, why := range p.Why {
			fmt.Fprintf(w, "  %s: %s\n", p.Name, why)
		}
	}
}
