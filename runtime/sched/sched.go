// Package sched computes the fire times of schedules (every(), cron()) as
// pure functions of the schedule and a clock reading, and persists the
// last fire times that catch_up needs.
package sched

import (
	"fmt"
	"hash/fnv"
	"time"
	_ "time/tzdata" // schedules name zones; do not depend on the host's zoneinfo

	"github.com/robfig/cron/v3"

	"github.com/sup-run/sup/runtime/spec"
)

// Calc computes fire times for one schedule.
type Calc struct {
	s    *spec.Schedule
	loc  *time.Location
	cron cron.Schedule
}

// cronParser accepts 5 fields, or 6 with leading seconds, and @daily-style
// descriptors.
var cronOptions = cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor

// ParseCron checks a cron expression. robfig/cron panics on some inputs;
// that panic becomes an error here, never a crash.
func ParseCron(expr string) (s cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("%q is not a cron expression (%v)", expr, r)
		}
	}()
	s, err = cron.NewParser(cronOptions).Parse(expr)
	if err != nil {
		return nil, fmt.Errorf("%q is not a cron expression: %w", expr, err)
	}
	return s, nil
}

// New prepares s; tz is the zone used when s has none ("" = local).
func New(s *spec.Schedule, tz string) (*Calc, error) {
	if s.TZ != "" {
		tz = s.TZ
	}
	loc := time.Local
	if tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil {
			return nil, fmt.Errorf("tz %q: %w", tz, err)
		}
		loc = l
	}
	c := &Calc{s: s, loc: loc}
	if s.Cron != "" {
		cs, err := ParseCron(s.Cron)
		if err != nil {
			return nil, err
		}
		c.cron = cs
	}
	return c, nil
}

// Schedule is the schedule being computed.
func (c *Calc) Schedule() *spec.Schedule { return c.s }

// Next is the first fire time strictly after t (jitter not included).
// Calendar times are read in the schedule's zone: a time that does not
// exist on a spring-forward day fires once, at the same offset past the
// gap (2:30 becomes 3:30); a time that occurs twice on a fall-back day
// fires once, at its first occurrence.
func (c *Calc) Next(t time.Time) time.Time {
	s := c.s
	switch {
	case c.cron != nil:
		return c.cron.Next(t.In(c.loc))
	case s.Interval > 0:
		return t.Add(s.Interval)
	case s.Hourly:
		lt := t.In(c.loc)
		for k := 0; k < 4; k++ {
			h := time.Date(lt.Year(), lt.Month(), lt.Day(), lt.Hour()+k, 0, 0, 0, time.UTC)
			cand := wall(h.Year(), h.Month(), h.Day(), h.Hour(), s.Minute, c.loc)
			if cand.After(t) {
				return cand
			}
		}
		return t.Add(time.Hour)
	case s.Days != 0:
		lt := t.In(c.loc)
		for k := 0; k <= 8; k++ {
			day := time.Date(lt.Year(), lt.Month(), lt.Day()+k, 12, 0, 0, 0, c.loc)
			if s.Days&(1<<uint(day.Weekday())) == 0 {
				continue
			}
			cand := wall(day.Year(), day.Month(), day.Day(), s.Hour, s.Minute, c.loc)
			if cand.After(t) {
				return cand
			}
		}
	}
	return time.Time{}
}

// wall is the first instant at which the clock in loc shows the given
// date and time. A time inside a spring-forward gap does not exist; it is
// read with the offset before the gap, so 2:30 becomes 3:30.
func wall(y int, mo time.Month, d, h, mi int, loc *time.Location) time.Time {
	naive := time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
	_, before := naive.Add(-24 * time.Hour).In(loc).Zone()
	_, after := naive.Add(24 * time.Hour).In(loc).Zone()
	var best time.Time
	for _, off := range []int{before, after} {
		t := naive.Add(-time.Duration(off) * time.Second)
		lt := t.In(loc)
		if lt.Day() == d && lt.Hour() == h && lt.Minute() == mi && (best.IsZero() || t.Before(best)) {
			best = t
		}
	}
	if best.IsZero() {
		best = naive.Add(-time.Duration(before) * time.Second)
	}
	return best
}

// NextAfterFire is Next for the fire following one at fired. For calendar
// schedules it skips the second occurrence of a repeated wall time.
func (c *Calc) NextAfterFire(fired time.Time) time.Time {
	n := c.Next(fired)
	if c.s.Interval > 0 || n.IsZero() {
		return n
	}
	a, b := fired.In(c.loc), n.In(c.loc)
	if a.Hour() == b.Hour() && a.Minute() == b.Minute() && a.YearDay() == b.YearDay() && a.Year() == b.Year() {
		return c.Next(n)
	}
	return n
}

// Missed reports whether a fire fell in (last, now]: catch_up runs once at
// startup when it did.
func (c *Calc) Missed(last, now time.Time) bool {
	if last.IsZero() {
		return false
	}
	n := c.Next(last)
	return !n.IsZero() && !n.After(now)
}

// Jitter is the reproducible delay added to the fire at fire for the
// schedule identified by key: the same key and fire time always give the
// same delay in [0, max).
func Jitter(key string, fire time.Time, max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%s@%d", key, fire.Unix())
	return time.Duration(h.Sum64() % uint64(max))
}
