package proc

import (
	"fmt"
	"os"
	"time"

	"github.com/sup-run/sup/runtime/tree"
)

// Started reports whether pid is a process this Reaper started (or
// adopted) and has not reaped yet.
func (r *Reaper) Started(pid int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.procs[pid] != nil
}

// Adopt registers pid, a child of this process that the Reaper did not
// start (a daemon that double-forked and was reparented here, the
// subreaper), so that its exit is delivered through the returned
// Process's Done instead of being counted as an orphan's. It fails when
// pid is not (or no longer) an unreaped child of this process.
func (r *Reaper) Adopt(pid int) (*Process, error) {
	// Under mu no wait4 runs: if /proc/<pid> exists now, pid has not been
	// reaped, so it still names the same process.
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, ErrClosed
	}
	if r.procs[pid] != nil {
		return nil, fmt.Errorf("pid %d is already supervised", pid)
	}
	st, err := tree.Stat(pid)
	if err != nil {
		return nil, fmt.Errorf("pid %d: no such process", pid)
	}
	if st.PPID != os.Getpid() {
		return nil, fmt.Errorf("pid %d is not a child of sup (its parent is %d)", pid, st.PPID)
	}
	p := &Process{r: r, pid: pid, started: time.Now(), done: make(chan Exit, 1), fin: make(chan struct{})}
	r.procs[pid] = p
	// If it exited already, the SIGCHLD came and went: reap now.
	select {
	case r.sigc <- nil:
	default:
	}
	return p, nil
}
