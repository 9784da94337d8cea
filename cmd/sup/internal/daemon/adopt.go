package daemon

import (
	"errors"
	"fmt"
	"log/slog"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sup-run/sup/runtime/pidfile"
	"github.com/sup-run/sup/runtime/spec"
	"github.com/sup-run/sup/runtime/statedir"
	"github.com/sup-run/sup/runtime/supervisor"
)

// adoptSurvivors takes over the processes a killed sup left running
// (settings(on_survivors = "adopt")): those of an instance still in the
// config and not stopped by the admin are returned by name, to be
// supervised by pid; the others are killed. Adopted processes are not
// sup's children (they were reparented when the old sup died): their end
// is noticed through a pidfd, their exit status is unknown, and their
// output is not captured (the pipe they wrote to died with the old sup).
func adoptSurvivors(dir string, sp *spec.Spec, stopped []string, log *slog.Logger) (map[string]supervisor.Proc, error) {
	survivors, err := statedir.Survivors(dir)
	if err != nil || len(survivors) == 0 {
		return nil, err
	}
	wanted := map[string]bool{}
	for _, j := range sp.Jobs {
		for n := 0; n < j.Numprocs; n++ {
			wanted[j.InstanceName(n)] = true
		}
	}
	for _, n := range stopped {
		delete(wanted, n)
	}
	out := map[string]supervisor.Proc{}
	var kill []statedir.Child
	for _, c := range survivors {
		if !wanted[c.Name] || out[c.Name] != nil {
			kill = append(kill, c)
			continue
		}
		p, err := newAdopted(c.PID)
		if err != nil {
			kill = append(kill, c)
			continue
		}
		log.Warn("adopting a process left by a previous sup on this state dir", "process", c.Name, "pid", c.PID)
		out[c.Name] = p
	}
	if len(kill) > 0 {
		var pids []int
		for _, c := range kill {
			pids = append(pids, c.PID)
		}
		log.Warn("killing processes left by a previous sup on this state dir", "pids", fmt.Sprint(pids))
		statedir.Kill(kill, survivorGrace)
	}
	return out, nil
}

// adoptedProc is a survivor supervised by pid.
type adoptedProc struct {
	pid  int
	w    *pidfile.Watcher
	done chan supervisor.ExitStatus
}

func newAdopted(pid int) (*adoptedProc, error) {
	w, err := pidfile.Open(pid)
	if err != nil {
		return nil, err
	}
	a := &adoptedProc{pid: pid, w: w, done: make(chan supervisor.ExitStatus, 1)}
	go func() {
		w.Wait()
		a.done <- supervisor.ExitStatus{Code: -1, Time: time.Now(),
			Note: fmt.Sprintf("pid %d exited (adopted from a previous sup: status unknown)", pid)}
		// The pidfd stays open: Signal may still be called, and fails
		// with ESRCH through it rather than reaching a reused pid.
	}()
	return a, nil
}

func (a *adoptedProc) Pid() int                        { return a.pid }
func (a *adoptedProc) Signal(sig syscall.Signal) error { return a.w.Signal(sig) }

// SignalGroup signals the process group it leads (sup started it so).
func (a *adoptedProc) SignalGroup(sig syscall.Signal) error {
	if err := unix.Kill(-a.pid, sig); err != nil {
		if errors.Is(err, unix.ESRCH) {
			return a.w.Signal(sig)
		}
		return err
	}
	return nil
}

func (a *adoptedProc) GroupAlive() bool {
	err := unix.Kill(-a.pid, 0)
	return err == nil || errors.Is(err, unix.EPERM)
}

func (a *adoptedProc) Done() <-chan supervisor.ExitStatus { return a.done }
