package events

import (
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/sup-run/sup/runtime/spec"
)

// Matcher is the evaluation state of one start_on or stop_on tree. It is a
// pure state machine: Feed and Occur change it and say what happened; the
// caller (the supervisor loop) arms the timers it asks for.
//
// Semantics are upstart's: a leaf becomes true when its event occurs; an
// "and" is true once every operand has been true since the last reset, an
// "or" once any has; when the root becomes true the matcher fires and the
// whole tree resets.
type Matcher struct {
	root  *node
	nodes []*node
}

type node struct {
	id   int
	m    *spec.Matcher
	vars []spec.VarMatch // patterns with templates expanded
	kids []*node
	seen bool
	ev   Event // the event that made a leaf true
}

// Outcome is what an event or a timer did to a matcher.
type Outcome struct {
	// Fired: the whole matcher occurred. Event carries the variables of
	// every event that contributed (later ones win), and the name of the
	// one that completed it.
	Fired bool
	Event Event
	// Arm lists after() nodes whose operand just occurred: call Occur with
	// the node and event once Delay has passed.
	Arm []Arm
}

// Arm is a timer the caller must set for an after() node.
type Arm struct {
	Node  int
	Delay time.Duration
	Event Event
}

// ScheduleNode is a schedule leaf, fired with Occur at its fire times.
type ScheduleNode struct {
	Node     int
	Schedule *spec.Schedule
}

// Compile builds the state for m. Variable patterns are expanded with look
// (nil leaves them as written); an unresolved name is an error.
func Compile(m *spec.Matcher, look spec.Lookup) (*Matcher, error) {
	mt := &Matcher{}
	root, err := mt.build(m, look)
	if err != nil {
		return nil, err
	}
	mt.root = root
	return mt, nil
}

func (mt *Matcher) build(m *spec.Matcher, look spec.Lookup) (*node, error) {
	n := &node{id: len(mt.nodes), m: m}
	mt.nodes = append(mt.nodes, n)
	for _, v := range m.Vars {
		if look != nil {
			p, err := spec.Expand(v.Pattern, look)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", v.Name, err)
			}
			v.Pattern = p
		}
		n.vars = append(n.vars, v)
	}
	for _, a := range m.Args {
		k, err := mt.build(a, look)
		if err != nil {
			return nil, err
		}
		n.kids = append(n.kids, k)
	}
	return n, nil
}

// Schedules lists the schedule leaves, which the caller fires.
func (mt *Matcher) Schedules() []ScheduleNode {
	var out []ScheduleNode
	for _, n := range mt.nodes {
		if n.m.Op == spec.OpSchedule && n.m.Schedule != nil {
			out = append(out, ScheduleNode{Node: n.id, Schedule: n.m.Schedule})
		}
	}
	return out
}

// Feed offers an event to every "on" leaf.
func (mt *Matcher) Feed(ev Event) Outcome {
	hit := false
	for _, n := range mt.nodes {
		if n.m.Op == spec.OpOn && Matches(n.m.Event, n.vars, ev) {
			n.seen, n.ev = true, ev
			hit = true
		}
	}
	if !hit {
		return Outcome{}
	}
	return mt.settle(ev)
}

// Occur marks a schedule or after() node as having occurred (its timer
// fired) with ev.
func (mt *Matcher) Occur(id int, ev Event) Outcome {
	if id < 0 || id >= len(mt.nodes) {
		return Outcome{}
	}
	n := mt.nodes[id]
	n.seen, n.ev = true, ev
	return mt.settle(ev)
}

// settle propagates truth upwards after leaves changed.
func (mt *Matcher) settle(ev Event) Outcome {
	var out Outcome
	if !mt.eval(mt.root, &out) {
		return out
	}
	out.Fired = true
	out.Event = Event{Name: ev.Name, Seq: ev.Seq, Time: ev.Time, Vars: map[string]string{}}
	mt.collect(mt.root, out.Event.Vars)
	mt.Reset()
	return out
}

// eval reports whether n is true, arming after() nodes whose operand just
// became true (and resetting that operand: each occurrence arms once).
func (mt *Matcher) eval(n *node, out *Outcome) bool {
	switch n.m.Op {
	case spec.OpAnd:
		all := true
		for _, k := range n.kids {
			if !mt.eval(k, out) {
				all = false
			}
		}
		return all
	case spec.OpOr:
		anyTrue := false
		for _, k := range n.kids {
			if mt.eval(k, out) {
				anyTrue = true
			}
		}
		return anyTrue
	case spec.OpAfter:
		if len(n.kids) == 1 && mt.eval(n.kids[0], out) {
			ev := Event{Vars: map[string]string{}}
			mt.collect(n.kids[0], ev.Vars)
			ev.Name = lastName(n.kids[0])
			reset(n.kids[0])
			out.Arm = append(out.Arm, Arm{Node: n.id, Delay: n.m.Delay, Event: ev})
		}
		return n.seen
	}
	return n.seen
}

func lastName(n *node) string {
	name := ""
	var seq uint64
	var walk func(*node)
	walk = func(n *node) {
		if n.seen && (name == "" || n.ev.Seq >= seq) {
			name, seq = n.ev.Name, n.ev.Seq
		}
		for _, k := range n.kids {
			walk(k)
		}
	}
	walk(n)
	return name
}

// collect merges the variables of the true leaves below n.
func (mt *Matcher) collect(n *node, into map[string]string) {
	if n.seen {
		maps.Copy(into, n.ev.Vars)
	}
	for _, k := range n.kids {
		mt.collect(k, into)
	}
}

// Reset forgets every occurrence.
func (mt *Matcher) Reset() { reset(mt.root) }

func reset(n *node) {
	n.seen, n.ev = false, Event{}
	for _, k := range n.kids {
		reset(k)
	}
}

// Waiting says what the matcher still waits for, for `sup status NAME`:
// the operands not yet seen, and those already seen.
func (mt *Matcher) Waiting() string {
	var missing, seen []string
	var walk func(n *node)
	walk = func(n *node) {
		switch n.m.Op {
		case spec.OpAnd:
			for _, k := range n.kids {
				walk(k)
			}
			return
		}
		if n.seen || anySeen(n) {
			seen = append(seen, n.m.String())
		} else {
			missing = append(missing, n.m.String())
		}
	}
	walk(mt.root)
	s := "waiting for " + strings.Join(missing, " & ")
	if len(missing) == 0 {
		s = "waiting for " + mt.root.m.String()
	}
	if len(seen) > 0 {
		s += " (seen: " + strings.Join(seen, ", ") + ")"
	}
	return s
}

func anySeen(n *node) bool {
	if n.seen {
		return true
	}
	for _, k := range n.kids {
		if anySeen(k) {
			return true
		}
	}
	return false
}

// Matches reports whether ev has the name pattern and satisfies every
// variable pattern. A missing variable fails a pattern and passes a
// negated one.
func Matches(name string, vars []spec.VarMatch, ev Event) bool {
	if !Glob(name, ev.Name) {
		return false
	}
	for _, v := range vars {
		val, ok := ev.Vars[v.Name]
		m := ok && Glob(v.Pattern, val)
		if m == v.Negate {
			return false
		}
	}
	return true
}

// Glob matches s against a shell pattern: * any run of characters
// (including /), ? one character, [abc], [a-z] and [!x] classes, \x a
// literal x.
func Glob(pattern, s string) bool {
	for len(pattern) > 0 {
		switch pattern[0] {
		case '*':
			for len(pattern) > 0 && pattern[0] == '*' {
				pattern = pattern[1:]
			}
			if pattern == "" {
				return true
			}
			for i := 0; i <= len(s); i++ {
				if Glob(pattern, s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
			pattern, s = pattern[1:], s[1:]
		case '[':
			end := strings.IndexByte(pattern[1:], ']')
			if end < 0 || s == "" {
				if s == "" || s[0] != '[' {
					return false
				}
				pattern, s = pattern[1:], s[1:]
				continue
			}
			if !inClass(pattern[1:1+end], s[0]) {
				return false
			}
			pattern, s = pattern[end+2:], s[1:]
		case '\\':
			if len(pattern) > 1 {
				pattern = pattern[1:]
			}
			fallthrough
		default:
			if s == "" || s[0] != pattern[0] {
				return false
			}
			pattern, s = pattern[1:], s[1:]
		}
	}
	return s == ""
}

func inClass(class string, c byte) bool {
	neg := false
	if len(class) > 0 && (class[0] == '!' || class[0] == '^') {
		neg, class = true, class[1:]
	}
	in := false
	for i := 0; i < len(class); i++ {
		if i+2 < len(class) && class[i+1] == '-' {
			if class[i] <= c && c <= class[i+2] {
				in = true
			}
			i += 2
			continue
		}
		if class[i] == c {
			in = true
		}
	}
	return in != neg
}
