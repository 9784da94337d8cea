package supervisor

import (
	"context"
	"sort"
	"time"
)

// Intent is the admin's persisted wish: instances stopped by `sup stop`
// stay stopped across restarts of sup and reloads (R15).

// adminIntent records that the admin wants in up (or not) and reports the
// new set of admin-stopped instances.
func (l *loop) adminIntent(in *instance, up bool) {
	if l.adminStopped == nil {
		l.adminStopped = map[string]bool{}
	}
	if l.adminStopped[in.name] == !up {
		return
	}
	if up {
		delete(l.adminStopped, in.name)
	} else {
		l.adminStopped[in.name] = true
	}
	if f := l.s.opts.OnIntent; f != nil {
		names := make([]string, 0, len(l.adminStopped))
		for n := range l.adminStopped {
			names = append(names, n)
		}
		sort.Strings(names)
		f(names)
	}
}

// reportPids notes that the set of processes up changed; flushPids tells
// OnPids once the loop has run the commands at hand, so that starting or
// stopping N processes builds the pid map a few times, not N times.
func (l *loop) reportPids() { l.pidsDirty = true }

// flushPids tells OnPids which processes are up, by instance name, when
// that changed.
func (l *loop) flushPids() {
	f := l.s.opts.OnPids
	if f == nil || !l.pidsDirty {
		return
	}
	l.pidsDirty = false
	pids := make(map[string]int, len(l.byName))
	// byName, not insts: during apply, insts does not hold the new ones yet.
	for _, in := range l.byName {
		if in.proc != nil {
			pids[in.name] = in.pid
		}
	}
	f(pids)
}

// Condition is a daemon-level problem of sup's own (cannot write its
// state dir, cannot kill a process): status shows sup as DEGRADED while
// any is set.
type Condition struct {
	Key     string `json:"key"`
	Message string `json:"message"`
	Since   int64  `json:"since"`
}

// SetCondition sets (msg != "") or clears (msg == "") a daemon condition.
func (s *Supervisor) SetCondition(key, msg string) {
	s.post(func(l *loop) { l.setCondition(key, msg) })
}

func (l *loop) setCondition(key, msg string) {
	if l.conditions == nil {
		l.conditions = map[string]Condition{}
	}
	old, had := l.conditions[key]
	switch {
	case msg == "" && had:
		delete(l.conditions, key)
		l.s.log.Info("daemon condition cleared", "key", key)
	case msg != "" && (!had || old.Message != msg):
		l.conditions[key] = Condition{Key: key, Message: msg, Since: nowUnix()}
		l.s.log.Error("sup is DEGRADED", "key", key, "problem", msg)
	}
}

func (l *loop) conditionList() []Condition {
	out := make([]Condition, 0, len(l.conditions))
	for _, c := range l.conditions {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// Conditions returns the daemon conditions in force.
func (s *Supervisor) Conditions(ctx context.Context) ([]Condition, error) {
	return call(ctx, s, func(l *loop) ([]Condition, error) { return l.conditionList(), nil })
}

func nowUnix() int64 { return time.Now().Unix() }

// maxBatch bounds how many queued commands the loop runs before it reports
// what changed (flushPids): a burst of exits is reported in a few maps, and
// the report is never held back long.
const maxBatch = 256

// batch runs the commands already queued, up to maxBatch, unless the loop
// has finished.
func (l *loop) batch() {
	for i := 0; i < maxBatch && !l.finished(); i++ {
		select {
		case f := <-l.s.cmds:
			f(l)
			l.drain()
		default:
			return
		}
	}
}
