package jobs

import (
	"fmt"
	"slices"
	"sort"

	"github.com/sup-run/sup/internal/suggest"
	"github.com/sup-run/sup/lang/internal/diag"
	"github.com/sup-run/sup/lang/internal/kwargs"
	"github.com/sup-run/sup/runtime/spec"
	"go.starlark.net/starlark"
)

type groupDecl struct {
	group *spec.Group // Jobs as listed; checked in Spec
	seq   int
}

// groupBuiltin implements group(name, jobs = [...]). Job names are
// resolved when the evaluation ends, so a group may name jobs declared
// after it.
func (d *Decls) groupBuiltin(thread *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	a, err := kwargs.Bind("group", d.env.Sites.Caller(thread), args, kw, 1, "name", "jobs")
	if err != nil {
		return nil, err
	}
	name, err := name(a)
	if err != nil {
		return nil, err
	}
	a.Prefix = fmt.Sprintf("group %q", name)
	if err := a.CheckUnknown(); err != nil {
		return nil, err
	}
	for _, g := range d.groups {
		if g.group.Name == name {
			return nil, diag.Errorf(a.Site.Pos(), "group %q is already declared at %s", name, g.group.Pos)
		}
	}
	v, err := a.Required("jobs")
	if err != nil {
		return nil, err
	}
	elems, err := list(v)
	if err != nil {
		return nil, a.Errorf("jobs", "%w", err)
	}
	if len(elems) == 0 {
		return nil, a.Errorf("jobs", "must list at least one job")
	}
	var members []string
	for i, e := range elems {
		var m string
		switch x := e.(type) {
		case *Job:
			m = x.Name()
		case starlark.String:
			m = string(x)
		default:
			return nil, a.Errorf("jobs", "element %d: got %s, want a job or a job name", i, e.Type())
		}
		if slices.Contains(members, m) {
			return nil, a.Errorf("jobs", "job %q is listed twice", m)
		}
		members = append(members, m)
	}
	d.groups = append(d.groups, &groupDecl{
		group: &spec.Group{Name: name, Pos: a.Site.Pos(), Jobs: members},
		seq:   d.next(),
	})
	return starlark.None, nil
}

// Spec assembles the declarations into a model, checking what could only
// be checked once everything is declared: group membership.
func (d *Decls) Spec() (*spec.Spec, error) {
	s := &spec.Spec{Config: d.env.Config, Jobs: make([]*spec.Job, 0, len(d.jobs))}
	if d.settings != nil {
		s.Settings = *d.settings
	} else {
		s.Settings = d.defaultSettings()
	}
	names := make([]string, 0, len(d.jobs))
	for _, j := range d.jobs {
		s.Jobs = append(s.Jobs, j.job)
		names = append(names, j.job.Name)
	}

	var errs []*diag.Error
	owner := make(map[string]*spec.Group)
	type ordered struct {
		g   *spec.Group
		seq int
	}
	var groups []ordered
	for _, gd := range d.groups {
		g := gd.group
		if j, ok := d.byName[g.Name]; ok && !slices.Contains(g.Jobs, g.Name) {
			errs = append(errs, diag.Errorf(g.Pos, "group %q: the name is taken by job %q declared at %s (a group may share its name only with a job it contains)", g.Name, g.Name, j.job.Pos))
		}
		for _, m := range g.Jobs {
			switch prev, taken := owner[m]; {
			case d.byName[m] == nil:
				errs = append(errs, diag.Errorf(g.Pos, "group %q: unknown job %q%s", g.Name, m, suggest.Hint(m, names)))
			case taken:
				errs = append(errs, diag.Errorf(g.Pos, "group %q: job %q is already in group %q at %s", g.Name, m, prev.Name, prev.Pos))
			default:
				owner[m] = g
			}
		}
		groups = append(groups, ordered{g, gd.seq})
	}
	errs = append(errs, d.checkRequires()...)
	if len(errs) > 0 {
		return nil, diag.Join(errs)
	}
	for _, jd := range d.jobs {
		j := jd.job
		if g, ok := owner[j.Name]; ok {
			j.Group = g.Name
			continue
		}
		j.Group = j.Name
		groups = append(groups, ordered{&spec.Group{Name: j.Name, Pos: j.Pos, Jobs: []string{j.Name}, Implicit: true}, jd.seq})
	}
	sort.SliceStable(groups, func(i, k int) bool { return groups[i].seq < groups[k].seq })
	s.Groups = make([]*spec.Group, len(groups))
	for i, g := range groups {
		s.Groups[i] = g.g
	}
	return s, nil
}
