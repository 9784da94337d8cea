package supervisor

import (
	"fmt"
	"syscall"
	"time"

	"github.com/sup-run/sup/runtime/restart"
	"github.com/sup-run/sup/runtime/spec"
)

// spawn starts a new process for in: STARTING, then RUNNING after
// start_secs (at once for a task).
func (l *loop) spawn(in *instance) {
	in.cancelTimer()
	in.stopping = false
	in.gen++
	gen := in.gen
	req, err := l.request(in)
	if err == nil {
		err = l.prepareStopOn(in)
	}
	if err != nil && isUnresolved(err) {
		// A template naming nothing known fails the same way every time.
		in.spawnErr = err.Error()
		in.proc, in.pid = nil, 0
		l.setState(in, Fatal, "spawn error: "+err.Error())
		return
	}
	var p Proc
	if err == nil {
		p, err = l.s.opts.Spawner.Spawn(req)
	}
	if err != nil {
		in.spawnErr = err.Error()
		in.proc, in.pid = nil, 0
		in.stop = time.Now()
		in.state = Starting // a failed attempt is a start that did not take
		l.afterExit(in, nil, true, err.Error())
		return
	}
	if !in.start.IsZero() {
		in.restarts++
	}
	in.spawnErr = ""
	in.proc, in.pid, in.start, in.exit = p, p.Pid(), time.Now(), nil
	go func() {
		select {
		case st := <-p.Done():
			l.s.post(func(l *loop) { l.onExit(in, gen, st) })
		case <-l.s.done:
		}
	}()
	if in.job.Kind == spec.KindTask || in.job.StartSecs <= 0 {
		l.setState(in, Starting, "")
		l.setState(in, Running, "")
		return
	}
	l.setState(in, Starting, "")
	in.timer = l.s.after(in.job.StartSecs, func(l *loop) {
		if in.gen == gen && in.state == Starting {
			in.timer = nil
			l.setState(in, Running, "")
		}
	})
}

// onExit handles the reaped exit of generation gen of in.
func (l *loop) onExit(in *instance, gen uint64, st ExitStatus) {
	if in.gen != gen || in.proc == nil {
		return // stale: a newer process (or none) owns the slot
	}
	p := in.proc
	in.cancelTimer()
	in.proc = nil
	in.stop = st.Time
	in.exit = &st
	if in.job.KillGroup && p.GroupAlive() {
		// The leader is gone; what is left of its group are stragglers.
		p.SignalGroup(syscall.SIGKILL)
	}
	l.exited(in, st)
	l.afterExit(in, &st, false, "")
}

// afterExit applies the restart decision for an exit or a spawn failure.
func (l *loop) afterExit(in *instance, st *ExitStatus, spawnFailed bool, spawnErr string) {
	d := l.decide(in, st, spawnFailed)
	in.retries, in.crashes = d.Retries, d.Crashes
	reason := spawnErr
	if spawnFailed {
		reason = "spawn error: " + spawnErr
	}
	switch d.Next {
	case restart.Stopped:
		if in.reason != "" && in.state == Stopping {
			reason = in.reason
		}
		l.setState(in, Stopped, reason)
	case restart.Exited:
		l.setState(in, Exited, "")
	case restart.Fatal:
		if reason == "" {
			reason = fmt.Sprintf("exited too quickly (%s) %d times; giving up", st, d.Retries)
		}
		l.setState(in, Fatal, reason)
	case restart.Backoff:
		if d.Delay == 0 && !spawnFailed {
			l.spawn(in)
			return
		}
		if reason == "" {
			reason = fmt.Sprintf("%s; retrying in %s", st, d.Delay)
		} else {
			reason = fmt.Sprintf("%s; retrying in %s", reason, d.Delay)
		}
		gen := in.gen
		in.due = time.Now().Add(d.Delay)
		l.setState(in, Backoff, reason)
		in.timer = l.s.after(d.Delay, func(l *loop) {
			if in.gen == gen && in.state == Backoff && in.want && !l.shuttingDown {
				in.timer = nil
				l.spawn(in)
			}
		})
	}
}

// stopInstance sends the stop signal and arms the kill timer.
func (l *loop) stopInstance(in *instance, why string) {
	in.want = false
	switch in.state {
	case Backoff:
		in.cancelTimer()
		l.setState(in, Stopped, why)
		return
	case Stopping:
		return
	}
	if !in.state.Up() || in.proc == nil {
		return
	}
	in.cancelTimer()
	in.stopping = true
	sig := in.job.StopSignal
	if sig == 0 {
		sig = syscall.SIGTERM
	}
	l.signal(in, sig)
	l.setState(in, Stopping, why)
	gen := in.gen
	timeout := in.job.StopTimeout
	in.timer = l.s.after(timeout, func(l *loop) {
		if in.gen != gen || in.state != Stopping || in.proc == nil {
			return
		}
		in.timer = nil
		msg := fmt.Sprintf("killed with SIGKILL after stop_timeout %s", timeout)
		l.s.log.Warn("stop timeout", "process", in.name, "pid", in.pid, "timeout", timeout)
		l.signal(in, syscall.SIGKILL)
		in.reason = msg
	})
}

// signal delivers sig to the process, or its group when kill_group.
func (l *loop) signal(in *instance, sig syscall.Signal) error {
	if in.proc == nil {
		return fmt.Errorf("not running")
	}
	if in.job.KillGroup {
		return in.proc.SignalGroup(sig)
	}
	return in.proc.Signal(sig)
}

// startInstance asks for in to be up.
func (l *loop) startInstance(in *instance) {
	in.want = true
	switch in.state {
	case Starting, Running, Stopping:
		return
	}
	in.retries, in.crashes = 0, 0
	l.spawn(in)
}

// restartInstance stops in (if up) and starts it once it is down.
func (l *loop) restartInstance(in *instance) {
	if !in.state.Up() {
		l.startInstance(in)
		return
	}
	l.stopInstance(in, "restarting")
	l.wait([]*instance{in}, func(i *instance) bool { return !i.state.Up() }, func() {
		if !l.shuttingDown && !in.removed {
			l.startInstance(in)
		}
	})
}

// shutdown stops everything, last declared first.
func (l *loop) shutdown() {
	l.shuttingDown = true
	l.emit("shutdown", nil)
	for i := len(l.insts) - 1; i >= 0; i-- {
		in := l.insts[i]
		if in.state == Backoff {
			in.cancelTimer()
			l.setState(in, Stopped, "shutdown")
			continue
		}
		l.stopInstance(in, "shutdown")
	}
}
