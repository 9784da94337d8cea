// Package units provides the value helpers of the language: size("1GiB")
// and duration("1h30m"), which read human-written quantities the same way
// job() does.
package units

import (
	"fmt"

	startime "go.starlark.net/lib/time"
	"go.starlark.net/starlark"

	"github.com/sup-run/sup/lang/internal/unpack"
)

// Builtins returns size and duration.
func Builtins() starlark.StringDict {
	return starlark.StringDict{
		"size":     starlark.NewBuiltin("size", size),
		"duration": starlark.NewBuiltin("duration", duration),
	}
}

// size("50MB") returns the number of bytes as an int.
func size(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var v starlark.Value
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &v); err != nil {
		return nil, err
	}
	n, err := unpack.Size(v)
	if err != nil {
		return nil, fmt.Errorf("size: %w", err)
	}
	return starlark.MakeInt64(n), nil
}

// duration("1h30m") returns a time.duration (see the time module), which
// job() accepts wherever it takes a duration.
func duration(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var v starlark.Value
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &v); err != nil {
		return nil, err
	}
	d, err := unpack.Duration(v)
	if err != nil {
		return nil, fmt.Errorf("duration: %w", err)
	}
	return startime.Duration(d), nil
}
