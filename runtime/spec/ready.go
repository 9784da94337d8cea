package spec

import (
	"fmt"
	"time"
)

// ReadyKind names a readiness check.
type ReadyKind string

// The readiness checks of job(ready = ...).
const (
	ReadyTCP    ReadyKind = "tcp"
	ReadyHTTP   ReadyKind = "http"
	ReadyLog    ReadyKind = "log"
	ReadyExec   ReadyKind = "exec"
	ReadyNotify ReadyKind = "notify"
)

// ReadyCheck says how sup learns that a process is ready to serve.
type ReadyCheck struct {
	Kind ReadyKind `json:"kind"`
	// Addr is tcp's "host:port" (host defaults to 127.0.0.1).
	Addr string `json:"addr,omitempty"`
	// URL and Status are http's: a GET answered with Status is ready.
	URL    string `json:"url,omitempty"`
	Status int    `json:"status,omitempty"`
	// Pattern is log's regular expression, matched against each line the
	// process writes to stdout or stderr.
	Pattern string `json:"pattern,omitempty"`
	// Cmd is exec's argv; exit status 0 is ready. May hold templates.
	Cmd []string `json:"cmd,omitempty"`
	// Interval separates probes (tcp, http, exec); Timeout bounds one probe.
	Interval time.Duration `json:"interval,omitempty"`
	Timeout  time.Duration `json:"timeout,omitempty"`
	// Retries is how many failed probes (or, for log and notify, intervals
	// without the signal) are allowed before the start counts as failed;
	// 0 means keep trying as long as the process runs.
	Retries int `json:"retries,omitempty"`
}

// String is the check as status shows it: "tcp 127.0.0.1:8080".
func (c ReadyCheck) String() string {
	switch c.Kind {
	case ReadyTCP:
		return "tcp " + c.Addr
	case ReadyHTTP:
		return "http " + c.URL
	case ReadyLog:
		return fmt.Sprintf("log %q", c.Pattern)
	case ReadyExec:
		return "exec " + joinArgv(c.Cmd)
	}
	return string(c.Kind)
}

func joinArgv(argv []string) string {
	s := ""
	for i, a := range argv {
		if i > 0 {
			s += " "
		}
		s += a
	}
	return s
}

// DependencyPolicy says what happens to a job when a job it requires stops
// being ready (it is restarted, stopped, or crashes).
type DependencyPolicy string

// The policies of job(on_dependency_restart = ...).
const (
	// DepRestart stops the dependent first and starts it again once what it
	// requires is ready again (the default).
	DepRestart DependencyPolicy = "restart"
	// DepIgnore leaves the dependent running.
	DepIgnore DependencyPolicy = "ignore"
)

// Hooks are the lifecycle commands run around a job's process (upstart's
// pre-start, post-start, pre-stop and post-stop). Each is an argv, or nil.
type Hooks struct {
	PreStart  []string `json:"pre_start,omitempty"`
	PostStart []string `json:"post_start,omitempty"`
	PreStop   []string `json:"pre_stop,omitempty"`
	PostStop  []string `json:"post_stop,omitempty"`
	// Timeout bounds each hook; the hook's process group is killed when it
	// passes. 0 means DefaultHookTimeout.
	Timeout time.Duration `json:"timeout,omitempty"`
}

// DefaultHookTimeout bounds a hook of a job without hook_timeout.
const DefaultHookTimeout = 30 * time.Second
