// Package cli is sup's command line: subcommands, flags, and output formats.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/sup-run/sup/cmd/sup/internal/control"
	"github.com/sup-run/sup/internal/suggest"
)

// Exit codes, as LSB and supervisorctl.
const (
	exitOK       = 0
	exitFail     = 1
	exitUsage    = 2
	exitNotRun   = 3
	exitNoDaemon = 4
)

// env is what a command runs with.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	cwd    string
	server string // -s given before or after the command
}

// command is one subcommand.
type command struct {
	name    string
	args    string // synopsis after the name
	summary string
	example string
	// local: the command does not talk to a daemon (run, check, version),
	// so it takes no -s/--server.
	local bool
	flags func(fs *flag.FlagSet) func(e *env, args []string) int
}

// Main runs sup with os.Args and returns the exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	cwd, _ := os.Getwd()
	e := &env{ctx: ctx, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, cwd: cwd}
	return e.run(os.Args[1:])
}

func commands() []*command {
	return []*command{
		runCmd(), checkCmd(), statusCmd(),
		actionCmd("start", "start processes and wait until they run (or fail)", "sup start web"),
		actionCmd("stop", "stop processes and wait until they are down", "sup stop site:*"),
		actionCmd("restart", "stop (if running) and start processes", "sup restart all"),
		signalCmd(), waitCmd(), tailCmd(), pidCmd(), shutdownCmd(), versionCmd(),
		scaleCmd(),
		emitCmd(), eventsCmd(),
		logActionCmd("rotate", "rotate the logs of processes now (keeps backups as declared)", "sup rotate web"),
		logActionCmd("clear", "empty the logs of processes and delete their rotated files", "sup clear web"),
		logsCmd(), fgCmd(), sendCmd(),
	}
}

func (e *env) run(args []string) int {
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch a := args[0]; {
		case a == "-h" || a == "--help" || a == "-help":
			e.usage(e.stdout)
			return exitOK
		case a == "-s" || a == "--server":
			if len(args) < 2 {
				fmt.Fprintln(e.stderr, "sup: -s needs an address (a socket path, unix:///path or http://host:port)")
				return exitUsage
			}
			e.server, args = args[1], args[2:]
			continue
		case strings.HasPrefix(a, "-s=") || strings.HasPrefix(a, "--server="):
			e.server, args = a[strings.Index(a, "=")+1:], args[1:]
			continue
		case a == "--version" || a == "-v":
			args = []string{"version"}
			continue
		default:
			fmt.Fprintf(e.stderr, "sup: unknown flag %s (see sup --help)\n", a)
			return exitUsage
		}
	}
	if len(args) == 0 {
		e.usage(e.stderr)
		return exitUsage
	}
	name := args[0]
	if name == "ctl" { // supervisorctl habit: `sup ctl status`
		return e.run(args[1:])
	}
	if name == execHelperName {
		return execHelper(e.stderr, args[1:])
	}
	if name == "help" {
		if len(args) > 1 {
			return e.run([]string{args[1], "--help"})
		}
		e.usage(e.stdout)
		return exitOK
	}
	cmds := commands()
	var names []string
	for _, c := range cmds {
		names = append(names, c.name)
		if c.name == name {
			return e.runCommand(c, args[1:])
		}
	}
	msg := fmt.Sprintf("sup: unknown command %q", name)
	if s := suggest.Nearest(name, names); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	fmt.Fprintln(e.stderr, msg+"; see sup --help")
	return exitUsage
}

func (e *env) usage(w io.Writer) {
	fmt.Fprintln(w, "sup — a process supervisor configured in Starlark")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: sup [-s SERVER] COMMAND [ARGS]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Names: NAME, GROUP:NAME, GROUP:*, all, and instances such as web:0.")
	fmt.Fprintln(w, "The daemon is found with -s, else $SUP_SERVER, else .sup/sup.sock here or in a parent directory.")
	fmt.Fprintln(w, "Run 'sup COMMAND --help' for a command's flags and an example.")
}

func (e *env) runCommand(c *command, args []string) int {
	fs := flag.NewFlagSet("sup "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var server *string
	if !c.local {
		server = fs.String("s", "", "daemon address: socket path, unix:///path or http://host:port")
		fs.StringVar(server, "server", "", "same as -s")
	}
	body := c.flags(fs)
	help := func(w io.Writer) {
		fmt.Fprintf(w, "Usage: sup %s %s\n\n%s\n", c.name, c.args, c.summary)
		var has bool
		fs.VisitAll(func(*flag.Flag) { has = true })
		if has {
			fmt.Fprintln(w, "\nFlags:")
			fs.SetOutput(w)
			fs.PrintDefaults()
			fs.SetOutput(io.Discard)
		}
		fmt.Fprintf(w, "\nExample:\n  %s\n", c.example)
	}
	pos, err := parseInterspersed(fs, args)
	if server != nil && *server != "" {
		e.server = *server
	}
	if errors.Is(err, flag.ErrHelp) {
		help(e.stdout)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "sup %s: %v\n", c.name, err)
		fmt.Fprintf(e.stderr, "Usage: sup %s %s (see sup %s --help)\n", c.name, c.args, c.name)
		return exitUsage
	}
	return body(e, pos)
}

// parseInterspersed lets flags follow positional arguments
// (`sup wait web --for running`), as users type them.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' || isNumberFlag(a) && fs.Lookup(strings.TrimLeft(a, "-")) == nil {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			continue // fs.Parse reports it
		}
		if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() {
			continue
		}
		if i+1 < len(args) {
			flags = append(flags, args[i+1])
			i++
		}
	}
	if err := fs.Parse(flags); err != nil {
		return nil, err
	}
	return append(pos, fs.Args()...), nil
}

// isNumberFlag: "-1600" (tail's byte count) is an argument, not a flag.
func isNumberFlag(a string) bool {
	if len(a) < 2 || a[0] != '-' {
		return false
	}
	for _, c := range a[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// dial resolves the daemon's address (-s, else SUP_SERVER, else the
// nearest .sup/sup.sock) and returns a client for it.
func (e *env) dial() (*control.Client, error) {
	addr, err := control.Find(e.server, e.getenv("SUP_SERVER"), e.cwd)
	if err != nil {
		return nil, err
	}
	return control.NewClient(addr)
}

// client is dial for a command: on failure it says why and returns the
// exit code (4 for no daemon, 2 for a malformed address).
func (e *env) client() (*control.Client, int) {
	c, err := e.dial()
	if err != nil {
		fmt.Fprintf(e.stderr, "sup: %v\n", err)
		var nd *control.NoDaemonError
		if errors.As(err, &nd) {
			return nil, exitNoDaemon
		}
		return nil, exitUsage
	}
	return c, exitOK
}

// fail prints an API or connection error and returns its exit code.
func (e *env) fail(err error) int {
	var nd *control.NoDaemonError
	var ae *control.APIError
	switch {
	case errors.As(err, &nd):
		fmt.Fprintf(e.stderr, "sup: %v\n", err)
		return exitNoDaemon
	case errors.As(err, &ae):
		fmt.Fprintf(e.stderr, "sup: %s\n", ae.Body.Message)
		if ae.Body.Code == "unknown_name" {
			return exitNoDaemon
		}
		return exitFail
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(e.stderr, "sup: interrupted")
		return exitFail
	}
	fmt.Fprintf(e.stderr, "sup: %v\n", err)
	return exitFail
}
