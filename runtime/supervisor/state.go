package supervisor

import (
	"fmt"
	"io"
	"syscall"
	"time"

	"github.com/sup-run/sup/internal/signals"
)

// State is a process state, with supervisord's names and codes.
type State int

// The process states. Codes match supervisord's so tools that know them read
// sup's JSON unchanged.
const (
	Stopped  State = 0
	Starting State = 10
	Running  State = 20
	Backoff  State = 30
	Stopping State = 40
	Exited   State = 100
	Fatal    State = 200
	Unknown  State = 1000
	// Waiting: wanted up, but held back until what it requires is ready
	// (jobs of requires=, files of requires_files=). Not a supervisord
	// state; its code sits below STARTING.
	Waiting State = 5
)

var stateNames = map[State]string{
	Stopped: "STOPPED", Starting: "STARTING", Running: "RUNNING", Backoff: "BACKOFF",
	Stopping: "STOPPING", Exited: "EXITED", Fatal: "FATAL", Unknown: "UNKNOWN",
	Waiting: "WAITING",
}

func (s State) String() string {
	if n, ok := stateNames[s]; ok {
		return n
	}
	return fmt.Sprintf("STATE(%d)", int(s))
}

// Up reports whether a process exists in this state.
func (s State) Up() bool { return s == Starting || s == Running || s == Stopping }

// MarshalText renders the state by name.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// ExitStatus is how a process ended.
type ExitStatus struct {
	Code   int            // exit code, -1 when killed by a signal
	Signal syscall.Signal // 0 unless killed by a signal
	Core   bool
	Time   time.Time
	// Note, when set, says why a process counts as exited without a
	// status of its own (a pid file that never appeared).
	Note string
}

func (e ExitStatus) String() string {
	if e.Note != "" {
		return e.Note
	}
	if e.Signal != 0 {
		s := "killed by " + signals.String(e.Signal)
		if e.Core {
			s += " (core dumped)"
		}
		return s
	}
	return fmt.Sprintf("exit status %d", e.Code)
}

// Spawner starts OS processes. The real one forks with its own process
// group and captures output; tests use a fake.
type Spawner interface {
	Spawn(req SpawnRequest) (Proc, error)
}

// SpawnRequest is one fully resolved process to start.
type SpawnRequest struct {
	Name string
	Argv []string
	Dir  string
	Env  []string
	// Stdout and Stderr receive the child's output. When both are the same
	// value the child's fds 1 and 2 share one pipe, keeping their order.
	Stdout, Stderr io.Writer

	// User and Group to run as ("" = sup's own), Umask (nil = sup's) and
	// Nice (0 = sup's): resolved by the Spawner.
	User, Group string
	Umask       *uint32
	Nice        int
	// Stdin: give the process a stdin pipe (the Proc then implements
	// Stdin); otherwise /dev/null.
	Stdin bool
	// PidFile, when set, is where the command (a daemon that forks)
	// writes the pid of the process to supervise (job(pidfile = ...)).
	PidFile string
}

// Proc is a started process.
type Proc interface {
	Pid() int
	Signal(sig syscall.Signal) error
	SignalGroup(sig syscall.Signal) error
	GroupAlive() bool
	// Done delivers the exit once, after the process's output is drained.
	Done() <-chan ExitStatus
}
