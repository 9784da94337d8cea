package supervisor

import (
	"fmt"
	"strconv"
	"time"

	"github.com/sup-run/sup/runtime/events"
	"github.com/sup-run/sup/runtime/sched"
	"github.com/sup-run/sup/runtime/spec"
)

// applied rebuilds the start_on state of changed jobs after an apply, arms
// their schedules, and emits startup (first apply) or reload.
func (l *loop) applied(old *spec.Spec) {
	if l.ev.jobs == nil {
		l.ev.jobs = map[string]*jobState{}
		l.ev.lastFire = map[string]time.Time{}
		if m, err := l.s.store.Load(); err != nil {
			l.s.log.Warn("schedule state unreadable; catch_up starts afresh", "err", err)
		} else {
			l.ev.lastFire = m
		}
	}
	keep := map[string]bool{}
	var fresh []*jobState
	for _, j := range l.spec.Jobs {
		keep[j.Name] = true
		if js := l.ev.jobs[j.Name]; js != nil && sameJob(js.job, j) {
			js.job = j
			continue
		}
		delete(l.ev.jobs, j.Name)
		if j.StartOn == nil {
			continue
		}
		js := &jobState{job: j, calcs: map[int]*sched.Calc{}, next: map[int]time.Time{}}
		m, err := events.Compile(j.StartOn, nil)
		if err != nil {
			js.err = "start_on: " + err.Error()
		} else {
			js.start = m
		}
		l.ev.jobs[j.Name] = js
		fresh = append(fresh, js)
	}
	for name := range l.ev.jobs {
		if !keep[name] {
			delete(l.ev.jobs, name)
		}
	}
	if old != nil {
		l.emit("reload", nil)
	}
	dirty := false
	for _, js := range fresh {
		if js.start == nil {
			continue
		}
		for _, sn := range js.start.Schedules() {
			if l.armSchedule(js, sn, old == nil) {
				dirty = true
			}
		}
	}
	if dirty {
		l.saveFires()
	}
}

func fireKey(j *spec.Job, node int) string { return j.Name + "/" + strconv.Itoa(node) }

// armSchedule sets the timer of one schedule leaf; at startup a catch_up
// schedule that missed a fire while sup was down fires at once. It reports
// whether the persisted record changed.
func (l *loop) armSchedule(js *jobState, sn events.ScheduleNode, startup bool) bool {
	c, err := sched.New(sn.Schedule, l.tz())
	if err != nil {
		js.err = err.Error()
		return false
	}
	js.calcs[sn.Node] = c
	now := time.Now()
	key := fireKey(js.job, sn.Node)
	last, known := l.ev.lastFire[key]
	dirty := false
	if !known {
		// No record: this is the baseline a later downtime is measured from.
		l.ev.lastFire[key] = now
		dirty = true
	} else if startup && sn.Schedule.CatchUp && c.Missed(last, now) {
		l.s.log.Info("catch_up: a fire was missed while sup was down", "job", js.job.Name, "schedule", sn.Schedule.Text,
			"last", last.Format(time.RFC3339), "missed", c.Next(last).Format(time.RFC3339))
		missed := c.Next(last)
		l.s.after(0, func(l *loop) { l.scheduleFired(js, sn.Node, c, missed, "catch-up") })
	}
	l.setNext(js, sn.Node, c, c.Next(now))
	return dirty
}

// setNext arms the timer for the fire at at (plus jitter).
func (l *loop) setNext(js *jobState, node int, c *sched.Calc, at time.Time) {
	if at.IsZero() {
		delete(js.next, node)
		return
	}
	due := at.Add(sched.Jitter(fireKey(js.job, node), at, c.Schedule().Jitter))
	js.next[node] = due
	l.s.after(time.Until(due), func(l *loop) {
		if l.ev.jobs[js.job.Name] != js || js.next[node] != due || l.shuttingDown {
			return
		}
		l.setNext(js, node, c, c.NextAfterFire(at))
		l.scheduleFired(js, node, c, at, "schedule")
	})
}

// scheduleFired records a fire and feeds it to the matcher.
func (l *loop) scheduleFired(js *jobState, node int, c *sched.Calc, at time.Time, why string) {
	if l.ev.jobs[js.job.Name] != js || l.shuttingDown {
		return
	}
	l.ev.lastFire[fireKey(js.job, node)] = time.Now()
	l.saveFires()
	vars := map[string]string{"JOB": js.job.Name, "SCHEDULE": c.Schedule().Text, "FIRE": at.Format(time.RFC3339)}
	ev := l.emit(why, vars)
	l.outcome(js, js.start.Occur(node, ev))
}

func (l *loop) saveFires() {
	msg := ""
	if err := l.s.store.Save(l.ev.lastFire); err != nil {
		msg = "cannot write the state dir (schedules): " + err.Error()
	}
	l.setCondition("schedules", msg)
}

func (l *loop) tz() string {
	if l.spec == nil {
		return ""
	}
	return l.spec.Settings.TZ
}

// nextFire is the job's earliest pending schedule fire.
func (l *loop) nextFire(j *spec.Job) time.Time {
	js := l.ev.jobs[j.Name]
	var best time.Time
	if js == nil {
		return best
	}
	for _, t := range js.next {
		if best.IsZero() || t.Before(best) {
			best = t
		}
	}
	return best
}

// explain fills the schedule and "why not running" fields of a status row.
func (l *loop) explain(in *instance, p *ProcessInfo) {
	now := time.Now()
	next := l.nextFire(in.job)
	if !next.IsZero() {
		p.NextFire = next.Unix()
	}
	js := l.ev.jobs[in.job.Name]
	if in.state == Running || in.state == Starting {
		return
	}
	var why []string
	if js != nil && js.err != "" {
		why = append(why, js.err)
	}
	switch in.state {
	case Backoff:
		if !in.due.IsZero() {
			why = append(why, fmt.Sprintf("backoff: next attempt in %s (attempt %d of %d)",
				in.due.Sub(now).Round(time.Second), in.retries+1, in.job.StartRetries+1))
		}
	case Fatal:
		why = append(why, "fatal: "+in.reason+"; start it again with sup start "+in.name)
	}
	if js != nil && js.start != nil && !in.state.Up() {
		why = append(why, "start_on: "+js.start.Waiting())
	}
	if !next.IsZero() {
		why = append(why, fmt.Sprintf("next fire: %s (in %s)", next.Local().Format("2006-01-02 15:04:05 MST"),
			next.Sub(now).Round(time.Second)))
	}
	if in.state == Stopped && js == nil && !in.want {
		if in.start.IsZero() && !in.job.Autostart {
			why = append(why, "autostart = False: start it with sup start "+in.name)
		} else if !in.start.IsZero() {
			why = append(why, "stopped by request: start it with sup start "+in.name)
		}
	}
	p.Why = why
	if !next.IsZero() && (in.state == Exited || in.state == Stopped) && !in.start.IsZero() {
		p.Description += "; next run " + next.Local().Format("Jan 02 15:04:05")
	}
	if in.state == Stopped && in.start.IsZero() && js != nil && in.reason == "" {
		if !next.IsZero() {
			p.Description = "next run " + next.Local().Format("Jan 02 15:04:05")
		} else if js.start != nil {
			p.Description = js.start.Waiting()
		}
	}
}
