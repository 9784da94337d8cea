package jobs

import (
	"github.com/sup-run/sup/lang/internal/kwargs"
	"github.com/sup-run/sup/lang/internal/unpack"
	"go.starlark.net/starlark"
)

// backoffBuiltin implements backoff(initial=, factor=, max=, reset_after=).
func (d *Decls) backoffBuiltin(thread *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	a, err := kwargs.Bind("backoff", d.env.Sites.Caller(thread), args, kw, 0, "initial", "factor", "max", "reset_after")
	if err != nil {
		return nil, err
	}
	if err := a.CheckUnknown(); err != nil {
		return nil, err
	}
	b := DefaultBackoff()
	for _, err := range []error{
		kwargs.Opt(a, "initial", &b.Initial, unpack.Duration),
		kwargs.Opt(a, "factor", &b.Factor, unpack.Float),
		kwargs.Opt(a, "max", &b.Max, unpack.Duration),
		kwargs.Opt(a, "reset_after", &b.ResetAfter, unpack.Duration),
	} {
		if err != nil {
			return nil, err
		}
	}
	switch {
	case b.Initial <= 0:
		return nil, a.Errorf("initial", "must be more than 0")
	case !(b.Factor >= 1) || b.Factor > 1000:
		return nil, a.Errorf("factor", "must be between 1 and 1000, got %g", b.Factor)
	case b.Max < b.Initial:
		return nil, a.Errorf("max", "%s is less than initial (%s)", b.Max, b.Initial)
	}
	return &Backoff{b: b}, nil
}
