package jobs

import (
	"context"
	"fmt"
	"time"
	_ "time/tzdata" // zones named in configs must not depend on the host

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/sup-run/sup/lang/events"
	"github.com/sup-run/sup/lang/internal/kwargs"
	"github.com/sup-run/sup/lang/internal/shellsplit"
	"github.com/sup-run/sup/lang/internal/unpack"
	"github.com/sup-run/sup/runtime/spec"
)

// templateSteps bounds one call of a function-valued field.
const templateSteps = 1_000_000

// eventArgs reads start_on, stop_on and instance.
func (d *Decls) eventArgs(a *kwargs.Args, j *spec.Job) error {
	for _, field := range []string{"start_on", "stop_on"} {
		v, ok := a.Value(field)
		if !ok {
			continue
		}
		m, err := events.ToMatcher(v)
		if err != nil {
			return a.Errorf(field, "%w", err)
		}
		if field == "start_on" {
			j.StartOn = m
			if _, explicit := a.Value("autostart"); !explicit {
				j.Autostart = false
			}
		} else {
			j.StopOn = m
		}
	}
	v, ok := a.Value("instance")
	if !ok {
		return nil
	}
	if j.Numprocs > 1 {
		return a.Errorf("instance", "cannot be combined with numprocs = %d (instances are made by events)", j.Numprocs)
	}
	if j.StartOn == nil {
		return a.Errorf("instance", "needs start_on: instances are made by the events that start the job")
	}
	if fn, ok := v.(starlark.Callable); ok {
		d.setFunc(j, "instance", fn, false)
		j.Instance = "<" + fn.Name() + ">"
		return nil
	}
	s, err := unpack.String(v)
	if err != nil {
		return a.Errorf("instance", "%w (or a function of ctx)", err)
	}
	if s == "" {
		return a.Errorf("instance", "must not be empty")
	}
	if err := unpack.Template(s); err != nil {
		return a.Errorf("instance", "%w", err)
	}
	j.Instance = s
	return nil
}

func (d *Decls) setFunc(j *spec.Job, field string, fn starlark.Callable, argv bool) {
	if j.Funcs == nil {
		j.Funcs = map[string]spec.Template{}
	}
	j.Funcs[field] = &funcTemplate{fn: fn, field: field, argv: argv}
}

// funcTemplate is a function-valued field: fn(ctx) called at spawn time on
// a fresh thread with a step budget and the caller's deadline.
type funcTemplate struct {
	fn    starlark.Callable
	field string
	argv  bool // the result is a command line (split) or a list
}

func (f *funcTemplate) String() string { return f.fn.Name() + "()" }

// Render calls the function with a frozen ctx.
func (f *funcTemplate) Render(ctx context.Context, c spec.TemplateContext) ([]string, error) {
	thread := &starlark.Thread{Name: f.field + " " + f.fn.Name()}
	thread.SetMaxExecutionSteps(templateSteps)
	stop := context.AfterFunc(ctx, func() { thread.Cancel("deadline exceeded") })
	defer stop()
	vars := starlark.NewDict(len(c.Event.Vars))
	for k, v := range c.Event.Vars {
		vars.SetKey(starlark.String(k), starlark.String(v))
	}
	ev := starlarkstruct.FromStringDict(starlark.String("event"), starlark.StringDict{
		"name": starlark.String(c.Event.Name), "vars": vars,
	})
	cv := starlarkstruct.FromStringDict(starlark.String("ctx"), starlark.StringDict{
		"process_num": starlark.MakeInt(c.ProcessNum),
		"instance":    starlark.String(c.Instance),
		"job":         starlark.String(c.Job),
		"group":       starlark.String(c.Group),
		"event":       ev,
	})
	cv.Freeze()
	v, err := starlark.Call(thread, f.fn, starlark.Tuple{cv}, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f, err)
	}
	switch x := v.(type) {
	case starlark.String:
		if f.argv {
			return shellsplit.Split(string(x))
		}
		return []string{string(x)}, nil
	case *starlark.List, starlark.Tuple:
		elems, _ := list(x)
		out := make([]string, 0, len(elems))
		for i, e := range elems {
			s, ok := e.(starlark.String)
			if !ok || !f.argv {
				return nil, fmt.Errorf("%s returned %s (element %d); want a string", f, v.Type(), i)
			}
			out = append(out, string(s))
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s returned %s, want a string", f, v.Type())
}

// isFunc: a Starlark function given where a value may be computed at
// spawn time.
func isFunc(v starlark.Value) bool {
	switch v.(type) {
	case *starlark.Function, *starlark.Builtin:
		return true
	}
	return false
}

// envFuncs records the function-valued env entries.
func (d *Decls) envFuncs(a *kwargs.Args, j *spec.Job) {
	v, ok := a.Value("env")
	if !ok {
		return
	}
	dict, ok := v.(*starlark.Dict)
	if !ok {
		return
	}
	for _, kv := range dict.Items() {
		if k, ok := kv[0].(starlark.String); ok && isFunc(kv[1]) {
			d.setFunc(j, "env:"+string(k), kv[1].(starlark.Callable), false)
		}
	}
}

// timeZone accepts an IANA zone name such as "Europe/Berlin".
func timeZone(v starlark.Value) (string, error) {
	s, err := unpack.String(v)
	if err != nil {
		return "", err
	}
	if _, err := time.LoadLocation(s); err != nil || s == "" || s == "Local" {
		return "", fmt.Errorf("%q is not a time zone (e.g. \"Europe/Berlin\", \"UTC\")", s)
	}
	return s, nil
}
