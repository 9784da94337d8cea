// Package kwargs binds the arguments of a builtin call to its parameters
// and reports problems with them at the argument that has them.
package kwargs

import (
	"fmt"

	"github.com/sup-run/sup/internal/suggest"
	"github.com/sup-run/sup/lang/internal/callsite"
	"github.com/sup-run/sup/lang/internal/diag"
	"github.com/sup-run/sup/runtime/spec"
	"go.starlark.net/starlark"
)

// Args are the arguments of one builtin call, by parameter name.
type Args struct {
	// Prefix starts every message, e.g. `job "web"`; it is the builtin's
	// name until the caller knows better.
	Prefix string
	Site   callsite.Site

	params  []string
	values  map[string]starlark.Value
	argPos  map[string]int // parameter given positionally -> its index
	unknown []string       // keywords that name no parameter, in call order
}

// Bind matches a call's arguments to params, of which the first
// `positional` may be passed by position.
func Bind(fn string, site callsite.Site, args starlark.Tuple, kwargs []starlark.Tuple, positional int, params ...string) (*Args, error) {
	a := &Args{
		Prefix: fn,
		Site:   site,
		params: params,
		values: make(map[string]starlark.Value, len(args)+len(kwargs)),
		argPos: make(map[string]int, len(args)),
	}
	if len(args) > positional {
		names := ""
		for i, p := range params[:positional] {
			if i > 0 {
				names += ", "
			}
			names += p
		}
		return nil, diag.Errorf(site.Arg(positional), "%s: got %d positional arguments, want at most %d (%s); pass the others by keyword, as in cmd = ...",
			fn, len(args), positional, names)
	}
	for i, v := range args {
		a.values[params[i]] = v
		a.argPos[params[i]] = i
	}
	for _, kv := range kwargs {
		name := string(kv[0].(starlark.String))
		if !a.known(name) {
			a.unknown = append(a.unknown, name)
			continue
		}
		if _, dup := a.values[name]; dup {
			return nil, diag.Errorf(site.Keyword(name), "%s: argument %s is given twice", fn, name)
		}
		a.values[name] = kv[1]
	}
	return a, nil
}

func (a *Args) known(name string) bool {
	for _, p := range a.params {
		if p == name {
			return true
		}
	}
	return false
}

// CheckUnknown reports the first keyword that names no parameter.
func (a *Args) CheckUnknown() error {
	if len(a.unknown) == 0 {
		return nil
	}
	name := a.unknown[0]
	return diag.Errorf(a.Site.Keyword(name), "%s: unexpected keyword argument %q%s",
		a.Prefix, name, suggest.Hint(name, a.params))
}

// Value returns the argument for a parameter; None counts as not given.
func (a *Args) Value(name string) (starlark.Value, bool) {
	v, ok := a.values[name]
	if !ok || v == starlark.None {
		return nil, false
	}
	return v, true
}

// Pos is where the argument for a parameter was written, or the call's
// position.
func (a *Args) Pos(name string) spec.Pos {
	if i, ok := a.argPos[name]; ok {
		return a.Site.Arg(i)
	}
	return a.Site.Keyword(name)
}

// Errorf reports a problem with one argument: "prefix: name: msg".
func (a *Args) Errorf(name, format string, args ...any) *diag.Error {
	err := fmt.Errorf(format, args...)
	return &diag.Error{Pos: a.Pos(name), Msg: fmt.Sprintf("%s: %s: %s", a.Prefix, name, err), Err: err}
}

// Fail reports a problem with the call as a whole: "prefix: msg".
func (a *Args) Fail(format string, args ...any) *diag.Error {
	err := fmt.Errorf(format, args...)
	return &diag.Error{Pos: a.Site.Pos(), Msg: a.Prefix + ": " + err.Error(), Err: err}
}

// Required returns the argument for a parameter that must be given.
func (a *Args) Required(name string) (starlark.Value, error) {
	v, ok := a.Value(name)
	if !ok {
		return nil, a.Fail("%s is required", name)
	}
	return v, nil
}

// Opt converts the argument for name with conv into *dst when it is given,
// and leaves *dst (the default) alone otherwise.
func Opt[T any](a *Args, name string, dst *T, conv func(starlark.Value) (T, error)) error {
	v, ok := a.Value(name)
	if !ok {
		return nil
	}
	x, err := conv(v)
	if err != nil {
		return a.Errorf(name, "%w", err)
	}
	*dst = x
	return nil
}
