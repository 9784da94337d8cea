package cli

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/sup-run/sup/cmd/sup/internal/daemon"
)

func configArg(e *env, cmd string, args []string) (string, bool) {
	switch len(args) {
	case 0:
		return "site.star", true
	case 1:
		return args[0], true
	}
	fmt.Fprintf(e.stderr, "sup %s: give at most one config file\n", cmd)
	return "", false
}

func runCmd() *command {
	return &command{
		name: "run", local: true, args: "[FILE] [--socket PATH] [--log-format text|json]",
		summary: "evaluate FILE (default site.star) and supervise its jobs in the foreground",
		example: "sup run examples/site.star",
		flags: func(fs *flag.FlagSet) func(*env, []string) int {
			socket := fs.String("socket", "", "control socket path (default .sup/sup.sock beside the config)")
			format := fs.String("log-format", "text", "sup's own log format: text or json")
			return func(e *env, args []string) int {
				path, ok := configArg(e, "run", args)
				if !ok {
					return exitUsage
				}
				if *format != "text" && *format != "json" {
					fmt.Fprintf(e.stderr, "sup run: --log-format %q: want text or json\n", *format)
					return exitUsage
				}
				// The daemon handles SIGINT/SIGTERM itself (graceful stop),
				// so it does not take the CLI's signal-cancelled context.
				err := daemon.Run(context.Background(), daemon.Options{Config: path, Socket: *socket, LogFormat: *format, Stderr: e.stderr,
					ExecHelper: ExecHelperArgs()})
				if err != nil {
					fmt.Fprintf(e.stderr, "sup: %v\n", err)
					return exitFail
				}
				return exitOK
			}
		},
	}
}

func checkCmd() *command {
	return &command{
		name: "check", local: true, args: "[FILE] [--dump] [-o json]",
		summary: "evaluate FILE hermetically (nothing runs); print positioned errors; exit 0 or 1",
		example: "sup check site.star && sup check --dump -o json site.star",
		flags: func(fs *flag.FlagSet) func(*env, []string) int {
			dump := fs.Bool("dump", false, "print the evaluated model")
			out := fs.String("o", "json", "dump format: json")
			return func(e *env, args []string) int {
				path, ok := configArg(e, "check", args)
				if !ok {
					return exitUsage
				}
				if *out != "json" {
					fmt.Fprintf(e.stderr, "sup check: -o %q: only json is supported\n", *out)
					return exitUsage
				}
				sp, err := daemon.Load(e.ctx, path)
				if err != nil {
					fmt.Fprintln(e.stderr, err)
					return exitFail
				}
				if *dump {
					daemon.AnnotateNextFires(sp, time.Now())
					printJSON(e.stdout, sp)
					return exitOK
				}
				procs := 0
				for _, j := range sp.Jobs {
					procs += j.Numprocs
				}
				fmt.Fprintf(e.stdout, "%s: ok (%d jobs, %d processes, %d groups)\n", filepath.ToSlash(path), len(sp.Jobs), procs, len(sp.Groups))
				return exitOK
			}
		},
	}
}

// Version is the release; builds from a checkout report the module version.
const Version = "0.1.0-dev"

func versionCmd() *command {
	return &command{
		name: "version", local: true, args: "", summary: "print sup's version",
		example: "sup version",
		flags: func(fs *flag.FlagSet) func(*env, []string) int {
			return func(e *env, args []string) int {
				rev := ""
				if bi, ok := debug.ReadBuildInfo(); ok {
					for _, s := range bi.Settings {
						if s.Key == "vcs.revision" && len(s.Value) >= 12 {
							rev = " " + s.Value[:12]
						}
					}
				}
				fmt.Fprintf(e.stdout, "sup %s%s (%s %s/%s)\n", Version, rev, runtime.Version(), runtime.GOOS, runtime.GOARCH)
				return exitOK
			}
		},
	}
}
