package jobs

import (
	"fmt"
	"strings"
	"time"

	"github.com/sup-run/sup/lang/internal/callsite"
	"github.com/sup-run/sup/lang/internal/diag"
	"github.com/sup-run/sup/lang/internal/kwargs"
	"github.com/sup-run/sup/lang/internal/shellsplit"
	"github.com/sup-run/sup/lang/internal/unpack"
	"github.com/sup-run/sup/runtime/spec"
	"go.starlark.net/starlark"
)

var jobParams = append([]string{
	"name", "cmd", "dir", "env", "autostart", "numprocs", "restart",
	"exit_codes", "start_secs", "start_retries", "stop_signal", "stop_timeout",
	"kill_group", "stdout", "stderr", "kind", "backoff", "stdin",
	// readiness, dependencies and hooks: see requires.go
	"ready", "requires", "requires_files", "on_dependency_restart",
	"pre_start", "post_start", "pre_stop", "post_stop", "hook_timeout",
	// events and schedules: see events.go
	"start_on", "stop_on", "instance",
}, lifecycleParams...)

// DefaultBackoff is the restart pacing of a job without backoff=.
func DefaultBackoff() spec.Backoff {
	return spec.Backoff{Initial: time.Second, Factor: 2, Max: time.Minute, ResetAfter: 10 * time.Minute}
}

// newJob is a job with every default filled in.
func newJob(name string, pos spec.Pos) *spec.Job {
	return &spec.Job{
		Name:         name,
		Pos:          pos,
		Kind:         spec.KindService,
		Autostart:    true,
		Numprocs:     1,
		Restart:      spec.RestartOnFailure,
		ExitCodes:    []int{0},
		StartSecs:    time.Second,
		StartRetries: 3,
		Backoff:      DefaultBackoff(),
		StopSignal:   15, // TERM
		StopTimeout:  10 * time.Second,
		KillGroup:    true,
	}
}

// jobBuiltin implements job(name, cmd=, ...).
func (d *Decls) jobBuiltin(thread *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	a, err := kwargs.Bind("job", d.env.Sites.Caller(thread), args, kw, 1, jobParams...)
	if err != nil {
		return nil, err
	}
	name, err := name(a)
	if err != nil {
		return nil, err
	}
	a.Prefix = fmt.Sprintf("job %q", name)
	if err := a.CheckUnknown(); err != nil {
		return nil, err
	}
	if prev, ok := d.byName[name]; ok {
		here, there := callsite.Distinguish(a.Site.Trace(), prev.trace)
		return nil, diag.Errorf(here, "job %q is already declared at %s", name, there)
	}
	j := newJob(name, a.Site.Pos())
	if err := d.fill(a, j); err != nil {
		return nil, err
	}
	decl := &jobDecl{job: j, trace: a.Site.Trace(), seq: d.next()}
	if err := d.fillReadiness(a, j, decl); err != nil {
		return nil, err
	}
	d.jobs = append(d.jobs, decl)
	d.byName[name] = decl
	return &Job{job: j}, nil
}

// fill reads every argument but name into j.
func (d *Decls) fill(a *kwargs.Args, j *spec.Job) error {
	var err error
	if fn, ok := a.Value("cmd"); ok && isFunc(fn) {
		d.setFunc(j, "cmd", fn.(starlark.Callable), true)
	} else if err = command(a, j); err != nil {
		return err
	}
	if fn, ok := a.Value("dir"); ok && isFunc(fn) {
		d.setFunc(j, "dir", fn.(starlark.Callable), false)
	} else if dir, ok, err := pathArg(a, "dir"); err != nil {
		return err
	} else if ok {
		j.Dir = d.path(dir)
	}
	if j.Env, err = envArg(a); err != nil {
		return err
	}
	d.envFuncs(a, j)
	var kind, restart string
	steps := []error{
		kwargs.Opt(a, "kind", &kind, choice(spec.KindService, spec.KindTask)),
		kwargs.Opt(a, "autostart", &j.Autostart, unpack.Bool),
		kwargs.Opt(a, "numprocs", &j.Numprocs, atLeast(1)),
		kwargs.Opt(a, "restart", &restart, choice(spec.RestartAlways, spec.RestartOnFailure, spec.RestartNever)),
		kwargs.Opt(a, "exit_codes", &j.ExitCodes, exitCodes),
		kwargs.Opt(a, "start_secs", &j.StartSecs, unpack.Duration),
		kwargs.Opt(a, "start_retries", &j.StartRetries, atLeast(-1)),
		kwargs.Opt(a, "stop_signal", &j.StopSignal, unpack.Signal),
		kwargs.Opt(a, "stop_timeout", &j.StopTimeout, unpack.Duration),
		kwargs.Opt(a, "kill_group", &j.KillGroup, unpack.Bool),
		kwargs.Opt(a, "backoff", &j.Backoff, backoffArg),
	}
	for _, err := range steps {
		if err != nil {
			return err
		}
	}
	if kind != "" {
		j.Kind = spec.Kind(kind)
	}
	if restart != "" {
		j.Restart = spec.RestartPolicy(restart)
	}
	if j.Stdout, err = d.logArg(a, "stdout", j.Numprocs); err != nil {
		return err
	}
	if j.Stderr, err = d.logArg(a, "stderr", j.Numprocs); err != nil {
		return err
	}
	if err := kwargs.Opt(a, "stdin", &j.Stdin, unpack.Bool); err != nil {
		return err
	}
	if err := d.fillLifecycle(a, j); err != nil {
		return err
	}
	return d.eventArgs(a, j)
}

// cmdArg reads cmd: a command line split shell-like, or a list of strings.
func cmdArg(a *kwargs.Args) ([]string, error) {
	v, err := a.Required("cmd")
	if err != nil {
		return nil, err
	}
	var argv []string
	switch x := v.(type) {
	case starlark.String:
		if argv, err = shellsplit.Split(string(x)); err != nil {
			return nil, a.Errorf("cmd", "%w", err)
		}
	case *starlark.List, starlark.Tuple:
		elems, _ := list(x)
		for i, e := range elems {
			s, ok := e.(starlark.String)
			if !ok {
				return nil, a.Errorf("cmd", "element %d: got %s, want string", i, e.Type())
			}
			argv = append(argv, string(s))
		}
	default:
		return nil, a.Errorf("cmd", "got %s, want a command line string or a list of strings", v.Type())
	}
	if len(argv) == 0 {
		return nil, a.Errorf("cmd", "must not be empty")
	}
	if argv[0] == "" {
		return nil, a.Errorf("cmd", "the program (first word) must not be empty")
	}
	for _, s := range argv {
		if err := unpack.Template(s); err != nil {
			return nil, a.Errorf("cmd", "%w", err)
		}
	}
	return argv, nil
}

// envArg reads env: a dict of strings, kept in insertion order.
func envArg(a *kwargs.Args) ([]spec.EnvVar, error) {
	v, ok := a.Value("env")
	if !ok {
		return nil, nil
	}
	if _, ok := v.(*starlark.Dict); !ok {
		if elems, err := list(v); err == nil {
			return envList(a, elems)
		}
	}
	dict, ok := v.(*starlark.Dict)
	if !ok {
		return nil, a.Errorf("env", "got %s, want a dict of strings or a list of \"NAME=VALUE\" and \"NAME\" strings", v.Type())
	}
	var env []spec.EnvVar
	for _, kv := range dict.Items() {
		k, ok := kv[0].(starlark.String)
		if !ok {
			return nil, a.Errorf("env", "key %s: got %s, want string", kv[0], kv[0].Type())
		}
		if k == "" || strings.ContainsAny(string(k), "=\x00") {
			return nil, a.Errorf("env", "%q is not a valid variable name", string(k))
		}
		if isFunc(kv[1]) {
			env = append(env, spec.EnvVar{Name: string(k), Value: "<" + kv[1].(starlark.Callable).Name() + "()>"})
			continue
		}
		val, ok := kv[1].(starlark.String)
		if !ok {
			return nil, a.Errorf("env", "%s: got %s, want string (write %q)", string(k), kv[1].Type(), kv[1].String())
		}
		if strings.ContainsRune(string(val), 0) {
			return nil, a.Errorf("env", "%s: must not contain a NUL byte", string(k))
		}
		if err := unpack.Template(string(val)); err != nil {
			return nil, a.Errorf("env", "%s: %w", string(k), err)
		}
		env = append(env, spec.EnvVar{Name: string(k), Value: string(val)})
	}
	return env, nil
}

// logArg reads stdout or stderr: a file path, log_to(...), or (stderr
// only) "stdout".
func (d *Decls) logArg(a *kwargs.Args, field string, numprocs int) (spec.LogSpec, error) {
	ls := defaultLog()
	p := ""
	if v, ok := a.Value(field); ok {
		if lt, ok := v.(*LogTo); ok {
			ls, p = lt.ls, lt.path
		} else {
			s, ok, err := pathArg(a, field)
			if err != nil || !ok {
				return ls, err
			}
			if field == "stderr" && s == "stdout" {
				return spec.LogSpec{ToStdout: true}, nil
			}
			p = s
			ls.Path = d.path(s)
		}
	}
	if p != "" && numprocs > 1 && p != "/dev/null" && !perProcess(p) {
		return spec.LogSpec{}, a.Errorf(field, "%q would be shared by the %d processes of the job; put ${process_num} in the path", p, numprocs)
	}
	return ls, nil
}

// perProcess reports whether a path names a different file per instance.
func perProcess(p string) bool {
	for _, n := range spec.TemplateNames(p) {
		if n == "process_num" || n == "instance" {
			return true
		}
	}
	return false
}

func choice[T ~string](choices ...T) func(starlark.Value) (string, error) {
	strs := make([]string, len(choices))
	for i, c := range choices {
		strs[i] = string(c)
	}
	return func(v starlark.Value) (string, error) { return unpack.Choice(v, strs...) }
}

func atLeast(lo int) func(starlark.Value) (int, error) {
	return func(v starlark.Value) (int, error) {
		n, err := unpack.Int(v)
		if err == nil && n < lo {
			err = fmt.Errorf("must be at least %d, got %d", lo, n)
		}
		return n, err
	}
}

func exitCodes(v starlark.Value) ([]int, error) {
	elems, err := list(v)
	if err != nil {
		return nil, fmt.Errorf("got %s, want a list of exit codes such as [0, 2]", v.Type())
	}
	codes := make([]int, 0, len(elems))
	for _, e := range elems {
		n, err := unpack.Int(e)
		if err != nil || n < 0 || n > 255 {
			return nil, fmt.Errorf("%s is not an exit code (0 to 255)", e)
		}
		codes = append(codes, n)
	}
	return codes, nil
}

// envList reads env as a list: "NAME=VALUE" sets, a bare "NAME" copies the
// variable from sup's environment (upstart's rule).
func envList(a *kwargs.Args, elems []starlark.Value) ([]spec.EnvVar, error) {
	var env []spec.EnvVar
	for i, e := range elems {
		s, ok := e.(starlark.String)
		if !ok {
			return nil, a.Errorf("env", "element %d: got %s, want \"NAME=VALUE\" or \"NAME\"", i, e.Type())
		}
		k, val, set := strings.Cut(string(s), "=")
		if k == "" || strings.ContainsRune(k, 0) {
			return nil, a.Errorf("env", "%q is not a valid variable name", k)
		}
		if strings.ContainsRune(val, 0) {
			return nil, a.Errorf("env", "%s: must not contain a NUL byte", k)
		}
		if err := unpack.Template(val); err != nil {
			return nil, a.Errorf("env", "%s: %w", k, err)
		}
		env = append(env, spec.EnvVar{Name: k, Value: val, Inherit: !set})
	}
	return env, nil
}
