package jobs

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sup-run/sup/lang/internal/kwargs"
	"github.com/sup-run/sup/lang/internal/shellsplit"
	"github.com/sup-run/sup/lang/internal/unpack"
	"github.com/sup-run/sup/runtime/spec"
	"go.starlark.net/starlark"
)

// lifecycleParams are job()'s process-identity and restart-budget
// arguments, read by fillLifecycle.
var lifecycleParams = []string{
	"final_codes", "start_limit", "start_limit_interval", "retry_after",
	"user", "group", "umask", "nice", "env_file", "inherit_env",
	"script", "interpreter", "pidfile",
}

// DefaultInterpreter runs job(script = ...) without interpreter=.
var defaultInterpreter = []string{"/bin/sh", "-e"}

// command reads cmd, or script with interpreter: exactly one of cmd and
// script must be given.
func command(a *kwargs.Args, j *spec.Job) error {
	sv, hasScript := a.Value("script")
	_, hasCmd := a.Value("cmd")
	if !hasScript {
		if _, ok := a.Value("interpreter"); ok {
			return a.Errorf("interpreter", "is only used with script")
		}
		var err error
		j.Cmd, err = cmdArg(a)
		return err
	}
	if hasCmd {
		return a.Errorf("script", "give cmd or script, not both")
	}
	s, err := unpack.String(sv)
	if err != nil {
		return a.Errorf("script", "%w", err)
	}
	if strings.TrimSpace(s) == "" {
		return a.Errorf("script", "must not be empty")
	}
	if strings.ContainsRune(s, 0) {
		return a.Errorf("script", "must not contain a NUL byte")
	}
	j.Script = s
	j.Interpreter = defaultInterpreter
	if iv, ok := a.Value("interpreter"); ok {
		is, err := unpack.String(iv)
		if err != nil {
			return a.Errorf("interpreter", "%w", err)
		}
		words, err := shellsplit.Split(is)
		if err != nil {
			return a.Errorf("interpreter", "%w", err)
		}
		if len(words) == 0 || words[0] == "" {
			return a.Errorf("interpreter", "must name a program, such as \"python3\"")
		}
		j.Interpreter = words
	}
	j.Cmd = append(append([]string(nil), j.Interpreter...), "-c", s)
	return nil
}

// fillLifecycle reads the arguments of lifecycleParams into j.
func (d *Decls) fillLifecycle(a *kwargs.Args, j *spec.Job) error {
	inherit := true
	var umask string
	steps := []error{
		kwargs.Opt(a, "final_codes", &j.FinalCodes, exitCodes),
		kwargs.Opt(a, "start_limit", &j.StartLimit.Burst, atLeast(0)),
		kwargs.Opt(a, "start_limit_interval", &j.StartLimit.Interval, unpack.Duration),
		kwargs.Opt(a, "retry_after", &j.StartLimit.RetryAfter, unpack.Duration),
		kwargs.Opt(a, "user", &j.User, identity),
		kwargs.Opt(a, "group", &j.UserGroup, identity),
		kwargs.Opt(a, "umask", &umask, unpack.String),
		kwargs.Opt(a, "nice", &j.Nice, niceness),
		kwargs.Opt(a, "inherit_env", &inherit, unpack.Bool),
	}
	for _, err := range steps {
		if err != nil {
			return err
		}
	}
	j.ClearEnv = !inherit
	if _, ok := a.Value("start_limit_interval"); !ok && j.StartLimit.Burst > 0 {
		j.StartLimit.Interval = 10 * time.Second
	}
	if j.StartLimit.Burst > 0 && j.StartLimit.Interval <= 0 {
		return a.Errorf("start_limit_interval", "must be more than 0 when start_limit is set")
	}
	if _, ok := a.Value("umask"); ok {
		m, err := strconv.ParseUint(umask, 8, 32)
		if err != nil || m > 0o777 || umask == "" {
			return a.Errorf("umask", "%q is not an octal mode such as \"022\" (write it as a string)", umask)
		}
		u := uint32(m)
		j.Umask = &u
	}
	files, err := envFiles(a)
	if err != nil {
		return err
	}
	for _, f := range files {
		j.EnvFiles = append(j.EnvFiles, d.path(f))
	}
	pidfile, ok, err := pathArg(a, "pidfile")
	if err != nil {
		return err
	}
	if ok {
		if j.Kind == spec.KindTask {
			return a.Errorf("pidfile", "a task runs to completion and leaves no daemon to supervise; leave pidfile out")
		}
		j.Pidfile = d.path(pidfile)
	}
	return nil
}

// envFiles reads env_file: a path or a list of paths.
func envFiles(a *kwargs.Args) ([]string, error) {
	v, ok := a.Value("env_file")
	if !ok {
		return nil, nil
	}
	if s, ok := v.(starlark.String); ok {
		if s == "" {
			return nil, a.Errorf("env_file", "must not be empty")
		}
		return []string{string(s)}, nil
	}
	elems, err := list(v)
	if err != nil {
		return nil, a.Errorf("env_file", "got %s, want a path or a list of paths", v.Type())
	}
	var out []string
	for i, e := range elems {
		s, ok := e.(starlark.String)
		if !ok || s == "" {
			return nil, a.Errorf("env_file", "element %d: want a non-empty path, got %s", i, e.String())
		}
		out = append(out, string(s))
	}
	return out, nil
}

// identity reads a user or group: a name or a numeric id.
func identity(v starlark.Value) (string, error) {
	if n, err := unpack.Int(v); err == nil {
		if n < 0 {
			return "", fmt.Errorf("%d is not a valid id", n)
		}
		return strconv.Itoa(n), nil
	}
	s, err := unpack.String(v)
	if err != nil {
		return "", err
	}
	if s == "" || strings.ContainsAny(s, ":/\x00 ") {
		return "", fmt.Errorf("%q is not a user or group name", s)
	}
	return s, nil
}

func niceness(v starlark.Value) (int, error) {
	n, err := unpack.Int(v)
	if err == nil && (n < -20 || n > 19) {
		err = fmt.Errorf("must be between -20 and 19, got %d", n)
	}
	return n, err
}
