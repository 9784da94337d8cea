// Package jobs provides the declarations of a configuration: settings(),
// job(), backoff() and group(). A Decls collects what one evaluation
// declares and assembles it into a spec.Spec.
package jobs

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/sup-run/sup/lang/internal/callsite"
	"github.com/sup-run/sup/lang/internal/diag"
	"github.com/sup-run/sup/lang/internal/kwargs"
	"github.com/sup-run/sup/lang/internal/unpack"
	"github.com/sup-run/sup/runtime/spec"
	"go.starlark.net/starlark"
)

// Env describes the configuration being evaluated.
type Env struct {
	// Config is the absolute path of the top-level configuration file.
	Config string
	// Sites locates calls in the evaluated files.
	Sites *callsite.Index
}

// dir is the directory relative paths are resolved against.
func (e Env) dir() string { return filepath.Dir(e.Config) }

// Decls collects the declarations of one evaluation. Its builtins must run
// on one thread at a time.
type Decls struct {
	env      Env
	settings *spec.Settings // nil until settings() is called
	jobs     []*jobDecl
	byName   map[string]*jobDecl
	groups   []*groupDecl
	seq      int // declaration counter, orders explicit and implicit groups
}

type jobDecl struct {
	job   *spec.Job
	trace []spec.Pos // the declaring call and the calls that led to it
	seq   int
	// requiresPos is where requires= was written, for its errors.
	requiresPos spec.Pos
}

// New returns an empty set of declarations.
func New(env Env) *Decls {
	return &Decls{env: env, byName: make(map[string]*jobDecl)}
}

// Builtins are the declaration functions, bound to d.
func (d *Decls) Builtins() starlark.StringDict {
	b := starlark.StringDict{
		"settings": starlark.NewBuiltin("settings", d.settingsBuiltin),
		"job":      starlark.NewBuiltin("job", d.jobBuiltin),
		"group":    starlark.NewBuiltin("group", d.groupBuiltin),
		"backoff":  starlark.NewBuiltin("backoff", d.backoffBuiltin),
		"log_to":   starlark.NewBuiltin("log_to", d.logToBuiltin),
	}
	for k, v := range d.readyBuiltins() {
		b[k] = v
	}
	return b
}

func (d *Decls) next() int {
	d.seq++
	return d.seq
}

// name reads and checks the name argument of job() or group().
func name(a *kwargs.Args) (string, error) {
	v, err := a.Required("name")
	if err != nil {
		return "", err
	}
	s, err := unpack.String(v)
	if err != nil {
		return "", a.Errorf("name", "%w", err)
	}
	if err := unpack.Name(s); err != nil {
		return "", diag.Errorf(a.Pos("name"), "%s: %w", a.Prefix, err)
	}
	return s, nil
}

// path resolves a path argument against the config's directory. A path
// that starts with a template is kept as written: what it expands to is
// known only at spawn time.
func (d *Decls) path(s string) string {
	if strings.HasPrefix(s, "${") {
		return s
	}
	if filepath.IsAbs(s) {
		return filepath.Clean(s)
	}
	return filepath.Join(d.env.dir(), s)
}

// pathArg reads a path argument: a non-empty string whose templates are
// well formed.
func pathArg(a *kwargs.Args, field string) (string, bool, error) {
	v, ok := a.Value(field)
	if !ok {
		return "", false, nil
	}
	s, err := unpack.String(v)
	if err != nil {
		return "", false, a.Errorf(field, "%w", err)
	}
	if s == "" {
		return "", false, a.Errorf(field, "must not be empty (leave it out for the default)")
	}
	if err := unpack.Template(s); err != nil {
		return "", false, a.Errorf(field, "%w", err)
	}
	return s, true, nil
}

// list returns the elements of a list or tuple.
func list(v starlark.Value) ([]starlark.Value, error) {
	switch x := v.(type) {
	case *starlark.List:
		out := make([]starlark.Value, x.Len())
		for i := range out {
			out[i] = x.Index(i)
		}
		return out, nil
	case starlark.Tuple:
		return x, nil
	}
	return nil, fmt.Errorf("got %s, want a list", v.Type())
}
