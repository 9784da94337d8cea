package supervisor

import (
	"context"
	"fmt"

	"github.com/sup-run/sup/internal/suggest"
	"github.com/sup-run/sup/runtime/spec"
)

// maxScale bounds sup scale: a typo must not fork a million processes.
const maxScale = 1000

// Scale changes the number of processes of job to n at run time: new
// instances are started (when the job is wanted up), surplus ones (the
// highest numbers) stopped and dropped; the others are left alone. With
// wait, it returns once the new ones have started (or failed) and the
// surplus ones are down. The change lasts until the next Apply (reload).
func (s *Supervisor) Scale(ctx context.Context, job string, n int, wait bool) ([]Result, error) {
	type plan struct {
		up, down []*instance
		early    []Result
	}
	p, err := call(ctx, s, func(l *loop) (plan, error) {
		up, down, err := l.scale(job, n)
		if err != nil {
			return plan{}, err
		}
		var early []Result
		if len(up) == 0 && len(down) == 0 {
			early = append(early, Result{Name: job, OK: true, Msg: fmt.Sprintf("already %d", n)})
		}
		return plan{up: up, down: down, early: early}, nil
	})
	if err != nil {
		return nil, err
	}
	out := p.early
	names := func(insts []*instance) []string {
		var ns []string
		for _, in := range insts {
			ns = append(ns, in.name)
		}
		return ns
	}
	if wait && len(p.down) > 0 {
		ch := make(chan struct{})
		if !s.post(func(l *loop) { l.wait(p.down, func(in *instance) bool { return !in.state.Up() }, func() { close(ch) }) }) {
			return nil, ErrShutdown
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-s.done:
		}
	}
	for _, n := range names(p.down) {
		out = append(out, Result{Name: n, OK: true, Msg: "removed", State: Stopped.String()})
	}
	if len(p.up) == 0 {
		return out, nil
	}
	rs, err := s.act(ctx, names(p.up), wait, func(l *loop, in *instance) *Result {
		if !in.want {
			return &Result{Name: in.name, OK: true, Msg: "added", State: in.state.String()}
		}
		return nil
	}, settledAfterStart, func(in *instance) Result {
		r := Result{Name: in.name, State: in.state.String(), OK: in.state == Running || in.state == Starting || in.state == Exited}
		r.Msg = "added and started"
		if !r.OK {
			r.Msg = "added; " + in.reason
		}
		return r
	})
	return append(out, rs...), err
}

// scale rewrites the job's numprocs in the current spec and reconciles.
func (l *loop) scale(name string, n int) (up, down []*instance, err error) {
	if l.spec == nil || l.spec.Job(name) == nil {
		var names []string
		if l.spec != nil {
			for _, j := range l.spec.Jobs {
				names = append(names, j.Name)
			}
		}
		return nil, nil, &NameError{Name: name, Suggest: suggest.Nearest(name, names)}
	}
	if n < 0 || n > maxScale {
		return nil, nil, fmt.Errorf("scale %s: %d is not between 0 and %d", name, n, maxScale)
	}
	if l.shuttingDown {
		return nil, nil, ErrShutdown
	}
	old := l.spec.Job(name)
	if n > 1 {
		for _, ls := range []spec.LogSpec{old.Stdout, old.Stderr} {
			if ls.Path != "" && ls.Path != "/dev/null" && !perInstance(ls.Path) {
				return nil, nil, fmt.Errorf("scale %s: log file %q would be shared by %d processes; put ${process_num} in its path", name, ls.Path, n)
			}
		}
		if old.Pidfile != "" && !perInstance(old.Pidfile) {
			return nil, nil, fmt.Errorf("scale %s: pidfile %q would be shared by %d processes; put ${process_num} in its path", name, old.Pidfile, n)
		}
	}
	if n == old.Numprocs || n == 0 && old.Numprocs == 0 {
		return nil, nil, nil
	}
	before := map[*instance]bool{}
	for _, in := range l.insts {
		if in.job.Name == name {
			before[in] = true
		}
	}
	j := *old
	j.Numprocs = n
	sp := *l.spec
	sp.Jobs = make([]*spec.Job, len(l.spec.Jobs))
	for i, x := range l.spec.Jobs {
		sp.Jobs[i] = x
		if x == old {
			sp.Jobs[i] = &j
		}
	}
	l.applyScaled(&sp)
	after := map[*instance]bool{}
	for _, in := range l.insts {
		if in.job.Name == name && !in.removed {
			after[in] = true
			if !before[in] {
				up = append(up, in)
			}
		}
	}
	for in := range before {
		if !after[in] {
			down = append(down, in)
		}
	}
	return up, down, nil
}

func perInstance(p string) bool {
	for _, n := range spec.TemplateNames(p) {
		if n == "process_num" || n == "instance" {
			return true
		}
	}
	return false
}

// applyScaled reconciles with sp, a copy of the current spec with one
// job's numprocs changed.
func (l *loop) applyScaled(sp *spec.Spec) {
	l.scaling = true
	defer func() { l.scaling = false }()
	l.apply(sp)
}

func (l *loop) removeReason() string {
	if l.scaling {
		return "scaled down"
	}
	return "removed from the config"
}

// rename keeps the process of a job scaled from 1 to more (web becomes
// web:0) or back to 1 (web:0 becomes web), instead of replacing it.
func (l *loop) rename(prev, j *spec.Job, n int) *instance {
	if n != 0 || prev.InstanceName(0) == j.InstanceName(0) {
		return nil
	}
	in := l.byName[prev.InstanceName(0)]
	if in == nil || in.removed {
		return nil
	}
	delete(l.byName, in.name)
	in.name = j.InstanceName(0)
	l.byName[in.name] = in
	return in
}

// wantNew is whether a new instance of j is wanted up: like its siblings
// when the job already had processes (an admin stop holds for new ones
// too), else per autostart.
func (l *loop) wantNew(prev, j *spec.Job) bool {
	if prev == nil {
		return j.Autostart
	}
	seen := false
	for _, in := range l.insts {
		if in.job.Name == j.Name && !in.removed {
			seen = true
			if in.want {
				return true
			}
		}
	}
	if !seen {
		return j.Autostart
	}
	return false
}
