package jobs

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/sup-run/sup/lang/internal/kwargs"
	"github.com/sup-run/sup/lang/internal/shellsplit"
	"github.com/sup-run/sup/lang/internal/unpack"
	"github.com/sup-run/sup/runtime/spec"
	"go.starlark.net/starlark"
)

// Ready is the value of the readiness builtins tcp(), http(), log(),
// exec() and notify(), for job(ready = ...).
type Ready struct {
	c spec.ReadyCheck
}

func (r *Ready) String() string        { return "ready(" + r.c.String() + ")" }
func (r *Ready) Type() string          { return "ready" }
func (r *Ready) Freeze()               {}
func (r *Ready) Truth() starlark.Bool  { return starlark.True }
func (r *Ready) Hash() (uint32, error) { return starlark.String(r.String()).Hash() }

// Readiness defaults: probe every second, one probe may take 5s, and keep
// trying for as long as the process runs.
const (
	defaultReadyInterval = time.Second
	defaultReadyTimeout  = 5 * time.Second
)

// readyBuiltins are the readiness check constructors.
func (d *Decls) readyBuiltins() starlark.StringDict {
	mk := func(kind spec.ReadyKind, positional []string) *starlark.Builtin {
		return starlark.NewBuiltin(string(kind), func(thread *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
			params := append(append([]string(nil), positional...), "interval", "timeout", "retries")
			a, err := kwargs.Bind(string(kind), d.env.Sites.Caller(thread), args, kw, len(positional), params...)
			if err != nil {
				return nil, err
			}
			if err := a.CheckUnknown(); err != nil {
				return nil, err
			}
			c := spec.ReadyCheck{Kind: kind, Interval: defaultReadyInterval}
			if kind == spec.ReadyTCP || kind == spec.ReadyHTTP || kind == spec.ReadyExec {
				c.Timeout = defaultReadyTimeout
			}
			if err := readyTarget(a, &c); err != nil {
				return nil, err
			}
			for _, err := range []error{
				kwargs.Opt(a, "interval", &c.Interval, unpack.Duration),
				kwargs.Opt(a, "timeout", &c.Timeout, unpack.Duration),
				kwargs.Opt(a, "retries", &c.Retries, atLeast(0)),
			} {
				if err != nil {
					return nil, err
				}
			}
			if c.Interval <= 0 {
				return nil, a.Errorf("interval", "must be more than 0")
			}
			return &Ready{c: c}, nil
		})
	}
	return starlark.StringDict{
		"tcp":    mk(spec.ReadyTCP, []string{"port"}),
		"http":   mk(spec.ReadyHTTP, []string{"url", "status"}),
		"log":    mk(spec.ReadyLog, []string{"pattern"}),
		"exec":   mk(spec.ReadyExec, []string{"cmd"}),
		"notify": mk(spec.ReadyNotify, nil),
	}
}

// readyTarget reads the kind's own arguments.
func readyTarget(a *kwargs.Args, c *spec.ReadyCheck) error {
	switch c.Kind {
	case spec.ReadyTCP:
		v, err := a.Required("port")
		if err != nil {
			return err
		}
		addr, err := tcpAddr(v)
		if err != nil {
			return a.Errorf("port", "%w", err)
		}
		c.Addr = addr
	case spec.ReadyHTTP:
		v, err := a.Required("url")
		if err != nil {
			return err
		}
		s, err := unpack.String(v)
		if err != nil {
			return a.Errorf("url", "%w", err)
		}
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return a.Errorf("url", "%q is not an http:// or https:// URL", s)
		}
		c.URL, c.Status = s, 200
		if err := kwargs.Opt(a, "status", &c.Status, atLeast(100)); err != nil {
			return err
		}
		if c.Status > 599 {
			return a.Errorf("status", "%d is not an HTTP status", c.Status)
		}
	case spec.ReadyLog:
		v, err := a.Required("pattern")
		if err != nil {
			return err
		}
		s, err := unpack.String(v)
		if err != nil {
			return a.Errorf("pattern", "%w", err)
		}
		if s == "" {
			return a.Errorf("pattern", "must not be empty")
		}
		if _, err := regexp.Compile(s); err != nil {
			return a.Errorf("pattern", "%w", err)
		}
		c.Pattern = s
	case spec.ReadyExec:
		argv, err := argvArg(a, "cmd")
		if err != nil {
			return err
		}
		c.Cmd = argv
	}
	return nil
}

// tcpAddr reads a port (8080) or "host:port".
func tcpAddr(v starlark.Value) (string, error) {
	if _, ok := v.(starlark.Int); ok {
		n, err := unpack.Int(v)
		if err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("%s is not a port (1 to 65535)", v)
		}
		return ":" + strconv.Itoa(n), nil
	}
	s, err := unpack.String(v)
	if err != nil {
		return "", fmt.Errorf("got %s, want a port number or \"host:port\"", v.Type())
	}
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", fmt.Errorf("%q is not a port or \"host:port\"", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("%q: %q is not a port (1 to 65535)", s, port)
	}
	return s, nil
}

// argvArg reads a command: a string split shell-like, or a list of strings.
func argvArg(a *kwargs.Args, field string) ([]string, error) {
	v, ok := a.Value(field)
	if !ok {
		return nil, a.Fail("%s is required", field)
	}
	var argv []string
	switch x := v.(type) {
	case starlark.String:
		var err error
		if argv, err = shellsplit.Split(string(x)); err != nil {
			return nil, a.Errorf(field, "%w", err)
		}
	case *starlark.List, starlark.Tuple:
		elems, _ := list(x)
		for i, e := range elems {
			s, ok := e.(starlark.String)
			if !ok {
				return nil, a.Errorf(field, "element %d: got %s, want string", i, e.Type())
			}
			argv = append(argv, string(s))
		}
	default:
		return nil, a.Errorf(field, "got %s, want a command line string or a list of strings", v.Type())
	}
	if len(argv) == 0 || argv[0] == "" {
		return nil, a.Errorf(field, "must not be empty")
	}
	for _, s := range argv {
		if err := unpack.Template(s); err != nil {
			return nil, a.Errorf(field, "%w", err)
		}
	}
	return argv, nil
}
