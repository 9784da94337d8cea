package supervisor

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/sup-run/sup/internal/signals"
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
	if in.job.StartLimit.Burst > 0 {
		in.starts = append(in.starts, time.Now())
	}
	req, err := l.request(in)
	if err == nil {
		err = l.readyRequest(in, gen, &req)
	}
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
		in.rd.stop()
		in.spawnErr = err.Error()
		in.proc, in.pid = nil, 0
		in.stop = time.Now()
		in.state = Starting // a failed attempt is a start that did not take
		l.afterExit(in, nil, true, "spawn error: "+err.Error())
		return
	}
	if !in.start.IsZero() {
		in.restarts++
	}
	in.spawnErr = ""
	in.proc, in.pid, in.start, in.exit = p, p.Pid(), time.Now(), nil
	l.reportPids()
	l.startProbes(in, gen)
	go func() {
		select {
		case st := <-p.Done():
			l.s.post(func(l *loop) { l.onExit(in, gen, st) })
		case <-l.s.done:
		}
	}()
	if l.awaitPid(in, gen, p) {
		return // STARTING until the daemon's pid is known
	}
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
	in.rd.stop()
	in.proc = nil
	l.reportPids()
	in.stop = st.Time
	in.exit = &st
	if in.job.KillGroup && p.GroupAlive() {
		// The leader is gone; what is left of its group are stragglers.
		p.SignalGroup(syscall.SIGKILL)
	}
	l.postStop(in, st)
	l.exited(in, st)
	l.afterExit(in, &st, false, in.rd.gaveUp)
}

// afterExit applies the restart decision for an exit or a failed start
// (spawn error, failed pre_start, readiness given up), whose reason is
// given.
func (l *loop) afterExit(in *instance, st *ExitStatus, spawnFailed bool, reason string) {
	d := l.decide(in, st, spawnFailed)
	in.retries, in.crashes = d.Retries, d.Crashes
	in.rd.gaveUp = ""
	switch d.Next {
	case restart.Stopped:
		if in.reason != "" && in.state == Stopping {
			reason = in.reason
		}
		if in.depStopped && in.want && !l.shuttingDown && !in.removed {
			// Stopped for a dependency: wait for it, then start again.
			in.depStopped = false
			l.setState(in, Stopped, reason)
			if in.state == Stopped && in.want && !l.shuttingDown {
				l.launch(in)
			}
			return
		}
		in.depStopped = false
		l.setState(in, Stopped, reason)
	case restart.Exited:
		if st != nil && in.job.Final(st.Code) && st.Signal == 0 && in.job.Kind != spec.KindTask {
			reason = fmt.Sprintf("%s is in final_codes; not restarted", st)
		}
		l.setState(in, Exited, reason)
	case restart.Fatal:
		switch {
		case d.Why == restart.FinalCode:
			reason = fmt.Sprintf("%s is in final_codes; not restarted", st)
		case d.Why == restart.BudgetSpent:
			lim := in.job.StartLimit
			last := reason
			reason = fmt.Sprintf("start limit reached (%d starts within %s)", lim.Burst, lim.Interval)
			if spawnFailed && last != "" {
				reason += "; last: " + last
			} else if st != nil {
				reason += "; last: " + st.String()
			}
		case reason == "":
			reason = fmt.Sprintf("exited too quickly (%s) %d times; giving up", st, d.Retries)
		}
		if d.RetryAfter > 0 {
			reason += fmt.Sprintf("; retrying in %s", d.RetryAfter)
			gen := in.gen
			in.timer = l.s.after(d.RetryAfter, func(l *loop) {
				if in.gen == gen && in.state == Fatal && in.want && !l.shuttingDown {
					in.timer = nil
					in.retries, in.crashes, in.starts = 0, 0, nil
					l.s.log.Info("retrying after cool-down", "process", in.name)
					l.launch(in)
				}
			})
		}
		l.setState(in, Fatal, reason)
	case restart.Backoff:
		if d.Delay == 0 && !spawnFailed {
			l.launch(in)
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
				l.launch(in)
			}
		})
	}
}

// stopInstance stops in for good (until started again): its dependents
// first, then pre_stop, then the stop signal and the kill timer.
func (l *loop) stopInstance(in *instance, why string) {
	in.want = false
	in.depStopped = false
	l.terminate(in, why)
}

// terminate stops the current process of in without changing whether it
// is wanted.
func (l *loop) terminate(in *instance, why string) {
	switch in.state {
	case Backoff, Waiting:
		in.cancelTimer()
		in.stopFiles()
		l.setState(in, Stopped, why)
		return
	case Stopping:
		return
	}
	if in.hook != nil && in.proc == nil {
		// pre_start is running: kill it; the start does not happen.
		in.hook.cancel()
		in.hook = nil
		in.gen++
		l.setState(in, Stopped, why)
		return
	}
	if !in.state.Up() || in.proc == nil {
		return
	}
	in.cancelTimer()
	in.stopping = true
	l.setState(in, Stopping, why)
	gen := in.gen
	l.afterDependents(in, func() {
		if in.gen == gen && in.state == Stopping {
			in.reason = why
		}
		l.preStop(in, gen, func() { l.signalStop(in, gen) })
	})
}

// signalStop sends the stop signal and arms the kill timer.
func (l *loop) signalStop(in *instance, gen uint64) {
	if in.gen != gen || in.state != Stopping || in.proc == nil {
		return
	}
	sig := in.job.StopSignal
	if sig == 0 {
		sig = syscall.SIGTERM
	}
	l.s.log.Info("stop", "process", in.name, "signal", signals.String(sig))
	l.signal(in, sig)
	timeout := in.job.StopTimeout
	in.timer = l.s.after(timeout, func(l *loop) {
		if in.gen != gen || in.state != Stopping || in.proc == nil {
			return
		}
		in.timer = nil
		msg := fmt.Sprintf("killed with SIGKILL after stop_timeout %s", timeout)
		l.s.log.Warn("stop timeout", "process", in.name, "pid", in.pid, "timeout", timeout)
		if err := l.signal(in, syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
			l.setCondition("kill:"+in.name, fmt.Sprintf("cannot kill %s (pid %d): %v", in.name, in.pid, err))
		} else {
			l.setCondition("kill:"+in.name, "")
		}
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
	l.launch(in)
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
		if in.state == Backoff || in.state == Waiting {
			in.cancelTimer()
			in.stopFiles()
			l.setState(in, Stopped, "shutdown")
			continue
		}
		l.stopInstance(in, "shutdown")
	}
}
