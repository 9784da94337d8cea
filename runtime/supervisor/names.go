package supervisor

import (
	"fmt"
	"strings"

	"github.com/sup-run/sup/internal/suggest"
)

// NameError is an unknown namespec; the CLI exits 4 on it.
type NameError struct {
	Name    string
	Suggest string
}

func (e *NameError) Error() string {
	if e.Suggest != "" {
		return fmt.Sprintf("unknown name %q (did you mean %q?)", e.Name, e.Suggest)
	}
	return fmt.Sprintf("unknown name %q", e.Name)
}

// resolve turns supervisorctl namespecs into processes, in declaration
// order, without duplicates:
//
//	all            every process
//	GROUP or GROUP:*  every process of a group
//	JOB            every instance of a job (web, or web:0..web:N-1)
//	INSTANCE       one instance (web:1)
//	GROUP:JOB, GROUP:INSTANCE  the same, qualified by group
//
// An empty list means all when emptyAll is set.
func (l *loop) resolve(names []string, emptyAll bool) ([]*instance, error) {
	if len(names) == 0 {
		if emptyAll {
			return append([]*instance(nil), l.insts...), nil
		}
		return nil, fmt.Errorf("no process named (give a name, group:*, or all)")
	}
	want := map[*instance]bool{}
	for _, n := range names {
		matched, err := l.match(n)
		if err != nil {
			return nil, err
		}
		for _, in := range matched {
			want[in] = true
		}
	}
	var out []*instance
	for _, in := range l.insts {
		if want[in] {
			out = append(out, in)
		}
	}
	return out, nil
}

func (l *loop) match(n string) ([]*instance, error) {
	if n == "all" {
		return l.insts, nil
	}
	if in, ok := l.byName[n]; ok {
		return []*instance{in}, nil
	}
	var out []*instance
	pick := func(f func(*instance) bool) []*instance {
		out = nil
		for _, in := range l.insts {
			if f(in) {
				out = append(out, in)
			}
		}
		return out
	}
	if m := pick(func(in *instance) bool { return in.job.Name == n }); len(m) > 0 {
		return m, nil
	}
	if m := pick(func(in *instance) bool { return in.job.Group == n }); len(m) > 0 {
		return m, nil
	}
	if g, rest, ok := strings.Cut(n, ":"); ok {
		inGroup := func(in *instance) bool { return in.job.Group == g }
		if rest == "*" {
			if m := pick(inGroup); len(m) > 0 {
				return m, nil
			}
		} else if m := pick(func(in *instance) bool {
			return inGroup(in) && (in.job.Name == rest || in.name == rest)
		}); len(m) > 0 {
			return m, nil
		}
	}
	return nil, &NameError{Name: n, Suggest: suggest.Nearest(n, l.knownNames())}
}

// knownNames lists every name a namespec may use, for suggestions.
func (l *loop) knownNames() []string {
	seen := map[string]bool{}
	var names []string
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			names = append(names, s)
		}
	}
	for _, in := range l.insts {
		add(in.name)
		add(in.job.Name)
		add(in.job.Group)
	}
	return names
}
