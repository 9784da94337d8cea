package supervisor

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sup-run/sup/internal/signals"
	"github.com/sup-run/sup/runtime/events"
	"github.com/sup-run/sup/runtime/sched"
	"github.com/sup-run/sup/runtime/spec"
)

// jobState is the event and schedule state of one job with start_on.
type jobState struct {
	job   *spec.Job
	start *events.Matcher
	calcs map[int]*sched.Calc // schedule node -> its calculator
	next  map[int]time.Time   // schedule node -> next fire, jitter included
	err   string              // why the matcher could not be built
}

// eventState is the loop's share of the event machinery.
type eventState struct {
	seq      uint64
	queue    []spec.Event
	jobs     map[string]*jobState
	lastFire map[string]time.Time
	warned   uint64 // drops already reported in the log
}

var (
	eventNameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/-]*$`)
	varNameRe   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// CheckEvent validates an event given by a user (sup emit).
func CheckEvent(name string, vars map[string]string) error {
	if !eventNameRe.MatchString(name) {
		return fmt.Errorf("event name %q: use letters, digits and . _ : / - (e.g. net-device-up)", name)
	}
	for k, v := range vars {
		if !varNameRe.MatchString(k) {
			return fmt.Errorf("variable %q: want a name such as IFACE (letters, digits, _)", k)
		}
		if strings.ContainsRune(v, 0) {
			return fmt.Errorf("variable %s: must not contain a NUL byte", k)
		}
	}
	return nil
}

// emit puts an event on the bus at once, and queues it for routing to
// matchers once the current loop step is done (so a transition never
// re-enters the code that caused it).
func (l *loop) emit(name string, vars map[string]string) spec.Event {
	l.ev.seq++
	if vars == nil {
		vars = map[string]string{}
	}
	ev := spec.Event{Seq: l.ev.seq, Time: time.Now(), Name: name, Vars: vars}
	l.s.bus.Publish(ev)
	if d := l.s.bus.Dropped(); d > l.ev.warned {
		l.s.log.Warn("event subscribers too slow; events dropped", "dropped_total", d)
		l.ev.warned = d
	}
	l.ev.queue = append(l.ev.queue, ev)
	return ev
}

// drain routes queued events; routing may queue more.
func (l *loop) drain() {
	for len(l.ev.queue) > 0 {
		ev := l.ev.queue[0]
		l.ev.queue = l.ev.queue[1:]
		l.route(ev)
	}
}

func (l *loop) route(ev spec.Event) {
	if l.spec == nil {
		return
	}
	for _, j := range l.spec.Jobs {
		js := l.ev.jobs[j.Name]
		if js == nil || js.start == nil {
			continue
		}
		l.outcome(js, js.start.Feed(ev))
	}
	if !l.anyStopOn() {
		return
	}
	for _, in := range append([]*instance(nil), l.insts...) {
		if in.stopOn == nil || !(in.state.Up() || in.state == Backoff) || in.state == Stopping {
			continue
		}
		if in.stopOn.Feed(ev).Fired {
			l.stopInstance(in, "stop_on: "+ev.String())
		}
	}
}

// outcome arms after() timers and starts the job when its matcher fired.
func (l *loop) outcome(js *jobState, out events.Outcome) {
	for _, a := range out.Arm {
		l.s.after(a.Delay, func(l *loop) {
			if l.ev.jobs[js.job.Name] != js || l.shuttingDown {
				return
			}
			l.outcome(js, js.start.Occur(a.Node, a.Event))
		})
	}
	if out.Fired && !l.shuttingDown {
		l.fire(js, out.Event)
	}
}

// fire starts the job's instance(s) for the event that made start_on occur.
func (l *loop) fire(js *jobState, ev spec.Event) {
	j := js.job
	if j.Instance == "" {
		for _, in := range l.insts {
			if in.job == j {
				l.trigger(in, ev)
			}
		}
		return
	}
	key, err := l.instanceKey(j, ev)
	if err != nil {
		if ph := l.byName[j.Name]; ph != nil && ph.placeholder {
			l.setState(ph, Fatal, "instance: "+err.Error())
		}
		l.s.log.Error("instance name", "job", j.Name, "event", ev.String(), "err", err)
		return
	}
	name := j.Name + ":" + key
	in := l.byName[name]
	if in == nil {
		in = &instance{job: j, name: name, key: key, state: Stopped}
		l.addInstance(in)
	}
	l.trigger(in, ev)
}

// instanceKey expands the instance template for ev.
func (l *loop) instanceKey(j *spec.Job, ev spec.Event) (string, error) {
	probe := &instance{job: j, name: j.Name, event: ev}
	var key string
	if f := j.Funcs["instance"]; f != nil {
		out, err := l.render(probe, f)
		if err != nil {
			return "", err
		}
		key = strings.Join(out, "")
	} else {
		k, err := spec.Expand(j.Instance, l.vars(probe))
		if err != nil {
			return "", err
		}
		key = k
	}
	if key == "" || strings.ContainsAny(key, " \t\n/:") {
		return "", fmt.Errorf("%q is not an instance name (no spaces, '/' or ':')", key)
	}
	return key, nil
}

// addInstance places a new event-made instance after its job's others and
// retires the job's placeholder row.
func (l *loop) addInstance(in *instance) {
	at := len(l.insts)
	for i, x := range l.insts {
		if x.job.Name == in.job.Name {
			at = i + 1
		}
	}
	l.insts = append(l.insts[:at:at], append([]*instance{in}, l.insts[at:]...)...)
	l.byName[in.name] = in
	if ph := l.byName[in.job.Name]; ph != nil && ph.placeholder {
		l.drop(ph)
	}
}

// trigger is start_on occurring for one instance.
func (l *loop) trigger(in *instance, ev spec.Event) {
	if in.placeholder {
		return
	}
	if in.state.Up() {
		switch overlapOf(in.job) {
		case "queue":
			e := ev
			in.queued = &e
			l.s.log.Info("start_on occurred while running; queued", "process", in.name, "event", ev.String())
		case "restart":
			in.event = ev
			l.restartInstance(in)
		default:
			if in.job.Kind == spec.KindTask {
				l.s.log.Info("start_on occurred while running; skipped (overlap = skip)", "process", in.name, "event", ev.String())
			}
		}
		return
	}
	in.event = ev
	l.startInstance(in)
}

func overlapOf(j *spec.Job) string {
	o := ""
	j.StartOn.Walk(func(m *spec.Matcher) {
		if m.Schedule != nil && o == "" {
			o = m.Schedule.Overlap
		}
	})
	return o
}

// transition emits the built-in events of a state change and runs a
// queued start once the previous run is over.
func (l *loop) transition(in *instance, prev, st State, reason string) {
	if prev == st || in.placeholder {
		return
	}
	vars := l.procVars(in)
	switch st {
	case Starting:
		l.emit("starting", vars)
	case Running:
		l.emit("started", vars)
	case Stopping:
		l.emit("stopping", vars)
	case Stopped:
		if prev.Up() || prev == Backoff {
			l.emit("stopped", vars)
		}
	case Backoff:
		vars["REASON"] = reason
		l.emit("backoff", vars)
	case Fatal:
		vars["REASON"] = reason
		l.emit("fatal", vars)
	}
	if !st.Up() && st != Backoff && in.queued != nil && !l.shuttingDown {
		ev := *in.queued
		in.queued = nil
		in.event = ev
		l.startInstance(in)
	}
}

// exited emits exited (and exited-unexpectedly) for a reaped exit.
func (l *loop) exited(in *instance, st ExitStatus) {
	vars := l.procVars(in)
	expected := st.Signal == 0 && in.job.Expected(st.Code)
	vars["EXIT_STATUS"] = strconv.Itoa(st.Code)
	vars["EXIT_SIGNAL"] = ""
	if st.Signal != 0 {
		vars["EXIT_STATUS"] = ""
		vars["EXIT_SIGNAL"] = strings.TrimPrefix(signals.String(st.Signal), "SIG")
	}
	vars["EXPECTED"] = strconv.FormatBool(expected)
	l.emit("exited", vars)
	if !expected && !in.stopping {
		l.emit("exited-unexpectedly", copyVars(vars))
	}
}

func copyVars(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (l *loop) procVars(in *instance) map[string]string {
	return map[string]string{
		"JOB": in.job.Name, "GROUP": in.job.Group, "INSTANCE": in.name, "PID": strconv.Itoa(in.pid),
	}
}

// prepareStopOn compiles the instance's stop_on with its starting event's
// variables; an unresolved name is an error on the instance.
func (l *loop) prepareStopOn(in *instance) error {
	in.stopOn = nil
	if in.job.StopOn == nil {
		return nil
	}
	m, err := events.Compile(in.job.StopOn, l.vars(in))
	if err != nil {
		return fmt.Errorf("stop_on: %w", err)
	}
	in.stopOn = m
	return nil
}

// render calls a function-valued field with a deadline.
func (l *loop) render(in *instance, f spec.Template) ([]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return f.Render(ctx, spec.TemplateContext{
		ProcessNum: in.num, Instance: in.name, Job: in.job.Name, Group: in.job.Group, Event: in.event,
	})
}

// isUnresolved: a template names nothing known; retrying cannot help.
func isUnresolved(err error) bool {
	var ue *spec.UnresolvedError
	return errors.As(err, &ue)
}

// eventEnv is the starting event's variables, sorted, for the child's
// environment.
func eventEnv(ev spec.Event) [][2]string {
	keys := make([]string, 0, len(ev.Vars))
	for k := range ev.Vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([][2]string, len(keys))
	for i, k := range keys {
		out[i] = [2]string{k, ev.Vars[k]}
	}
	return out
}

// Emit puts a user event on the bus, as `sup emit` does.
func (s *Supervisor) Emit(ctx context.Context, name string, vars map[string]string) (spec.Event, error) {
	if err := CheckEvent(name, vars); err != nil {
		return spec.Event{}, err
	}
	return call(ctx, s, func(l *loop) (spec.Event, error) {
		return l.emit(name, copyVars(vars)), nil
	})
}

// Events is the bus, for subscribers (sup events -f).
func (s *Supervisor) Events() *events.Bus { return s.bus }

// applyInstanced keeps the event-made instances of an instance=... job, or
// its placeholder row while it has none.
func (l *loop) applyInstanced(j *spec.Job, keep map[string]bool, insts []*instance) []*instance {
	found := false
	for _, in := range l.insts {
		if in.job.Name == j.Name && !in.placeholder && !in.removed {
			in.job = j
			keep[in.name] = true
			insts = append(insts, in)
			found = true
		}
	}
	if found {
		return insts
	}
	keep[j.Name] = true
	ph := l.byName[j.Name]
	if ph == nil || !ph.placeholder {
		ph = &instance{job: j, name: j.Name, state: Stopped, placeholder: true}
		l.byName[j.Name] = ph
	}
	ph.job = j
	return append(insts, ph)
}

// anyStopOn reports whether some instance has a stop_on matcher, so that
// routing an event does not copy the instance list when none has.
func (l *loop) anyStopOn() bool {
	for _, in := range l.insts {
		if in.stopOn != nil {
			return true
		}
	}
	return false
}
