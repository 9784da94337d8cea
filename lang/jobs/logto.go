package jobs

import (
	"fmt"

	"go.starlark.net/starlark"

	"github.com/sup-run/sup/lang/internal/kwargs"
	"github.com/sup-run/sup/lang/internal/unpack"
	"github.com/sup-run/sup/runtime/spec"
)

// Default log rotation, as supervisord's: 50 MB files, 10 backups.
const (
	DefaultMaxSize = 50 << 20
	DefaultBackups = 10
)

// defaultLog is where a stream goes without stdout= / stderr=: the zero
// LogSpec, which the runtime rotates at 50 MiB keeping 10 backups.
func defaultLog() spec.LogSpec { return spec.LogSpec{} }

// LogTo is the value log_to() returns, for job(stdout = ..., stderr = ...).
type LogTo struct {
	ls   spec.LogSpec
	path string // as written, for String
}

var _ starlark.HasAttrs = (*LogTo)(nil)

func (l *LogTo) String() string {
	return fmt.Sprintf("log_to(%q, max_size = %d, backups = %d, rotate = %q, compress = %v, timestamps = %v, on_full = %q)",
		l.path, max(l.ls.MaxSize, 0), l.ls.Backups, l.ls.Rotate, pyBool(l.ls.Compress), pyBool(l.ls.Timestamps), l.ls.OnFull)
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

func (l *LogTo) Type() string          { return "log_to" }
func (l *LogTo) Freeze()               {}
func (l *LogTo) Truth() starlark.Bool  { return starlark.True }
func (l *LogTo) Hash() (uint32, error) { return starlark.String(l.String()).Hash() }

// Attr implements starlark.HasAttrs.
func (l *LogTo) Attr(name string) (starlark.Value, error) {
	switch name {
	case "path":
		return starlark.String(l.path), nil
	case "max_size":
		return starlark.MakeInt64(max(l.ls.MaxSize, 0)), nil
	case "backups":
		return starlark.MakeInt(l.ls.Backups), nil
	case "rotate":
		return starlark.String(l.ls.Rotate), nil
	case "compress":
		return starlark.Bool(l.ls.Compress), nil
	case "timestamps":
		return starlark.Bool(l.ls.Timestamps), nil
	case "on_full":
		return starlark.String(l.ls.OnFull), nil
	}
	return nil, nil
}

// AttrNames implements starlark.HasAttrs.
func (l *LogTo) AttrNames() []string {
	return []string{"backups", "compress", "max_size", "on_full", "path", "rotate", "timestamps"}
}

// logToBuiltin implements log_to(path, max_size=, backups=, rotate=,
// compress=, timestamps=, on_full=).
func (d *Decls) logToBuiltin(thread *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	a, err := kwargs.Bind("log_to", d.env.Sites.Caller(thread), args, kw, 1,
		"path", "max_size", "backups", "rotate", "compress", "timestamps", "on_full")
	if err != nil {
		return nil, err
	}
	if err := a.CheckUnknown(); err != nil {
		return nil, err
	}
	l := &LogTo{ls: spec.LogSpec{MaxSize: DefaultMaxSize, Backups: DefaultBackups, OnFull: "drop"}}
	if p, ok, err := pathArg(a, "path"); err != nil {
		return nil, err
	} else if ok {
		l.path = p
		l.ls.Path = d.path(p)
	}
	for _, err := range []error{
		kwargs.Opt(a, "max_size", &l.ls.MaxSize, unpack.Size),
		kwargs.Opt(a, "backups", &l.ls.Backups, atLeast(0)),
		kwargs.Opt(a, "rotate", &l.ls.Rotate, choice("hourly", "daily")),
		kwargs.Opt(a, "compress", &l.ls.Compress, unpack.Bool),
		kwargs.Opt(a, "timestamps", &l.ls.Timestamps, unpack.Bool),
		kwargs.Opt(a, "on_full", &l.ls.OnFull, choice("drop", "block")),
	} {
		if err != nil {
			return nil, err
		}
	}
	if l.ls.MaxSize == 0 {
		l.ls.MaxSize = -1 // spec: negative is "no size rotation", 0 the default
	}
	return l, nil
}
