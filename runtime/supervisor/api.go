package supervisor

import (
	"context"
	"fmt"
	"syscall"

	"github.com/sup-run/sup/internal/signals"
	"github.com/sup-run/sup/runtime/spec"
)

// Result is the outcome of an action on one process, as printed by the CLI
// ("web: started", "web: ERROR (spawn error: ...)").
type Result struct {
	Name  string `json:"name"`
	OK    bool   `json:"ok"`
	Msg   string `json:"message"`
	State string `json:"statename"`
}

func (r Result) String() string {
	if r.OK {
		return r.Name + ": " + r.Msg
	}
	return fmt.Sprintf("%s: ERROR (%s)", r.Name, r.Msg)
}

// waiter is a pending condition over some processes.
type waiter struct {
	insts []*instance
	cond  func(*instance) bool
	then  func()
}

// wait runs then once cond holds for every inst (at once if it already does).
// It returns the pending waiter, or nil when then already ran.
func (l *loop) wait(insts []*instance, cond func(*instance) bool, then func()) *waiter {
	w := &waiter{insts: insts, cond: cond, then: then}
	if w.met() {
		then()
		return nil
	}
	l.waiters = append(l.waiters, w)
	return w
}

func (w *waiter) met() bool {
	for _, in := range w.insts {
		if !w.cond(in) {
			return false
		}
	}
	return true
}

func (l *loop) checkWaiters() {
	for i := 0; i < len(l.waiters); i++ {
		w := l.waiters[i]
		if w.met() {
			l.waiters = append(l.waiters[:i:i], l.waiters[i+1:]...)
			i--
			w.then()
		}
	}
}

// dropWaiter forgets w (its caller gave up).
func (l *loop) dropWaiter(w *waiter) {
	for i, x := range l.waiters {
		if x == w {
			l.waiters = append(l.waiters[:i:i], l.waiters[i+1:]...)
			return
		}
	}
}

// settledAfterStart: the start has an outcome. A service has one once
// RUNNING; a task (like a systemd oneshot) once it has finished.
func settledAfterStart(in *instance) bool {
	switch in.state {
	case Fatal, Exited, Stopped, Waiting:
		return true
	case Running:
		return in.job.Kind != spec.KindTask
	}
	return false
}

// act resolves names, applies f to each process on the loop, then (when
// wait is true) waits until done holds for all, and reports each outcome.
func (s *Supervisor) act(ctx context.Context, names []string, wait bool,
	f func(l *loop, in *instance) *Result,
	done func(*instance) bool,
	outcome func(*instance) Result,
) ([]Result, error) {
	type start struct {
		insts []*instance
		early map[*instance]Result
	}
	st, err := call(ctx, s, func(l *loop) (start, error) {
		insts, err := l.resolve(names, false)
		if err != nil {
			return start{}, err
		}
		early := map[*instance]Result{}
		for _, in := range insts {
			if r := f(l, in); r != nil {
				early[in] = *r
			}
		}
		return start{insts, early}, nil
	})
	if err != nil {
		return nil, err
	}
	var pending []*instance
	for _, in := range st.insts {
		if _, ok := st.early[in]; !ok {
			pending = append(pending, in)
		}
	}
	if wait && len(pending) > 0 {
		ch := make(chan struct{})
		var w *waiter
		if !s.post(func(l *loop) {
			w = l.wait(pending, done, func() { close(ch) })
		}) {
			return nil, ErrShutdown
		}
		select {
		case <-ch:
		case <-s.done:
		case <-ctx.Done():
			s.post(func(l *loop) {
				if w != nil {
					l.dropWaiter(w)
				}
			})
		}
	}
	return call(context.WithoutCancel(ctx), s, func(l *loop) ([]Result, error) {
		out := make([]Result, 0, len(st.insts))
		for _, in := range st.insts {
			if r, ok := st.early[in]; ok {
				out = append(out, r)
				continue
			}
			r := outcome(in)
			if wait && !done(in) {
				r = Result{Name: in.name, Msg: "timed out waiting; state " + in.state.String(), State: in.state.String()}
			}
			out = append(out, r)
		}
		return out, nil
	})
}

// Start starts the named processes; with wait it returns once each service
// is RUNNING and each task has finished, or either has failed.
func (s *Supervisor) Start(ctx context.Context, names []string, wait bool) ([]Result, error) {
	return s.act(ctx, names, wait,
		func(l *loop, in *instance) *Result {
			if in.placeholder {
				return &Result{Name: in.name, Msg: fmt.Sprintf("its instances are made by events (instance = %q); emit one with sup emit", in.job.Instance), State: in.state.String()}
			}
			l.adminIntent(in, true)
			if in.state == Running || in.state == Starting {
				in.want = true
				return &Result{Name: in.name, OK: true, Msg: "already started", State: in.state.String()}
			}
			l.startInstance(in)
			return nil
		},
		settledAfterStart,
		func(in *instance) Result {
			r := Result{Name: in.name, State: in.state.String()}
			switch {
			case in.state == Running || in.state == Starting:
				r.OK, r.Msg = true, "started"
			case in.state == Exited && in.job.Kind == spec.KindTask && in.exit != nil && in.job.Expected(in.exit.Code) && in.exit.Signal == 0:
				r.OK, r.Msg = true, "done ("+in.exit.String()+")"
			case in.state == Waiting:
				r.OK, r.Msg = true, in.reason
			case in.reason != "":
				r.Msg = in.reason
			case in.exit != nil:
				r.Msg = in.exit.String()
			default:
				r.Msg = "state " + in.state.String()
			}
			return r
		})
}

// Stop stops the named processes; with wait it returns once each is down.
func (s *Supervisor) Stop(ctx context.Context, names []string, wait bool) ([]Result, error) {
	return s.act(ctx, names, wait,
		func(l *loop, in *instance) *Result {
			l.adminIntent(in, false)
			if !in.state.Up() && in.state != Backoff && in.state != Waiting {
				in.want = false
				return &Result{Name: in.name, OK: true, Msg: "already stopped", State: in.state.String()}
			}
			l.stopInstance(in, "stopped by request")
			return nil
		},
		func(in *instance) bool { return !in.state.Up() },
		func(in *instance) Result {
			return Result{Name: in.name, OK: true, Msg: "stopped", State: in.state.String()}
		})
}

// Restart stops (if up) and starts the named processes.
func (s *Supervisor) Restart(ctx context.Context, names []string, wait bool) ([]Result, error) {
	rs, err := s.Stop(ctx, names, true)
	if err != nil {
		return nil, err
	}
	out := []Result{}
	for _, r := range rs {
		if r.Msg == "stopped" {
			out = append(out, r)
		}
	}
	started, err := s.Start(ctx, names, wait)
	return append(out, started...), err
}

// Signal delivers sig to the named processes (their groups when kill_group).
func (s *Supervisor) Signal(ctx context.Context, names []string, sig syscall.Signal) ([]Result, error) {
	return s.act(ctx, names, false,
		func(l *loop, in *instance) *Result {
			if err := l.signal(in, sig); err != nil {
				return &Result{Name: in.name, Msg: err.Error(), State: in.state.String()}
			}
			return &Result{Name: in.name, OK: true, Msg: "signalled " + signals.String(sig), State: in.state.String()}
		}, nil, nil)
}

// Wait blocks until every named process satisfies cond, or ctx ends; it
// returns the processes as last seen and whether cond was met.
func (s *Supervisor) Wait(ctx context.Context, names []string, cond func(ProcessInfo) bool) ([]ProcessInfo, bool, error) {
	type reg struct {
		insts []*instance
		ch    chan struct{}
		w     *waiter
	}
	r, err := call(ctx, s, func(l *loop) (reg, error) {
		insts, err := l.resolve(names, false)
		if err != nil {
			return reg{}, err
		}
		ch := make(chan struct{})
		w := l.wait(insts, func(in *instance) bool { return cond(l.info(in)) }, func() { close(ch) })
		return reg{insts, ch, w}, nil
	})
	if err != nil {
		return nil, false, err
	}
	met := false
	select {
	case <-r.ch:
		met = true
	case <-ctx.Done():
	case <-s.done:
	}
	infos, err := call(context.WithoutCancel(ctx), s, func(l *loop) ([]ProcessInfo, error) {
		if r.w != nil {
			l.dropWaiter(r.w)
		}
		return l.infos(r.insts), nil
	})
	if err == ErrShutdown {
		err = nil
	}
	return infos, met, err
}
