package daemon

import (
	"context"
	"fmt"

	"sync"
	"syscall"
	"time"

	"github.com/sup-run/sup/runtime/pidfile"
	"github.com/sup-run/sup/runtime/proc"
	"github.com/sup-run/sup/runtime/supervisor"
	"github.com/sup-run/sup/runtime/track"
)

// pidfileWait bounds the wait for a daemon's pid file.
const pidfileWait = 30 * time.Second

// daemonProc is a job with a pid file: the launcher sup started forks the
// daemon (and usually exits); the pid the file names is then supervised.
// Once the daemon is sup's child (it was reparented to sup, the
// subreaper) its exit status is reaped as any other; otherwise its end is
// noticed through a pidfd and its status is unknown.
type daemonProc struct {
	launcher *proc.Process
	unit     *track.Unit
	reaper   *proc.Reaper
	done     chan supervisor.ExitStatus
	pids     chan int

	mu      sync.Mutex
	pid     int           // supervised now: the launcher, then the daemon
	adopted *proc.Process // the daemon, as sup's child
	watch   *pidfile.Watcher
}

func (s *spawner) daemonProc(req supervisor.SpawnRequest, launcher *proc.Process, unit *track.Unit, drained <-chan struct{}) *daemonProc {
	d := &daemonProc{launcher: launcher, unit: unit, reaper: s.reaper, pid: launcher.Pid(),
		done: make(chan supervisor.ExitStatus, 1), pids: make(chan int, 4)}
	wait := s.pidWait
	if wait == 0 {
		wait = pidfileWait
	}
	go func() {
		st := d.run(req.PidFile, wait)
		close(d.pids)
		t := time.NewTimer(drainGrace)
		select {
		case <-drained:
		case <-t.C:
		}
		t.Stop()
		d.done <- st
	}()
	return d
}

func fromExit(e proc.Exit) supervisor.ExitStatus {
	return supervisor.ExitStatus{Code: e.Code, Signal: e.Signal, Core: e.Core, Time: e.Time}
}

// run follows the launcher, then the daemon, and returns how it ended.
func (d *daemonProc) run(path string, wait time.Duration) supervisor.ExitStatus {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type found struct {
		pid int
		err error
	}
	fc := make(chan found, 1)
	go func() {
		pid, err := pidfile.Wait(ctx, path, wait)
		fc <- found{pid, err}
	}()
	var f found
	launcherDone := false
	select {
	case e := <-d.launcher.Done():
		launcherDone = true
		if e.Signal != 0 || e.Code != 0 {
			return fromExit(e) // the daemon failed to start
		}
		f = <-fc
	case f = <-fc:
	}
	fail := func(err error) supervisor.ExitStatus {
		d.unit.Signal(syscall.SIGKILL)
		return supervisor.ExitStatus{Code: -1, Time: time.Now(), Note: err.Error()}
	}
	if f.err != nil {
		return fail(f.err)
	}
	if f.pid == d.launcher.Pid() {
		// The command wrote its own pid: it is the daemon.
		d.pids <- f.pid
		if launcherDone {
			st, _ := d.launcher.Exited()
			return fromExit(st)
		}
		return fromExit(<-d.launcher.Done())
	}
	if err := pidfile.Check(path, f.pid); err != nil {
		return fail(err)
	}
	w, err := pidfile.Open(f.pid)
	if err != nil {
		return fail(err)
	}
	d.unit.AddRoot(f.pid)
	d.mu.Lock()
	d.pid, d.watch = f.pid, w
	d.mu.Unlock()
	d.pids <- f.pid

	exited := make(chan struct{})
	go func() { w.Wait(); close(exited) }()
	// The pidfd is closed once its waiter is done: the daemon is gone by
	// then, whichever way its end was noticed.
	defer func() {
		go func() {
			<-exited
			d.mu.Lock()
			d.watch = nil
			d.mu.Unlock()
			w.Close()
		}()
	}()
	for {
		if p := d.adopt(f.pid); p != nil {
			return fromExit(<-p.Done())
		}
		var lc <-chan proc.Exit
		if !launcherDone {
			lc = d.launcher.Done()
		}
		select {
		case <-lc:
			// The daemon is reparented to sup now, unless it has other
			// ancestors left: try again to adopt it.
			launcherDone = true
			continue
		case <-exited:
		}
		if p := d.adopted; p != nil {
			return fromExit(<-p.Done())
		}
		return supervisor.ExitStatus{Code: -1, Time: time.Now(),
			Note: fmt.Sprintf("pid %d exited (not a child of sup: status unknown)", f.pid)}
	}
}

// adopt makes the daemon's exit reaped through the Reaper once it is
// sup's child.
func (d *daemonProc) adopt(pid int) *proc.Process {
	p, err := d.reaper.Adopt(pid)
	if err != nil {
		return nil
	}
	d.mu.Lock()
	d.adopted = p
	d.mu.Unlock()
	return p
}

func (d *daemonProc) Pid() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.pid
}

func (d *daemonProc) Signal(sig syscall.Signal) error {
	d.mu.Lock()
	adopted, w := d.adopted, d.watch
	d.mu.Unlock()
	switch {
	case adopted != nil:
		return adopted.Signal(sig)
	case w != nil:
		return w.Signal(sig)
	}
	return d.launcher.Signal(sig)
}

func (d *daemonProc) SignalGroup(sig syscall.Signal) error { return d.unit.Signal(sig) }
func (d *daemonProc) GroupAlive() bool                     { return d.unit.Alive() }
func (d *daemonProc) Done() <-chan supervisor.ExitStatus   { return d.done }
func (d *daemonProc) PidChanged() <-chan int               { return d.pids }

var _ supervisor.PidChanger = (*daemonProc)(nil)
