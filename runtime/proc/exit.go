package proc

import (
	"fmt"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sup-run/sup/internal/signals"
)

// Exit is how a process ended, as reaped.
type Exit struct {
	Pid    int
	Code   int            // exit code, or -1 if killed by a signal
	Signal syscall.Signal // 0 unless killed by a signal
	Core   bool           // killed by a signal and dumped core
	Time   time.Time      // when it was reaped
}

// exitFromStatus decodes a wait status. The reap loop never asks for stop
// or continue reports (no WUNTRACED, no WCONTINUED), so a status is either
// an exit or a death by signal.
func exitFromStatus(pid int, ws unix.WaitStatus, at time.Time) Exit {
	e := Exit{Pid: pid, Code: -1, Time: at}
	switch {
	case ws.Exited():
		e.Code = ws.ExitStatus()
	case ws.Signaled():
		e.Signal = syscall.Signal(ws.Signal())
		e.Core = ws.CoreDump()
	}
	return e
}

// Success reports whether the process exited with code 0.
func (e Exit) Success() bool { return e.Signal == 0 && e.Code == 0 }

// String renders the exit as "exit status 3", "killed by SIGKILL" or
// "killed by SIGSEGV (core dumped)".
func (e Exit) String() string {
	if e.Signal == 0 {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	s := "killed by " + signals.String(e.Signal)
	if e.Core {
		s += " (core dumped)"
	}
	return s
}

// SpawnError is a failure to start a process: its binary could not be
// found or executed, or its working directory is unusable. It is never
// reported as an exit (an exec failure is not "exit 127"), so a supervisor
// can tell a broken configuration from a crashing program.
type SpawnError struct {
	Op   string // "spawn" (the binary), "dir" (the working directory), "stdin", "stdout", "stderr"
	Path string // the binary as resolved, the directory, or the file
	Err  error  // the errno (possibly wrapped), for errors.Is
}

// Error is e.g. "spawn /no/such/bin: no such file or directory" or
// "dir /missing: no such file or directory".
func (e *SpawnError) Error() string {
	return e.Op + " " + e.Path + ": " + e.Err.Error()
}

func (e *SpawnError) Unwrap() error { return e.Err }

// notInPathError is the SpawnError cause for a bare name that no PATH entry
// provides. It unwraps to ENOENT, so errors.Is(err, fs.ErrNotExist) holds.
type notInPathError struct{}

func (notInPathError) Error() string { return "executable file not found in $PATH" }
func (notInPathError) Unwrap() error { return syscall.ENOENT }
