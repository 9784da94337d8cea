package jobs

import (
	"fmt"
	"time"

	startime "go.starlark.net/lib/time"
	"go.starlark.net/starlark"

	"github.com/sup-run/sup/runtime/spec"
)

// Job is the value job() returns: it names the job in group(jobs = [...])
// and reads back as web.name, web.numprocs, web.cmd, web.kind.
type Job struct {
	job *spec.Job
}

var (
	_ starlark.HasAttrs = (*Job)(nil)
	_ starlark.HasAttrs = (*Backoff)(nil)
)

// Name is the job's name.
func (j *Job) Name() string { return j.job.Name }

func (j *Job) String() string        { return fmt.Sprintf("job(%q)", j.job.Name) }
func (j *Job) Type() string          { return "job" }
func (j *Job) Freeze()               {}
func (j *Job) Truth() starlark.Bool  { return starlark.True }
func (j *Job) Hash() (uint32, error) { return starlark.String(j.job.Name).Hash() }

// Attr implements starlark.HasAttrs.
func (j *Job) Attr(name string) (starlark.Value, error) {
	switch name {
	case "name":
		return starlark.String(j.job.Name), nil
	case "numprocs":
		return starlark.MakeInt(j.job.Numprocs), nil
	case "kind":
		return starlark.String(j.job.Kind), nil
	case "cmd":
		elems := make([]starlark.Value, len(j.job.Cmd))
		for i, s := range j.job.Cmd {
			elems[i] = starlark.String(s)
		}
		l := starlark.NewList(elems)
		l.Freeze()
		return l, nil
	}
	return nil, nil
}

// AttrNames implements starlark.HasAttrs.
func (j *Job) AttrNames() []string { return []string{"cmd", "kind", "name", "numprocs"} }

// Backoff is the value backoff() returns, for job(backoff = ...).
type Backoff struct {
	b spec.Backoff
}

func (b *Backoff) String() string {
	return fmt.Sprintf("backoff(initial = %q, factor = %g, max = %q, reset_after = %q)",
		b.b.Initial, b.b.Factor, b.b.Max, b.b.ResetAfter)
}
func (b *Backoff) Type() string          { return "backoff" }
func (b *Backoff) Freeze()               {}
func (b *Backoff) Truth() starlark.Bool  { return starlark.True }
func (b *Backoff) Hash() (uint32, error) { return starlark.String(b.String()).Hash() }

// Attr implements starlark.HasAttrs.
func (b *Backoff) Attr(name string) (starlark.Value, error) {
	dur := func(d time.Duration) starlark.Value { return startime.Duration(d) }
	switch name {
	case "initial":
		return dur(b.b.Initial), nil
	case "factor":
		return starlark.Float(b.b.Factor), nil
	case "max":
		return dur(b.b.Max), nil
	case "reset_after":
		return dur(b.b.ResetAfter), nil
	}
	return nil, nil
}

// AttrNames implements starlark.HasAttrs.
func (b *Backoff) AttrNames() []string { return []string{"factor", "initial", "max", "reset_after"} }

// backoffArg reads job(backoff = ...).
func backoffArg(v starlark.Value) (spec.Backoff, error) {
	b, ok := v.(*Backoff)
	if !ok {
		return spec.Backoff{}, fmt.Errorf("got %s, want backoff(...)", v.Type())
	}
	return b.b, nil
}
