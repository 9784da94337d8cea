// Package supervisor is sup's central loop. One goroutine owns every job and
// process record; the API methods send it closures and wait for answers,
// watcher goroutines send it exits, and timers send it wake-ups carrying a
// generation number so stale ones are dropped. Decisions come from the pure
// package restart; effects (spawn, signal) happen here.
package supervisor

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"github.com/sup-run/sup/runtime/events"
	"github.com/sup-run/sup/runtime/logs"
	"github.com/sup-run/sup/runtime/sched"
	"github.com/sup-run/sup/runtime/spec"
)

// ErrShutdown is returned by calls made after the supervisor stopped.
var ErrShutdown = errors.New("supervisor is shut down")

// LogOpener opens the log file at path for a process's output.
type LogOpener func(path string, o logs.Options) (*logs.File, error)

// Options are the supervisor's collaborators, all replaceable in tests.
type Options struct {
	Spawner Spawner
	// OpenLog opens log files; default logs.Open.
	OpenLog LogOpener
	Logger  *slog.Logger
	// Environ is sup's own environment: inherited by children and the last
	// source of ${NAME} templates. Default os.Environ().
	Environ []string
	// AdminStopped are instances the admin stopped before sup restarted:
	// they are not autostarted (R15).
	AdminStopped []string
	// OnIntent, if set, receives the admin-stopped instances whenever the
	// set changes; OnPids the pid of every process up, after spawns and
	// exits (once per batch of loop commands). Both run on the loop and must not block.
	OnIntent func(stopped []string)
	OnPids   func(pids map[string]int)
	// Probe runs one tcp or http readiness probe; default ready.Probe.
	Probe func(ctx context.Context, c spec.ReadyCheck) error
	// WatchFiles calls changed when files of requires_files may have
	// appeared, until ctx ends; default filewait.Watch.
	WatchFiles func(ctx context.Context, paths []string, changed func())
	// Exists reports whether a file exists; default os.Stat.
	Exists func(path string) bool
	// Store persists the last fire time of schedules (catch_up); default
	// in memory.
	Store sched.Store
	// EventHistory is how many past events the bus remembers.
	EventHistory int
	// Tracking is how the Spawner finds a job's descendants, for status:
	// "cgroup" or "process-group" (the default); TrackingNote says where
	// the cgroups are, or why there are none.
	Tracking, TrackingNote string
	// Adopted are processes a previous sup left running, by instance
	// name: at the first apply they are taken as the running process of
	// their instance instead of starting one.
	Adopted map[string]Proc
}

// Supervisor runs the loop. Create with New, run with Run, then use the API.
type Supervisor struct {
	opts  Options
	log   *slog.Logger
	cmds  chan func(*loop)
	done  chan struct{} // closed when Run returns
	ready chan struct{} // closed when Run starts
	bus   *events.Bus
	store sched.Store
	// wakeups counts the loop's iterations, for the idle test (R13).
	wakeups atomic.Uint64
}

// New returns a supervisor; call Run to start its loop.
func New(opts Options) *Supervisor {
	if opts.OpenLog == nil {
		opts.OpenLog = logs.Open
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Environ == nil {
		opts.Environ = os.Environ()
	}
	defaultReadiness(&opts)
	if opts.Store == nil {
		opts.Store = &sched.MemStore{}
	}
	return &Supervisor{
		bus:   events.NewBus(opts.EventHistory),
		store: opts.Store,
		opts:  opts,
		log:   opts.Logger,
		cmds:  make(chan func(*loop), 64),
		done:  make(chan struct{}),
		ready: make(chan struct{}),
	}
}

// Run is the loop. It returns after Shutdown has stopped every process, or
// when ctx is cancelled (then processes are left as they are: the caller
// wanted out at once).
func (s *Supervisor) Run(ctx context.Context) error {
	l := newLoop(s)
	defer close(s.done)
	close(s.ready)
	for {
		select {
		case <-ctx.Done():
			l.closeLogs()
			return ctx.Err()
		case f := <-s.cmds:
			s.wakeups.Add(1)
			f(l)
			l.drain()
			l.batch()
			l.flushPids()
		}
		if l.finished() {
			l.closeLogs()
			return nil
		}
	}
}

// Done is closed when Run has returned.
func (s *Supervisor) Done() <-chan struct{} { return s.done }

// post sends f to the loop without waiting for it to run. It reports false
// when the loop has ended.
func (s *Supervisor) post(f func(*loop)) bool {
	select {
	case s.cmds <- f:
		return true
	case <-s.done:
		return false
	}
}

// call runs f on the loop and returns its result.
func call[T any](ctx context.Context, s *Supervisor, f func(*loop) (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	var zero T
	if !s.post(func(l *loop) { v, err := f(l); ch <- result{v, err} }) {
		return zero, ErrShutdown
	}
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return zero, ctx.Err()
	case <-s.done:
		select {
		case r := <-ch:
			return r.v, r.err
		default:
			return zero, ErrShutdown
		}
	}
}

// Apply makes the running set match sp: new jobs are added (and started when
// autostart), removed jobs are stopped and dropped, changed jobs are
// restarted if they were running. The first Apply is the startup.
func (s *Supervisor) Apply(ctx context.Context, sp *spec.Spec) error {
	_, err := call(ctx, s, func(l *loop) (struct{}, error) {
		l.apply(sp)
		return struct{}{}, nil
	})
	return err
}

// Status returns a snapshot of the named processes (all when names is empty).
func (s *Supervisor) Status(ctx context.Context, names []string) ([]ProcessInfo, error) {
	return call(ctx, s, func(l *loop) ([]ProcessInfo, error) {
		insts, err := l.resolve(names, true)
		if err != nil {
			return nil, err
		}
		return l.infos(insts), nil
	})
}

// Daemon returns the daemon-level facts shown in status headers.
func (s *Supervisor) Daemon(ctx context.Context) (DaemonInfo, error) {
	return call(ctx, s, func(l *loop) (DaemonInfo, error) { return l.daemonInfo(), nil })
}

// Shutdown stops every process (in reverse declaration order, each with its
// stop_signal and stop_timeout) and makes Run return once all are down.
// It returns when Run has returned or ctx ends.
func (s *Supervisor) Shutdown(ctx context.Context) error {
	if !s.post(func(l *loop) { l.shutdown() }) {
		return nil
	}
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// LogFile returns the open log of a process's stream ("stdout" or
// "stderr"), for tail. It fails when the process has never run.
func (s *Supervisor) LogFile(ctx context.Context, name, stream string) (*logs.File, error) {
	return call(ctx, s, func(l *loop) (*logs.File, error) { return l.logFile(name, stream) })
}

// after runs f on the loop after d, unless the loop has ended.
func (s *Supervisor) after(d time.Duration, f func(*loop)) *time.Timer {
	return time.AfterFunc(d, func() { s.post(f) })
}
