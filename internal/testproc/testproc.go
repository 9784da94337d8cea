// Package testproc is a small program in a package: the helper children that
// tests across the repository spawn as real processes.
//
// A test binary doubles as the helper. Convention: its TestMain starts with
//
//	func TestMain(m *testing.M) {
//		if testproc.IsHelper() {
//			os.Exit(testproc.Main(os.Args[2:]))
//		}
//		os.Exit(m.Run())
//	}
//
// and a test spawns testproc.Argv("exit", "7") — the absolute path of the
// test binary, the marker argument "-testproc", then a subcommand. The marker
// is an argument rather than an environment variable so that it never leaks
// into the environment of grandchildren or of processes a child supervises.
//
// Subcommands (each tiny, exits cleanly, never reads stdin):
//
//	sleep D              sleep time.ParseDuration(D); "inf" sleeps forever
//	exit K               exit with code K (0-255) immediately
//	crash-after D        sleep D, then exit 3
//	ignore-term          ignore SIGTERM, print "ready\n", sleep forever
//	grandchild           start a copy running "sleep inf" in the same process
//	                     group, print "pid P grandchild G\n", sleep forever
//	setsid-grandchild    the same, but the grandchild calls setsid and so
//	                     leaves the process group (a supervisor escapee)
//	write N [stdout|stderr]
//	                     write exactly N bytes of Pattern (N: "100MB",
//	                     "64KiB", "12345"), then exit 0
//	echo-env NAME...     print "NAME=value", or "NAME unset", per NAME
//	pwd                  print the working directory
//	print-fds            print "fd N -> TARGET" for every open descriptor,
//	                     "fd N -> TARGET (cloexec)" for those opened by the
//	                     helper itself (see InheritedFDs)
//	print-sigs           print the SigBlk, SigIgn and SigCgt lines of
//	                     /proc/self/status
//	print-ids            print "uid=U gid=G groups=[...] umask=0OOO nice=N"
//	wait-file PATH       print "waiting", wait (inotify) until PATH exists,
//	                     print "ready", sleep forever
//	notify STATUS        send STATUS=STATUS then READY=1 to $NOTIFY_SOCKET
//	                     (sd_notify), sleep forever
//	double-fork [-exit] [-pidfile FILE]
//	                     daemonize: print "pid P", start a middle process
//	                     in a new session that starts the daemon (sleep
//	                     forever, writing its pid to FILE first), prints
//	                     "daemon D" and exits; then exit 0 (-exit) or
//	                     sleep forever
//	pidfile-sleep FILE   write the pid to FILE (atomically), sleep forever
//
// Usage errors print to stderr and exit 2.
package testproc

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Marker is os.Args[1] of a helper child.
const Marker = "-testproc"

// IsHelper reports whether this process was started as a helper child, that
// is, whether os.Args[1] is Marker.
func IsHelper() bool {
	return len(os.Args) > 1 && os.Args[1] == Marker
}

// Argv returns the argv that runs the current binary as a helper child with
// the given subcommand and arguments. Argv[0] is absolute, so the helper
// works whatever the child's working directory.
func Argv(args ...string) []string {
	return append([]string{self(), Marker}, args...)
}

// self is the absolute path of the running binary: os.Args[0] made
// absolute, or, when os.Args[0] was found through PATH, os.Executable.
func self() string {
	arg0 := os.Args[0]
	if strings.Contains(arg0, "/") {
		if abs, err := filepath.Abs(arg0); err == nil {
			return abs
		}
	}
	if exe, err := os.Executable(); err == nil {
		return exe
	}
	return arg0
}

// Main runs a helper subcommand with the process's stdout and stderr and
// returns the exit code. Subcommands that sleep forever never return.
//
// Under the race detector Main exits the process itself: the detector's
// exit hook sleeps a second (GORACE atexit_sleep_ms), which would keep
// thousands of short-lived helpers alive at once. Helpers are too small to
// need its report.
func Main(args []string) int {
	code := run(args, os.Stdout, os.Stderr)
	if raceEnabled {
		syscall.Exit(code)
	}
	return code
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return usage(stderr, "missing subcommand")
	}
	cmd, args := args[0], args[1:]
	var err error
	switch cmd {
	case "sleep":
		err = sleepCmd(args)
	case "exit":
		var code int
		if code, err = exitCode(args); err == nil {
			return code
		}
	case "crash-after":
		if err = sleepCmd(args); err == nil {
			return 3
		}
	case "ignore-term":
		err = ignoreTerm(args, stdout)
	case "grandchild":
		err = grandchild(args, stdout, false)
	case "setsid-grandchild":
		err = grandchild(args, stdout, true)
	case "write":
		err = writeCmd(args, stdout, stderr)
	case "echo-env":
		err = echoEnv(args, stdout)
	case "pwd":
		err = pwd(args, stdout)
	case "print-fds":
		err = printFDs(args, stdout)
	case "print-sigs":
		err = printSigs(args, stdout)
	case "print-ids":
		err = printIDs(args, stdout)
	case "wait-file":
		err = waitFile(args, stdout)
	case "notify":
		err = notify(args)
	case "hold":
		// hold ARGS...: print the arguments, then run until killed (a
		// service whose command line a test inspects).
		fmt.Fprintln(stdout, strings.Join(append([]string{"hold"}, args...), " "))
		sleepForever()
	case "double-fork":
		err = doubleFork(args, stdout)
	case "double-fork-mid":
		err = doubleForkMid(args, stdout)
	case "pidfile-sleep":
		err = pidfileSleep(args)
	default:
		return usage(stderr, fmt.Sprintf("unknown subcommand %q", cmd))
	}
	var ue usageError
	if errors.As(err, &ue) {
		return usage(stderr, fmt.Sprintf("%s: %s", cmd, ue))
	}
	if err != nil {
		fmt.Fprintf(stderr, "testproc %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

type usageError string

func (e usageError) Error() string { return string(e) }

func usage(stderr io.Writer, msg string) int {
	fmt.Fprintf(stderr, "testproc: %s\n", msg)
	return 2
}

func nargs(args []string, min, max int) error {
	if len(args) < min || (max >= 0 && len(args) > max) {
		return usageError(fmt.Sprintf("wrong number of arguments (%d)", len(args)))
	}
	return nil
}

// sleepForever keeps a timer pending, so the runtime never reports a
// deadlock however few goroutines are left.
func sleepForever() {
	for {
		time.Sleep(time.Hour)
	}
}

func sleepCmd(args []string) error {
	if err := nargs(args, 1, 1); err != nil {
		return err
	}
	if args[0] == "inf" {
		sleepForever()
	}
	d, err := time.ParseDuration(args[0])
	if err != nil {
		return usageError(err.Error())
	}
	time.Sleep(d)
	return nil
}

func exitCode(args []string) (int, error) {
	if err := nargs(args, 1, 1); err != nil {
		return 0, err
	}
	k, err := strconv.Atoi(args[0])
	if err != nil || k < 0 || k > 255 {
		return 0, usageError(fmt.Sprintf("bad exit code %q", args[0]))
	}
	return k, nil
}

func ignoreTerm(args []string, stdout io.Writer) error {
	if err := nargs(args, 0, 0); err != nil {
		return err
	}
	signal.Ignore(syscall.SIGTERM)
	if _, err := io.WriteString(stdout, "ready\n"); err != nil {
		return err
	}
	sleepForever()
	return nil
}

// grandchild starts a copy of this helper running "sleep inf", reports both
// pids and sleeps forever. The grandchild keeps stdout and stderr (as a
// daemon that forgot to close them would) and gets /dev/null as stdin.
func grandchild(args []string, stdout io.Writer, setsid bool) error {
	if err := nargs(args, 0, 0); err != nil {
		return err
	}
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		return err
	}
	defer devNull.Close()
	argv := Argv("sleep", "inf")
	// The helper never waits for the grandchild: whoever kills the group,
	// or the subreaper it is reparented to, reaps it.
	p, err := os.StartProcess(argv[0], argv, &os.ProcAttr{
		Files: []*os.File{devNull, os.Stdout, os.Stderr},
		Sys:   &syscall.SysProcAttr{Setsid: setsid},
	})
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(stdout, "pid %d grandchild %d\n", os.Getpid(), p.Pid); err != nil {
		return err
	}
	sleepForever()
	return nil
}

// ParseGrandchild parses the line the grandchild subcommands print.
func ParseGrandchild(line string) (pid, grandchild int, err error) {
	if _, err := fmt.Sscanf(line, "pid %d grandchild %d\n", &pid, &grandchild); err != nil {
		return 0, 0, fmt.Errorf("parse %q: %w", line, err)
	}
	return pid, grandchild, nil
}

func writeCmd(args []string, stdout, stderr io.Writer) error {
	if err := nargs(args, 1, 2); err != nil {
		return err
	}
	n, err := ParseSize(args[0])
	if err != nil {
		return usageError(err.Error())
	}
	w := stdout
	if len(args) == 2 {
		switch args[1] {
		case "stdout":
		case "stderr":
			w = stderr
		default:
			return usageError(fmt.Sprintf("bad stream %q", args[1]))
		}
	}
	buf := make([]byte, 64<<10)
	if _, err := io.CopyBuffer(onlyWriter{w}, Pattern(n), buf); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// onlyWriter hides ReadFrom, so CopyBuffer writes in buffer-sized chunks.
type onlyWriter struct{ io.Writer }

func echoEnv(args []string, stdout io.Writer) error {
	if err := nargs(args, 1, -1); err != nil {
		return err
	}
	w := bufio.NewWriter(stdout)
	for _, name := range args {
		if v, ok := os.LookupEnv(name); ok {
			fmt.Fprintf(w, "%s=%s\n", name, v)
		} else {
			fmt.Fprintf(w, "%s unset\n", name)
		}
	}
	return w.Flush()
}

func pwd(args []string, stdout io.Writer) error {
	if err := nargs(args, 0, 0); err != nil {
		return err
	}
	dir, err := os.Getwd()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, dir)
	return err
}

// printFDs lists /proc/self/fd with raw system calls: os.ReadDir would
// register the directory with the runtime poller, whose epoll descriptors
// would then show up in the list. The directory's own descriptor is left out.
//
// Descriptors with FD_CLOEXEC set are marked "(cloexec)": they were opened
// in this process (Go opens everything close-on-exec, and the runtime keeps
// some, such as cgroup CPU files, open), while every descriptor inherited
// through exec necessarily has FD_CLOEXEC clear. The unmarked lines are
// exactly what the parent passed.
func printFDs(args []string, stdout io.Writer) error {
	if err := nargs(args, 0, 0); err != nil {
		return err
	}
	dfd, err := unix.Open("/proc/self/fd", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open /proc/self/fd: %w", err)
	}
	var names []string
	buf := make([]byte, 8<<10)
	for {
		n, err := unix.ReadDirent(dfd, buf)
		if err != nil {
			unix.Close(dfd)
			return fmt.Errorf("read /proc/self/fd: %w", err)
		}
		if n == 0 {
			break
		}
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
	}
	var out strings.Builder
	for _, name := range names {
		fd, err := strconv.Atoi(name)
		if err != nil || fd == dfd {
			continue
		}
		target, err := os.Readlink("/proc/self/fd/" + name)
		if err != nil {
			target = "? " + err.Error()
		}
		fmt.Fprintf(&out, "fd %d -> %s", fd, target)
		if flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil && flags&unix.FD_CLOEXEC != 0 {
			out.WriteString(" (cloexec)")
		}
		out.WriteString("\n")
	}
	unix.Close(dfd)
	_, err = io.WriteString(stdout, out.String())
	return err
}

// InheritedFDs parses the output of print-fds and returns the descriptors
// the helper inherited (those not marked "(cloexec)"), in order.
func InheritedFDs(out string) []int {
	var fds []int
	for line := range strings.Lines(out) {
		if strings.HasSuffix(line, " (cloexec)\n") {
			continue
		}
		var fd int
		if _, err := fmt.Sscanf(line, "fd %d ", &fd); err == nil {
			fds = append(fds, fd)
		}
	}
	return fds
}

// printSigs prints the signal lines of /proc/self/status. A Go program
// cannot see every inherited disposition: the runtime installs its own
// handler over an inherited SIG_IGN for all signals but SIGHUP and SIGINT.
// SigBlk of the main thread does show inherited blocked signals that the
// runtime does not need unblocked. Tests of a child's exact dispositions
// should run a non-Go program (cat /proc/self/status).
func printSigs(args []string, stdout io.Writer) error {
	if err := nargs(args, 0, 0); err != nil {
		return err
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return err
	}
	var out strings.Builder
	for line := range strings.Lines(string(status)) {
		if strings.HasPrefix(line, "SigBlk:") || strings.HasPrefix(line, "SigIgn:") || strings.HasPrefix(line, "SigCgt:") {
			out.WriteString(line)
		}
	}
	_, err = io.WriteString(stdout, out.String())
	return err
}
