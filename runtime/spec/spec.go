// Package spec is the plain model a sup configuration evaluates to.
//
// It is the contract between the language layer (lang/, which produces a
// *Spec from Starlark) and the runtime (runtime/..., which supervises what a
// Spec declares). It imports only the standard library, so the runtime never
// depends on Starlark.
package spec

import (
	"fmt"
	"syscall"
	"time"
)

// Pos is a position in a configuration file, used to cite where a job was
// declared in every runtime report about it.
type Pos struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
}

// String renders the position as file:line:col, the prefix of every
// positioned error.
func (p Pos) String() string {
	if p.File == "" {
		return "<unknown>"
	}
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Spec is a whole evaluated configuration.
type Spec struct {
	// Config is the absolute path of the top-level configuration file.
	Config   string   `json:"config"`
	Settings Settings `json:"settings"`
	// Jobs in declaration order. Names are unique.
	Jobs []*Job `json:"jobs"`
	// Groups in declaration order. Every job belongs to exactly one group;
	// a job not placed in any group is its own group (Group == Name).
	Groups []*Group `json:"groups"`
}

// Settings are the daemon-wide options of settings().
type Settings struct {
	Name string `json:"name"`
	// StateDir is the absolute directory holding the socket, logs and
	// persisted state; by default ".sup" beside the config.
	StateDir string `json:"state_dir"`
	// Socket is the absolute path of the control socket.
	Socket string `json:"socket"`
	// LogDir is the absolute directory for default log files.
	LogDir string `json:"log_dir"`
	Pos    Pos    `json:"pos"`
	// TZ is the default zone of schedules ("" = the local zone).
	TZ string `json:"tz,omitempty"`
	// Tracking is how a job's descendants are found: "auto" (or ""),
	// "cgroup" or "process-group" (see docs/lifecycle.md).
	Tracking string `json:"tracking,omitempty"`
	// OnSurvivors is what a new sup does with the processes a killed one
	// left: "kill" (or "") or "adopt".
	OnSurvivors string `json:"on_survivors,omitempty"`
}

// RestartPolicy says when a service is started again after it exits.
type RestartPolicy string

// The restart policies of job(restart = ...).
const (
	RestartAlways    RestartPolicy = "always"
	RestartOnFailure RestartPolicy = "on-failure"
	RestartNever     RestartPolicy = "never"
)

// Kind distinguishes long-running services from run-to-completion tasks.
type Kind string

// The kinds of job(kind = ...).
const (
	KindService Kind = "service"
	KindTask    Kind = "task"
)

// Job is one job() declaration. Its processes are its instances:
// one named Name when Numprocs is 1, else Name:0 .. Name:N-1.
type Job struct {
	Name  string `json:"name"`
	Group string `json:"group"`
	Pos   Pos    `json:"pos"`
	Kind  Kind   `json:"kind"`

	// Cmd is the argv; elements may hold ${NAME} templates, expanded at
	// spawn time (see Expand).
	Cmd []string `json:"cmd"`
	// Dir is the working directory (absolute, or "" for the config's dir).
	Dir string `json:"dir,omitempty"`
	// Env adds to (or overrides) the inherited environment. Values may hold
	// templates.
	Env []EnvVar `json:"env,omitempty"`

	Autostart bool `json:"autostart"`
	Numprocs  int  `json:"numprocs"`

	Restart      RestartPolicy `json:"restart"`
	ExitCodes    []int         `json:"exit_codes"`
	StartSecs    time.Duration `json:"start_secs"`
	StartRetries int           `json:"start_retries"`
	// Backoff paces restarts: the n-th consecutive failed start waits
	// min(Initial * Factor^(n-1), Max).
	Backoff Backoff `json:"backoff"`

	StopSignal  syscall.Signal `json:"stop_signal"`
	StopTimeout time.Duration  `json:"stop_timeout"`
	// KillGroup sends stop and kill signals to the whole process group.
	KillGroup bool `json:"kill_group"`

	Stdout LogSpec `json:"stdout"`
	Stderr LogSpec `json:"stderr"`

	// FinalCodes: an exit with one of these codes is never restarted; it
	// ends as EXITED when the code is also in ExitCodes, else FATAL.
	FinalCodes []int `json:"final_codes,omitempty"`
	// StartLimit is the start budget (systemd's StartLimitBurst).
	StartLimit StartLimit `json:"start_limit,omitzero"`
	// User and UserGroup the process runs as ("" = sup's own);
	// job(user =, group =).
	User      string `json:"user,omitempty"`
	UserGroup string `json:"user_group,omitempty"`
	// Umask, when set, is the file mode creation mask of the process.
	Umask *uint32 `json:"umask,omitempty"`
	// Nice is the scheduling niceness (-20..19); 0 leaves sup's own.
	Nice int `json:"nice,omitempty"`
	// EnvFiles are KEY=VALUE files read at each start, in order, before Env.
	EnvFiles []string `json:"env_files,omitempty"`
	// ClearEnv: start from an empty environment instead of sup's own
	// (job(inherit_env = False)).
	ClearEnv bool `json:"clear_env,omitempty"`
	// Script, when set, is passed to Interpreter as `-c SCRIPT` and Cmd is
	// Interpreter.
	Script      string   `json:"script,omitempty"`
	Interpreter []string `json:"interpreter,omitempty"`
	// Pidfile: the command is a daemon that forks; the process supervised
	// is the one whose pid it writes to this file.
	Pidfile string `json:"pidfile,omitempty"`
	// Ready is how readiness is learned; nil: ready once RUNNING.
	Ready *ReadyCheck `json:"ready,omitempty"`
	// Requires names the jobs that must be ready before this one starts.
	Requires []string `json:"requires,omitempty"`
	// OnDependencyRestart: what happens when a required job stops being
	// ready; "" is DepRestart.
	OnDependencyRestart DependencyPolicy `json:"on_dependency_restart,omitempty"`
	// RequiresFiles must all exist before the job starts.
	RequiresFiles []string `json:"requires_files,omitempty"`
	Hooks         Hooks    `json:"hooks,omitzero"`
	// StartOn starts the job when it occurs (nil: only autostart and the
	// admin start it).
	StartOn *Matcher `json:"start_on,omitempty"`
	// StopOn stops a running instance when it occurs; its patterns may
	// refer to the instance's starting event (${IFACE}).
	StopOn *Matcher `json:"stop_on,omitempty"`
	// Instance names one instance per distinct expansion ("${IFACE}"
	// gives dhcp:eth0); "" means the numprocs instances.
	Instance string `json:"instance,omitempty"`
	// Funcs are the function-valued fields ("cmd", "dir", "instance",
	// "env:NAME"), called at spawn time instead of their templates.
	Funcs map[string]Template `json:"-"`
	// Stdin gives the process a pipe sup holds (for sup send and sup fg);
	// otherwise its stdin is /dev/null.
	Stdin bool `json:"stdin,omitempty"`
}

// StartLimit is a start budget: more than Burst starts within Interval make
// the job FATAL; after RetryAfter (if > 0) sup tries again by itself.
type StartLimit struct {
	Burst      int           `json:"burst"`
	Interval   time.Duration `json:"interval"`
	RetryAfter time.Duration `json:"retry_after"`
}

// EnvVar is one environment entry, kept in declaration order.
type EnvVar struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	// Inherit: copy the variable from sup's environment (an entry written
	// without "=", as upstart's `env NAME`); Value is unused.
	Inherit bool `json:"inherit,omitempty"`
}

// Backoff is the restart delay schedule.
type Backoff struct {
	Initial time.Duration `json:"initial"`
	Factor  float64       `json:"factor"`
	Max     time.Duration `json:"max"`
	// ResetAfter: a process that stays up this long counts as healthy and
	// the failure count starts again from zero.
	ResetAfter time.Duration `json:"reset_after"`
}

// LogSpec says where one output stream of a process goes.
type LogSpec struct {
	// Path is the log file; may contain ${process_num} and other instance
	// templates. Empty means the default, <LogDir>/<instance>.out|.err.
	Path string `json:"path,omitempty"`
	// ToStdout (stderr only) merges the stream into the stdout log.
	ToStdout bool `json:"to_stdout,omitempty"`
	// MaxSize rotates the file before it exceeds this many bytes; Backups
	// rotated files are kept. MaxSize 0 is the default (50 MiB, and 10
	// backups when Backups is 0 too); a negative MaxSize is no size limit.
	MaxSize int64 `json:"max_size,omitempty"`
	Backups int   `json:"backups,omitempty"`
	// Rotate is "", "hourly" or "daily": rotate at the first write after
	// each boundary.
	Rotate string `json:"rotate,omitempty"`
	// Compress gzips rotated files.
	Compress bool `json:"compress,omitempty"`
	// Timestamps also writes <path>.ts, each line prefixed with the time
	// sup read it; the log file itself stays byte-exact.
	Timestamps bool `json:"timestamps,omitempty"`
	// OnFull is "drop" (default: count lost bytes) or "block" (hold the
	// child back and retry) when the disk is full or failing.
	OnFull string `json:"on_full,omitempty"`
}

// Group is one group() declaration, or the implicit group of a lone job.
type Group struct {
	Name string   `json:"name"`
	Pos  Pos      `json:"pos"`
	Jobs []string `json:"jobs"`
	// Implicit is true for the group a lone job forms by itself.
	Implicit bool `json:"implicit,omitempty"`
}

// Job returns the job with the given name, or nil.
func (s *Spec) Job(name string) *Job {
	for _, j := range s.Jobs {
		if j.Name == name {
			return j
		}
	}
	return nil
}

// Group returns the group with the given name, or nil.
func (s *Spec) Group(name string) *Group {
	for _, g := range s.Groups {
		if g.Name == name {
			return g
		}
	}
	return nil
}

// InstanceName is the name of the n-th process of a job: the job's own name
// when it has one process, else "name:n".
func (j *Job) InstanceName(n int) string {
	if j.Numprocs <= 1 {
		return j.Name
	}
	return fmt.Sprintf("%s:%d", j.Name, n)
}

// Final reports whether an exit code is listed in FinalCodes.
func (j *Job) Final(code int) bool {
	for _, c := range j.FinalCodes {
		if c == code {
			return true
		}
	}
	return false
}

// Expected reports whether an exit code is listed in ExitCodes.
func (j *Job) Expected(code int) bool {
	for _, c := range j.ExitCodes {
		if c == code {
			return true
		}
	}
	return false
}
