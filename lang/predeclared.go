package lang

import (
	"go.starlark.net/lib/json"
	"go.starlark.net/lib/math"
	startime "go.starlark.net/lib/time"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/sup-run/sup/lang/events"
	"github.com/sup-run/sup/lang/jobs"
	"github.com/sup-run/sup/lang/units"
)

// predeclared are the names every file of a config sees, besides
// Starlark's universe (len, range, fail, print, ...).
func predeclared(decls *jobs.Decls) starlark.StringDict {
	d := starlark.StringDict{
		"struct": starlark.NewBuiltin("struct", starlarkstruct.Make),
		"json":   json.Module,
		"math":   math.Module,
		"time":   startime.Module,
	}
	for _, lib := range []starlark.StringDict{decls.Builtins(), units.Builtins(), events.Builtins()} {
		for k, v := range lib {
			d[k] = v
		}
	}
	return d
}
