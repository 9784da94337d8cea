package jobs

import (
	"github.com/sup-run/sup/internal/suggest"
	"github.com/sup-run/sup/lang/internal/diag"
	"github.com/sup-run/sup/lang/internal/kwargs"
	"github.com/sup-run/sup/lang/internal/unpack"
	"github.com/sup-run/sup/runtime/deps"
	"github.com/sup-run/sup/runtime/spec"
	"go.starlark.net/starlark"
)

// fillReadiness reads ready=, requires=, requires_files=,
// on_dependency_restart= and the hooks into j. Required names are checked
// in Spec, once every job is declared.
func (d *Decls) fillReadiness(a *kwargs.Args, j *spec.Job, decl *jobDecl) error {
	if v, ok := a.Value("ready"); ok {
		r, ok := v.(*Ready)
		if !ok {
			return a.Errorf("ready", "got %s, want tcp(...), http(...), log(...), exec(...) or notify()", v.Type())
		}
		c := r.c
		j.Ready = &c
	}
	if v, ok := a.Value("requires"); ok {
		elems, err := list(v)
		if err != nil {
			return a.Errorf("requires", "%w", err)
		}
		for i, e := range elems {
			var n string
			switch x := e.(type) {
			case *Job:
				n = x.Name()
			case starlark.String:
				n = string(x)
			default:
				return a.Errorf("requires", "element %d: got %s, want a job or a job name", i, e.Type())
			}
			for _, prev := range j.Requires {
				if prev == n {
					return a.Errorf("requires", "job %q is listed twice", n)
				}
			}
			j.Requires = append(j.Requires, n)
		}
		decl.requiresPos = a.Pos("requires")
	}
	if v, ok := a.Value("requires_files"); ok {
		elems, err := list(v)
		if err != nil {
			return a.Errorf("requires_files", "%w", err)
		}
		for i, e := range elems {
			s, ok := e.(starlark.String)
			if !ok || s == "" {
				return a.Errorf("requires_files", "element %d: want a non-empty path string, got %s", i, e.String())
			}
			j.RequiresFiles = append(j.RequiresFiles, d.path(string(s)))
		}
	}
	var policy string
	if err := kwargs.Opt(a, "on_dependency_restart", &policy, choice(spec.DepRestart, spec.DepIgnore)); err != nil {
		return err
	}
	// Left "" when not given (it means restart), so configs that do not
	// use dependencies dump as before.
	j.OnDependencyRestart = spec.DependencyPolicy(policy)
	hooks := []struct {
		field string
		dst   *[]string
	}{
		{"pre_start", &j.Hooks.PreStart}, {"post_start", &j.Hooks.PostStart},
		{"pre_stop", &j.Hooks.PreStop}, {"post_stop", &j.Hooks.PostStop},
	}
	for _, h := range hooks {
		if _, ok := a.Value(h.field); !ok {
			continue
		}
		argv, err := argvArg(a, h.field)
		if err != nil {
			return err
		}
		*h.dst = argv
	}
	if err := kwargs.Opt(a, "hook_timeout", &j.Hooks.Timeout, unpack.Duration); err != nil {
		return err
	}
	if _, given := a.Value("hook_timeout"); given && j.Hooks.Timeout <= 0 {
		return a.Errorf("hook_timeout", "must be more than 0")
	}
	return nil
}

// checkRequires reports requires= names that name no job (with a
// suggestion) and dependency cycles, at the requires= argument.
func (d *Decls) checkRequires() []*diag.Error {
	var errs []*diag.Error
	names := make([]string, 0, len(d.jobs))
	nodes := make([]deps.Node, 0, len(d.jobs))
	for _, jd := range d.jobs {
		names = append(names, jd.job.Name)
		nodes = append(nodes, deps.Node{Name: jd.job.Name, Requires: jd.job.Requires})
	}
	g := deps.New(nodes)
	for _, u := range g.Unknown() {
		jd := d.byName[u.From]
		errs = append(errs, diag.Errorf(jd.requiresPos, "job %q: requires: unknown job %q%s", u.From, u.Name, suggest.Hint(u.Name, names)))
	}
	if c := g.Cycle(); c != nil {
		jd := d.byName[c.Path[0]]
		errs = append(errs, diag.Errorf(jd.requiresPos, "job %q: requires: %s", c.Path[0], c))
	}
	return errs
}
