package spec

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// MatcherOp is the kind of a matcher node.
type MatcherOp string

// The matcher nodes of start_on and stop_on.
const (
	// OpOn matches one event by name and glob patterns on its variables.
	OpOn MatcherOp = "on"
	// OpAnd occurs once every operand has occurred since the last reset
	// (upstart's semantics).
	OpAnd MatcherOp = "and"
	// OpOr occurs when any operand occurs.
	OpOr MatcherOp = "or"
	// OpSchedule occurs at the fire times of Schedule.
	OpSchedule MatcherOp = "schedule"
	// OpAfter occurs Delay after its one operand occurred.
	OpAfter MatcherOp = "after"
)

// Matcher is a start_on or stop_on condition: a tree of event patterns,
// schedules, and their combinations.
type Matcher struct {
	Op MatcherOp `json:"op"`
	// Event and Vars (OpOn): the event name (a glob) and patterns on its
	// variables, in declaration order.
	Event string     `json:"event,omitempty"`
	Vars  []VarMatch `json:"vars,omitempty"`
	// Args are the operands of OpAnd, OpOr and (one) OpAfter.
	Args []*Matcher `json:"args,omitempty"`
	// Delay of OpAfter.
	Delay time.Duration `json:"delay,omitempty"`
	// Schedule of OpSchedule.
	Schedule *Schedule `json:"schedule,omitempty"`
}

// VarMatch is a glob pattern on one event variable; Negate inverts it
// (not_("lo")). Patterns may hold ${NAME} templates, expanded from the
// instance's starting event (stop_on = on("down", IFACE = "${IFACE}")).
type VarMatch struct {
	Name    string `json:"name"`
	Pattern string `json:"pattern"`
	Negate  bool   `json:"negate,omitempty"`
}

// Schedule is a calendar or interval timer. Exactly one of Interval,
// Cron, or a calendar spec (Hourly, or Days with Hour and Minute) is set.
type Schedule struct {
	// Text is the schedule as written, for status and errors.
	Text string `json:"text"`
	// Interval: fire every Interval, counted from when sup started.
	Interval time.Duration `json:"interval,omitempty"`
	// Hourly: fire at minute Minute of every hour.
	Hourly bool `json:"hourly,omitempty"`
	// Days: fire at Hour:Minute on these weekdays (bit 1<<time.Weekday).
	Days   uint8 `json:"days,omitempty"`
	Hour   int   `json:"hour,omitempty"`
	Minute int   `json:"minute,omitempty"`
	// Cron is a robfig/cron expression (seconds optional).
	Cron string `json:"cron,omitempty"`
	// TZ is the IANA zone the calendar is read in; "" is settings(tz) or
	// the local zone.
	TZ string `json:"tz,omitempty"`
	// Jitter delays each fire by a reproducible amount in [0, Jitter).
	Jitter time.Duration `json:"jitter,omitempty"`
	// CatchUp runs once at startup when a fire was missed while sup was
	// down.
	CatchUp bool `json:"catch_up,omitempty"`
	// Overlap is what a fire does while the previous run is still up:
	// "skip" (default), "queue" or "restart".
	Overlap string `json:"overlap,omitempty"`
	// NextFire is filled only for display (sup check --dump): the next
	// fire time from now, RFC 3339, jitter not included.
	NextFire string `json:"next_fire,omitempty"`
}

// AllDays is the Days mask of "day".
const AllDays uint8 = 0x7f

// String renders a matcher in the language's syntax, for status and the
// "why" answer.
func (m *Matcher) String() string {
	if m == nil {
		return ""
	}
	switch m.Op {
	case OpOn:
		var b strings.Builder
		fmt.Fprintf(&b, "on(%q", m.Event)
		for _, v := range m.Vars {
			if v.Negate {
				fmt.Fprintf(&b, ", %s = not_(%q)", v.Name, v.Pattern)
			} else {
				fmt.Fprintf(&b, ", %s = %q", v.Name, v.Pattern)
			}
		}
		return b.String() + ")"
	case OpAnd, OpOr:
		sep := " & "
		if m.Op == OpOr {
			sep = " | "
		}
		parts := make([]string, len(m.Args))
		for i, a := range m.Args {
			parts[i] = a.String()
			if a.Op == OpAnd || a.Op == OpOr {
				parts[i] = "(" + parts[i] + ")"
			}
		}
		return strings.Join(parts, sep)
	case OpAfter:
		arg := ""
		if len(m.Args) == 1 {
			arg = m.Args[0].String()
		}
		return fmt.Sprintf("after(%q, %s)", m.Delay.String(), arg)
	case OpSchedule:
		if m.Schedule != nil {
			if m.Schedule.Cron != "" {
				return fmt.Sprintf("cron(%q)", m.Schedule.Cron)
			}
			return fmt.Sprintf("every(%q)", m.Schedule.Text)
		}
	}
	return string(m.Op)
}

// Walk calls f for m and every node below it, depth first.
func (m *Matcher) Walk(f func(*Matcher)) {
	if m == nil {
		return
	}
	f(m)
	for _, a := range m.Args {
		a.Walk(f)
	}
}

// Event is one occurrence on the bus: a name and string variables.
// Seq orders every event a daemon has seen.
type Event struct {
	Seq  uint64            `json:"seq"`
	Time time.Time         `json:"time"`
	Name string            `json:"event"`
	Vars map[string]string `json:"vars,omitempty"`
}

// String renders an event as `name K=V ...`, variables sorted.
func (e Event) String() string {
	var b strings.Builder
	b.WriteString(e.Name)
	keys := make([]string, 0, len(e.Vars))
	for k := range e.Vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%s", k, e.Vars[k])
	}
	return b.String()
}

// TemplateContext is what a function-valued field sees when it is called
// at spawn time.
type TemplateContext struct {
	ProcessNum int
	Instance   string
	Job        string
	Group      string
	Event      Event
}

// Template is a function-valued field (cmd, dir, an env value, instance)
// called at spawn time. The language layer implements it; the runtime
// calls it with a deadline. The result is one string, or several for cmd
// (an argv).
type Template interface {
	Render(ctx context.Context, c TemplateContext) ([]string, error)
	// String names the function for dumps and errors.
	String() string
}
