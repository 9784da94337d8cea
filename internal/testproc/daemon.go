package testproc

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// doubleFork daemonizes as classic daemons do: it starts a middle process
// in a new session, which starts the daemon ("pidfile-sleep FILE", or
// "sleep inf" without -pidfile) and exits at once, so that the daemon is
// orphaned and reparented to the nearest subreaper. It prints "pid N"
// (its own) and the middle prints "daemon D". With -exit it then exits 0,
// as a launcher does; without, it sleeps forever.
//
//	double-fork [-exit] [-pidfile FILE]
func doubleFork(args []string, stdout io.Writer) error {
	exit, pidfile := false, ""
	for len(args) > 0 {
		switch {
		case args[0] == "-exit":
			exit, args = true, args[1:]
		case args[0] == "-pidfile" && len(args) > 1:
			pidfile, args = args[1], args[2:]
		default:
			return usageError(fmt.Sprintf("unknown argument %q", args[0]))
		}
	}
	if _, err := fmt.Fprintf(stdout, "pid %d\n", os.Getpid()); err != nil {
		return err
	}
	argv := Argv("double-fork-mid", pidfile)
	p, err := os.StartProcess(argv[0], argv, &os.ProcAttr{
		Files: []*os.File{nil, os.Stdout, os.Stderr},
		Sys:   &syscall.SysProcAttr{Setsid: true},
	})
	if err != nil {
		return err
	}
	st, err := p.Wait()
	if err != nil {
		return err
	}
	if !st.Success() {
		return errors.New("middle process failed: " + st.String())
	}
	if exit {
		return nil
	}
	sleepForever()
	return nil
}

// doubleForkMid is the middle process of doubleFork.
func doubleForkMid(args []string, stdout io.Writer) error {
	if err := nargs(args, 1, 1); err != nil {
		return err
	}
	argv := Argv("sleep", "inf")
	if args[0] != "" {
		argv = Argv("pidfile-sleep", args[0])
	}
	p, err := os.StartProcess(argv[0], argv, &os.ProcAttr{Files: []*os.File{nil, os.Stdout, os.Stderr}})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "daemon %d\n", p.Pid)
	return err
}

// pidfileSleep writes its pid to FILE atomically, then sleeps forever.
func pidfileSleep(args []string) error {
	if err := nargs(args, 1, 1); err != nil {
		return err
	}
	path := args[0]
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	sleepForever()
	return nil
}
