// Package events provides the matchers of start_on and stop_on: on(),
// not_(), every(), cron(), after(), combined with & and |, and the plain
// string phrases ("every day at 3:00", "15m after startup").
package events

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"github.com/sup-run/sup/lang/internal/unpack"
	"github.com/sup-run/sup/runtime/spec"
)

// Builtins returns on, not_, every, cron and after.
func Builtins() starlark.StringDict {
	return starlark.StringDict{
		"on":    starlark.NewBuiltin("on", onBuiltin),
		"not_":  starlark.NewBuiltin("not_", notBuiltin),
		"every": starlark.NewBuiltin("every", everyBuiltin),
		"cron":  starlark.NewBuiltin("cron", cronBuiltin),
		"after": starlark.NewBuiltin("after", afterBuiltin),
	}
}

// Matcher is the Starlark value of a matcher. & and | combine matchers
// (and phrase strings).
type Matcher struct{ m *spec.Matcher }

var (
	_ starlark.Value     = (*Matcher)(nil)
	_ starlark.HasBinary = (*Matcher)(nil)
)

func (m *Matcher) String() string        { return m.m.String() }
func (m *Matcher) Type() string          { return "matcher" }
func (m *Matcher) Freeze()               {}
func (m *Matcher) Truth() starlark.Bool  { return true }
func (m *Matcher) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable: matcher") }

// Spec is the model of the matcher.
func (m *Matcher) Spec() *spec.Matcher { return m.m }

// Binary implements & and |.
func (m *Matcher) Binary(op syntax.Token, y starlark.Value, side starlark.Side) (starlark.Value, error) {
	var kind spec.MatcherOp
	switch op {
	case syntax.AMP:
		kind = spec.OpAnd
	case syntax.PIPE:
		kind = spec.OpOr
	default:
		return nil, nil
	}
	other, err := ToMatcher(y)
	if err != nil {
		return nil, fmt.Errorf("%s %s %s: %w", m.Type(), op, y.Type(), err)
	}
	a, b := m.m, other
	if side == starlark.Right {
		a, b = b, a
	}
	var args []*spec.Matcher
	for _, x := range []*spec.Matcher{a, b} {
		if x.Op == kind {
			args = append(args, x.Args...)
		} else {
			args = append(args, x)
		}
	}
	return &Matcher{m: &spec.Matcher{Op: kind, Args: args}}, nil
}

// ToMatcher accepts a matcher or a phrase string.
func ToMatcher(v starlark.Value) (*spec.Matcher, error) {
	switch x := v.(type) {
	case *Matcher:
		return x.m, nil
	case starlark.String:
		return ParsePhrase(string(x))
	}
	return nil, fmt.Errorf("got %s, want a matcher (on(...), every(...), ...) or a phrase such as \"15m after startup\"", v.Type())
}

// notValue is not_("lo"): a negated pattern for on().
type notValue struct{ pattern string }

func (n notValue) String() string        { return fmt.Sprintf("not_(%q)", n.pattern) }
func (n notValue) Type() string          { return "not_" }
func (n notValue) Freeze()               {}
func (n notValue) Truth() starlark.Bool  { return true }
func (n notValue) Hash() (uint32, error) { return starlark.String(n.pattern).Hash() }

func notBuiltin(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var p string
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &p); err != nil {
		return nil, err
	}
	return notValue{p}, nil
}

// on(name, **VARS): an event by name (a glob) with glob patterns on its
// variables; a pattern may be not_("x").
func onBuiltin(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("on: want one event name, as on(\"net-device-up\", IFACE = \"eth*\")")
	}
	name, ok := args[0].(starlark.String)
	if !ok {
		return nil, fmt.Errorf("on: event name: got %s, want string", args[0].Type())
	}
	if err := checkEventName(string(name)); err != nil {
		return nil, fmt.Errorf("on: %w", err)
	}
	m := &spec.Matcher{Op: spec.OpOn, Event: string(name)}
	for _, kv := range kwargs {
		k := string(kv[0].(starlark.String))
		var vm spec.VarMatch
		switch x := kv[1].(type) {
		case starlark.String:
			vm = spec.VarMatch{Name: k, Pattern: string(x)}
		case notValue:
			vm = spec.VarMatch{Name: k, Pattern: x.pattern, Negate: true}
		default:
			return nil, fmt.Errorf("on: %s: got %s, want a pattern string or not_(\"...\")", k, kv[1].Type())
		}
		if err := unpack.Template(vm.Pattern); err != nil {
			return nil, fmt.Errorf("on: %s: %w", k, err)
		}
		m.Vars = append(m.Vars, vm)
	}
	return &Matcher{m: m}, nil
}

// schedOptions reads tz, jitter, catch_up and overlap into s.
func schedOptions(fn string, s *spec.Schedule, kwargs []starlark.Tuple) error {
	for _, kv := range kwargs {
		k := string(kv[0].(starlark.String))
		v := kv[1]
		var err error
		switch k {
		case "tz":
			var tz string
			if tz, err = unpack.String(v); err == nil {
				if _, lerr := time.LoadLocation(tz); lerr != nil {
					err = fmt.Errorf("%q is not a time zone (e.g. \"Europe/Berlin\", \"UTC\")", tz)
				}
				s.TZ = tz
			}
		case "jitter":
			s.Jitter, err = unpack.Duration(v)
		case "catch_up":
			s.CatchUp, err = unpack.Bool(v)
		case "overlap":
			s.Overlap, err = unpack.Choice(v, "skip", "queue", "restart")
		default:
			return fmt.Errorf("%s: unexpected keyword argument %q (want tz, jitter, catch_up or overlap)", fn, k)
		}
		if err != nil {
			return fmt.Errorf("%s: %s: %w", fn, k, err)
		}
	}
	return nil
}

// every(phrase, tz=, jitter=, catch_up=, overlap=).
func everyBuiltin(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("every: want one phrase, as every(\"day at 3:00\")")
	}
	p, err := unpack.String(args[0])
	if err != nil {
		return nil, fmt.Errorf("every: %w", err)
	}
	s, err := ParseEvery(p)
	if err != nil {
		return nil, fmt.Errorf("every: %w", err)
	}
	if err := schedOptions("every", s, kwargs); err != nil {
		return nil, err
	}
	return &Matcher{m: &spec.Matcher{Op: spec.OpSchedule, Schedule: s}}, nil
}

// cron(expr, tz=, jitter=, catch_up=, overlap=).
func cronBuiltin(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("cron: want one expression, as cron(\"0 3 * * *\")")
	}
	e, err := unpack.String(args[0])
	if err != nil {
		return nil, fmt.Errorf("cron: %w", err)
	}
	s, err := cronSchedule(e)
	if err != nil {
		return nil, fmt.Errorf("cron: %w", err)
	}
	if err := schedOptions("cron", s, kwargs); err != nil {
		return nil, err
	}
	return &Matcher{m: &spec.Matcher{Op: spec.OpSchedule, Schedule: s}}, nil
}

// cronSchedule checks expr with robfig/cron's parser, whose panics on
// odd input become errors here.
func cronSchedule(expr string) (s *spec.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("%q is not a cron expression (%v)", expr, r)
		}
	}()
	opts := cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor
	if _, perr := cron.NewParser(opts).Parse(expr); perr != nil {
		return nil, fmt.Errorf("%q is not a cron expression: %s", expr, strings.TrimPrefix(perr.Error(), "expected "))
	}
	return &spec.Schedule{Text: "cron " + expr, Cron: expr}, nil
}

// after(delay, matcher): occurs delay after the matcher occurred.
func afterBuiltin(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var dv, mv starlark.Value
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 2, &dv, &mv); err != nil {
		return nil, err
	}
	d, err := unpack.Duration(dv)
	if err != nil {
		return nil, fmt.Errorf("after: %w", err)
	}
	inner, err := ToMatcher(mv)
	if err != nil {
		return nil, fmt.Errorf("after: %w", err)
	}
	return &Matcher{m: &spec.Matcher{Op: spec.OpAfter, Delay: d, Args: []*spec.Matcher{inner}}}, nil
}
