package supervisor

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/sup-run/sup/runtime/deps"

	"github.com/sup-run/sup/runtime/spec"
)

// Dependencies (job(requires = [...], requires_files = [...])).
//
// A job starts only when every job it requires is ready (a service:
// RUNNING and its readiness check passed; a task: finished with an
// expected exit) and every required file exists; until then it is WAITING
// with the reason. When a required job stops being ready (it is stopped,
// restarted or crashes), each dependent whose on_dependency_restart is
// "restart" (the default) is stopped first and WAITING again, and starts
// once the job is ready again; "ignore" leaves it running. A stop or
// shutdown stops dependents before what they require.

// launch starts in if nothing holds it back, else makes it WAITING.
func (l *loop) launch(in *instance) {
	if why := l.blocked(in); why != "" {
		in.cancelTimer()
		l.setState(in, Waiting, why)
		l.watchFiles(in)
		return
	}
	in.stopFiles()
	if len(in.job.Hooks.PreStart) > 0 {
		l.preStart(in)
		return
	}
	l.spawn(in)
}

// sortByStartOrder orders insts so that required jobs start first (the
// config was checked for cycles; on one, declaration order stays).
func sortByStartOrder(sp *spec.Spec, insts []*instance) {
	nodes := make([]deps.Node, len(sp.Jobs))
	for i, j := range sp.Jobs {
		nodes[i] = deps.Node{Name: j.Name, Requires: j.Requires}
	}
	order, err := deps.New(nodes).StartOrder()
	if err != nil {
		return
	}
	rank := make(map[string]int, len(order))
	for i, n := range order {
		rank[n] = i
	}
	sort.SliceStable(insts, func(a, b int) bool { return rank[insts[a].job.Name] < rank[insts[b].job.Name] })
}

// depStatus is what a dependent sees of one required process.
type depStatus struct {
	Name     string
	Ready    bool
	State    State
	NotReady string // the readiness note when RUNNING but not ready
}

// blocked is why in cannot start now, or "".
func (l *loop) blocked(in *instance) string {
	var ds []depStatus
	for _, r := range in.job.Requires {
		found := false
		for _, d := range l.insts {
			if d.job.Name != r {
				continue
			}
			found = true
			ds = append(ds, depStatus{Name: d.name, Ready: l.satisfied(d), State: d.state, NotReady: d.rd.note})
		}
		if !found {
			ds = append(ds, depStatus{Name: r, State: Unknown})
		}
	}
	var missing []string
	for _, f := range in.job.RequiresFiles {
		if !l.s.opts.Exists(f) {
			missing = append(missing, f)
		}
	}
	return waitReason(ds, missing)
}

// waitReason renders why a start waits: "waiting for db (not ready: tcp
// :5432 refused)", "waiting for migrate (RUNNING)", "waiting for file
// /etc/app.conf"; "" when nothing is missing.
func waitReason(ds []depStatus, missingFiles []string) string {
	var parts []string
	for _, d := range ds {
		if d.Ready {
			continue
		}
		what := d.State.String()
		switch {
		case d.State == Unknown:
			what = "not in the config"
		case d.State == Running && d.NotReady != "":
			what = d.NotReady
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", d.Name, what))
	}
	for _, f := range missingFiles {
		parts = append(parts, "file "+f)
	}
	if len(parts) == 0 {
		return ""
	}
	return "waiting for " + strings.Join(parts, ", ")
}

// satisfied: in counts as ready for the jobs that require it.
func (l *loop) satisfied(in *instance) bool {
	if in.job.Kind == spec.KindTask {
		return in.state == Exited && in.exit != nil && in.exit.Signal == 0 && in.job.Expected(in.exit.Code)
	}
	return in.state == Running && (in.job.Ready == nil || in.rd.ready)
}

// stateChanged runs after every transition and every readiness change.
func (l *loop) stateChanged(in *instance, prev, st State) {
	if st == Running && prev != Running {
		l.postStart(in)
	}
	if now := l.satisfied(in); now != in.wasReady {
		in.wasReady = now
		l.readyChanged(in, now)
	}
	l.depsChanged()
}

// readyChanged is called when whether in is ready changes. It is the one
// place that reports readiness: the log line here, and the `ready` event
// once the event bus exists.
func (l *loop) readyChanged(in *instance, ready bool) {
	if ready {
		l.s.log.Info("ready", "process", in.name)
		l.emit("ready", l.procVars(in))
	} else if in.state == Running {
		l.s.log.Info("not ready", "process", in.name, "reason", in.rd.note)
	}
}

// depsChanged re-evaluates dependents after anything changed: WAITING
// processes whose requirements are now met start; running dependents of a
// job that stopped being ready stop (policy "restart").
func (l *loop) depsChanged() {
	if l.depsBusy {
		l.depsDirty = true
		return
	}
	if !l.anyRequires() {
		return // nothing depends on anything: no copy, no pass
	}
	l.depsBusy = true
	defer func() { l.depsBusy = false }()
	for first := true; first || l.depsDirty; first = false {
		l.depsDirty = false
		for _, in := range append([]*instance(nil), l.insts...) {
			if len(in.job.Requires) == 0 && len(in.job.RequiresFiles) == 0 {
				continue
			}
			switch {
			case in.state == Waiting && in.want && !l.shuttingDown:
				if why := l.blocked(in); why == "" {
					l.launch(in)
				} else {
					in.reason = why
				}
			case (in.state == Starting || in.state == Running) && in.proc != nil && !l.shuttingDown &&
				in.job.OnDependencyRestart != spec.DepIgnore && l.requiredNotReady(in) != "":
				in.depStopped = true
				l.terminate(in, "stopping: "+l.requiredNotReady(in)+" is not ready")
			}
		}
	}
}

// anyRequires reports whether some instance has requires or
// requires_files (instances of one job share it, so this is one check per
// job in practice).
func (l *loop) anyRequires() bool {
	var last *spec.Job
	for _, in := range l.insts {
		if in.job == last {
			continue
		}
		last = in.job
		if len(in.job.Requires) > 0 || len(in.job.RequiresFiles) > 0 {
			return true
		}
	}
	return false
}

// requiredNotReady names the first job in requires that is not ready
// (files are not watched once running).
func (l *loop) requiredNotReady(in *instance) string {
	for _, r := range in.job.Requires {
		for _, d := range l.insts {
			if d.job.Name == r && !l.satisfied(d) {
				return r
			}
		}
	}
	return ""
}

// afterDependents runs then once no process that requires in's job is up
// any more, stopping those that are (dependents stop first). At shutdown
// every dependent counts; otherwise those with on_dependency_restart =
// "ignore" are left alone.
func (l *loop) afterDependents(in *instance, then func()) {
	var up []*instance
	for _, d := range l.insts {
		if d == in || !d.state.Up() || !slices.Contains(d.job.Requires, in.job.Name) {
			continue
		}
		if !l.shuttingDown && d.job.OnDependencyRestart == spec.DepIgnore {
			continue
		}
		up = append(up, d)
		if d.state != Stopping {
			if d.want && !l.shuttingDown {
				d.depStopped = true
			}
			l.terminate(d, "stopping: "+in.job.Name+" is stopping")
		}
	}
	if len(up) == 0 {
		then()
		return
	}
	in.reason = "waiting for " + names(up) + " to stop"
	l.wait(up, func(d *instance) bool { return !d.state.Up() }, then)
}

func names(insts []*instance) string {
	s := make([]string, len(insts))
	for i, in := range insts {
		s[i] = in.name
	}
	return strings.Join(s, ", ")
}

// watchFiles watches the missing requires_files of a WAITING process.
func (l *loop) watchFiles(in *instance) {
	if in.files != nil || len(in.job.RequiresFiles) == 0 {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	in.files = cancel
	// Notifications are coalesced: one re-evaluation pending at a time,
	// posted from a goroutine so the watcher never blocks on the loop (nor
	// the loop on itself, when Watch notifies at once).
	var pending atomic.Bool
	l.s.opts.WatchFiles(ctx, in.job.RequiresFiles, func() {
		if ctx.Err() != nil || !pending.CompareAndSwap(false, true) {
			return
		}
		go l.s.post(func(l *loop) {
			pending.Store(false)
			l.depsChanged()
		})
	})
}

func (in *instance) stopFiles() {
	if in.files != nil {
		in.files()
		in.files = nil
	}
}
