package proc

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// ErrClosed is returned by Start after Close.
var ErrClosed = errors.New("proc: reaper closed")

// ReaperOptions configure NewReaper.
type ReaperOptions struct {
	// Subreaper makes this process the child subreaper
	// (prctl PR_SET_CHILD_SUBREAPER): descendants orphaned by a child's exit
	// (setsid escapees, double-forked daemons) are reparented here instead of
	// to init, and the Reaper reaps them and counts them in Orphans. Close
	// turns it off again.
	Subreaper bool
	// Helper is the program (path, then its leading arguments) that sets a
	// child's umask: Start runs Helper... UMASK PATH ARGV... and the helper
	// sets the umask and execs PATH with ARGV (see ExecHelper).
	Helper []string
}

// Reaper starts processes and is the one waiter for all children of this
// process. See the package documentation.
//
// # Locking
//
// Two locks, always taken in the order mu, then reapMu.
//
// mu guards the registry (procs, closed). Start holds it from before
// ForkExec until the new pid is registered; the reap loop holds it across
// each wait4 and the lookup of the pid it returned. That makes dispatch
// race-free in both directions:
//
//   - An exit is never looked up before its registration. wait4 can only
//     return pid P after P was forked, the fork happens inside Start's
//     critical section, and the reap loop's own critical section (which
//     contains the wait4) cannot overlap Start's. So the wait4 that returns
//     P runs after Start registered P and released mu.
//   - A reaped pid is never confused with a new child that reuses it. Between
//     wait4 returning P and the lookup of P, no Start can fork (mu is held),
//     so the registry entry for P is still the process that just exited.
//     (pid_max is often 32768: reuse is a real event under churn.)
//   - ForkExec reaps a child whose exec failed with its own Wait4(pid)
//     before it returns. That happens while Start holds mu, when the reap
//     loop cannot call wait4, so the loop never sees such a child: it is
//     neither dispatched nor miscounted as an orphan, and ForkExec's Wait4
//     never finds its child already gone.
//
// reapMu makes Signal safe against pid reuse: a pid may be signalled only
// while its process is unreaped (a zombie still holds its pid). The loop
// holds reapMu for writing across wait4 and the marking of the reaped
// Process; Signal holds it for reading across its check and kill(2). Signal
// does not take mu, so it never waits behind a ForkExec in progress.
type Reaper struct {
	log       *slog.Logger
	subreaper bool
	helper    []string
	devNull   *os.File // stdio of children given none; closed by Close
	sigc      chan os.Signal
	quit      chan struct{}
	stopped   chan struct{}
	orphans   atomic.Uint64

	mu     sync.Mutex
	procs  map[int]*Process // started and not yet reaped, by pid
	closed bool

	reapMu sync.RWMutex
}

// NewReaper starts the reap loop. It marks close-on-exec every descriptor
// this process inherited without it (R12: children get only fds 0-2) and,
// with opts.Subreaper, makes the process a child subreaper. log may be nil.
//
// Only one Reaper may exist in a process at a time, and nothing else may
// wait for children while it runs.
func NewReaper(log *slog.Logger, opts ReaperOptions) (*Reaper, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := cloexecInherited(); err != nil {
		return nil, fmt.Errorf("proc: mark inherited descriptors close-on-exec: %w", err)
	}
	devNull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("proc: %w", err)
	}
	if opts.Subreaper {
		if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
			devNull.Close()
			return nil, fmt.Errorf("proc: become child subreaper: %w", err)
		}
	}
	r := &Reaper{
		log:       log,
		subreaper: opts.Subreaper,
		helper:    opts.Helper,
		devNull:   devNull,
		// One slot is enough: signals coalesce, and every wake-up reaps
		// until wait4 reports nothing left.
		sigc:    make(chan os.Signal, 1),
		quit:    make(chan struct{}),
		stopped: make(chan struct{}),
		procs:   make(map[int]*Process),
	}
	// Subscribe before the first Start, and reap once right away for
	// children that exited earlier (sup as PID 1 inherits some).
	signal.Notify(r.sigc, syscall.SIGCHLD)
	go r.loop()
	return r, nil
}

// Close stops the reap loop after a last pass. Processes that exited before
// keep their Exit; processes still running are no longer reaped: their Done
// channels never receive, and once they exit they stay zombies (so their
// pids are not reused and Signal stays safe) until the process exits or
// another Reaper reaps them as orphans. Close is idempotent.
func (r *Reaper) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	r.mu.Unlock()

	close(r.quit)
	<-r.stopped
	signal.Stop(r.sigc)

	r.mu.Lock()
	running := len(r.procs)
	r.mu.Unlock()
	if running > 0 {
		r.log.Warn("reaper closed with children still running; they will not be reaped", "count", running)
	}
	var errs []error
	if r.subreaper {
		if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0); err != nil {
			errs = append(errs, fmt.Errorf("proc: stop being child subreaper: %w", err))
		}
	}
	if err := r.devNull.Close(); err != nil {
		errs = append(errs, fmt.Errorf("proc: %w", err))
	}
	return errors.Join(errs...)
}

// Orphans is the number of exits reaped for pids this Reaper did not start:
// descendants reparented to this process (see ReaperOptions.Subreaper).
func (r *Reaper) Orphans() uint64 { return r.orphans.Load() }

// Running is the number of started processes not reaped yet.
func (r *Reaper) Running() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.procs)
}

func (r *Reaper) loop() {
	defer close(r.stopped)
	for {
		for r.reapOne() {
		}
		select {
		case <-r.sigc:
		case <-r.quit:
			for r.reapOne() {
			}
			return
		}
	}
}

// reapOne reaps one exited child, if any, and dispatches its exit. It
// reports whether it reaped one.
func (r *Reaper) reapOne() bool {
	e, orphan, err := r.reap()
	switch {
	case err != nil:
		// Cannot happen with these arguments; do not spin on it. The next
		// SIGCHLD tries again.
		r.log.Error("wait4 failed", "err", err)
		return false
	case e.Pid == 0:
		return false
	case orphan:
		r.log.Debug("reaped orphan", "pid", e.Pid, "status", e.String())
	}
	return true
}

// reap is reapOne's critical section: one wait4 and the dispatch of its
// result. It never blocks (logging, which might, is left to the caller).
// It returns the zero Exit when no child had exited.
func (r *Reaper) reap() (e Exit, orphan bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reapMu.Lock()
	defer r.reapMu.Unlock()

	var ws unix.WaitStatus
	pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
	for err == unix.EINTR {
		pid, err = unix.Wait4(-1, &ws, unix.WNOHANG, nil)
	}
	if errors.Is(err, unix.ECHILD) || (err == nil && pid <= 0) {
		return Exit{}, false, nil
	}
	if err != nil {
		return Exit{}, false, err
	}
	e = exitFromStatus(pid, ws, time.Now())
	p := r.procs[pid]
	if p == nil {
		r.orphans.Add(1)
		return e, true, nil
	}
	delete(r.procs, pid)
	// Under reapMu, so that a Signal that finds the process reaped also
	// finds its Exit recorded.
	p.reaped = true
	p.finish(e)
	return e, false, nil
}

// cloexecInherited sets close-on-exec on every descriptor from 3 up. Go
// opens all of its own descriptors that way, so this only changes what the
// process inherited from its parent (sandboxes and CI runners leak some),
// which children must not receive.
func cloexecInherited() error {
	err := unix.CloseRange(3, math.MaxUint32, unix.CLOSE_RANGE_CLOEXEC)
	if err == nil || (!errors.Is(err, unix.ENOSYS) && !errors.Is(err, unix.EINVAL)) {
		return err
	}
	// Linux before 5.11.
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return err
	}
	for _, e := range entries {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd < 3 {
			continue
		}
		// EBADF: the descriptor ReadDir used, closed since.
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, unix.FD_CLOEXEC); err != nil && !errors.Is(err, unix.EBADF) {
			return fmt.Errorf("fd %d: %w", fd, err)
		}
	}
	return nil
}
