package supervisor

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/sup-run/sup/runtime/events"
	"github.com/sup-run/sup/runtime/logs"
	"github.com/sup-run/sup/runtime/restart"
	"github.com/sup-run/sup/runtime/spec"
)

// loop is the state owned by the Run goroutine. Only loop methods touch it.
type loop struct {
	s       *Supervisor
	spec    *spec.Spec
	insts   []*instance // declaration order
	byName  map[string]*instance
	waiters []*waiter
	started time.Time

	shuttingDown bool
	// scaling: apply is reconciling a sup scale, not a new config.
	scaling bool
	// adminStopped: instances stopped by request (persisted, R15).
	adminStopped map[string]bool
	conditions   map[string]Condition

	// deps re-evaluation guard (depends.go).
	depsBusy, depsDirty bool
	// commands counts running hooks and exec probes; shutdown waits for
	// them.
	commands int
	ev       eventState
	// pidsDirty: a process started or exited since OnPids was last told
	// (persist.go); reported once per batch of commands.
	pidsDirty bool
	// adopted: instances given a process of Options.Adopted (adopt.go).
	adopted map[string]bool
}

func newLoop(s *Supervisor) *loop {
	l := &loop{s: s, byName: map[string]*instance{}, started: time.Now(), adminStopped: map[string]bool{}}
	for _, n := range s.opts.AdminStopped {
		l.adminStopped[n] = true
	}
	return l
}

// instance is one process slot of a job (web, or web:0..web:N-1).
type instance struct {
	job  *spec.Job
	num  int
	name string

	state  State
	gen    uint64 // bumped at every spawn; stale exits and timers carry an old one
	proc   Proc
	pid    int
	start  time.Time
	stop   time.Time
	exit   *ExitStatus
	reason string // why the state is what it is (spawn error, kill after timeout, ...)
	// spawnErr is the last spawn failure, cleared by a successful spawn.
	spawnErr string

	want     bool // the admin (or autostart) wants it up
	stopping bool // a stop was requested for the current process
	retries  int  // consecutive failed starts
	crashes  int  // consecutive unexpected exits after running
	restarts int  // total starts after the first, for status

	timer  *time.Timer // the one pending timer: start_secs, backoff, or kill
	stdout *logs.File
	stderr *logs.File
	// removed: the job left the config; drop the slot once it is down.
	removed bool
	// starts are the recent start attempts, for the start budget.
	starts []time.Time

	rd readiness // readiness of the current process (readiness.go)
	// depStopped: stopped because a job it requires stopped being ready;
	// it waits (WAITING) and starts again once that job is ready.
	depStopped bool
	// hook is the running pre_start or pre_stop hook, if any (hooks.go).
	hook *command
	// wasReady is the readiness last reported, so changes are noticed.
	wasReady bool
	// files stops the watch of requires_files while WAITING.
	files func()

	key         string          // instance key of an event-made instance (eth0)
	placeholder bool            // the row of an instance=... job before any event made one
	event       spec.Event      // the event that started it: template and env source
	stopOn      *events.Matcher // stop_on, expanded with event's vars
	queued      *spec.Event     // overlap = "queue": a start waiting for this run to end
	due         time.Time       // when the pending backoff retry is due
	// logs: timestamped companions and the writers handed to the spawner.
	logs streamLogs
}

func (l *loop) finished() bool {
	if !l.shuttingDown || l.commands > 0 {
		return false
	}
	for _, in := range l.insts {
		if in.state.Up() {
			return false
		}
	}
	return true
}

// apply reconciles the running set with sp.
func (l *loop) apply(sp *spec.Spec) {
	old := l.spec
	l.spec = sp
	if old == nil {
		l.emit("startup", nil) // before the autostarts, as upstart
	}
	keep := map[string]bool{}
	var insts []*instance
	var launch []*instance // started once l.insts is complete, so requires= finds every job
	for _, j := range sp.Jobs {
		var prev *spec.Job
		if old != nil {
			prev = old.Job(j.Name)
		}
		changed := prev != nil && !sameJob(prev, j)
		if j.Instance != "" {
			insts = l.applyInstanced(j, keep, insts)
			continue
		}
		for n := 0; n < j.Numprocs; n++ {
			name := j.InstanceName(n)
			keep[name] = true
			in := l.byName[name]
			if in == nil && prev != nil {
				in = l.rename(prev, j, n)
			}
			if in == nil {
				in = &instance{job: j, num: n, name: name, state: Stopped, want: l.wantNew(prev, j) && !l.adminStopped[name]}
				if l.adminStopped[name] && j.Autostart {
					in.reason = "stopped by request (kept across restarts of sup)"
				}
				l.byName[name] = in
				insts = append(insts, in)
				if in.want && !l.shuttingDown {
					launch = append(launch, in)
				}
				continue
			}
			in.job = j
			insts = append(insts, in)
			if changed && in.state.Up() {
				l.restartInstance(in)
			}
		}
	}
	for _, in := range l.insts {
		if keep[in.name] {
			continue
		}
		in.removed = true
		in.want = false
		if in.state.Up() {
			insts = append(insts, in)
			l.stopInstance(in, l.removeReason())
		} else {
			l.drop(in)
		}
	}
	l.insts = insts
	sortByStartOrder(sp, launch)
	for _, in := range launch {
		if !l.adopt(in) {
			l.launch(in)
		}
	}
	l.depsChanged()
	l.applied(old)
}

// sameJob compares two declarations ignoring where they were written.
func sameJob(a, b *spec.Job) bool {
	x, y := *a, *b
	x.Pos, y.Pos = spec.Pos{}, spec.Pos{}
	// A new numprocs adds or removes instances; the others are unchanged.
	x.Numprocs, y.Numprocs = 0, 0
	return reflect.DeepEqual(x, y)
}

func (l *loop) drop(in *instance) {
	delete(l.byName, in.name)
	in.cancelTimer()
	in.rd.stop()
	in.stopFiles()
	in.closeLogs()
	for i, x := range l.insts {
		if x == in {
			l.insts = append(l.insts[:i:i], l.insts[i+1:]...)
			break
		}
	}
}

func (l *loop) closeLogs() {
	for _, in := range l.insts {
		in.closeLogs()
	}
}

func (in *instance) closeLogs() {
	if in.stdout != nil {
		in.stdout.Close()
	}
	if in.stderr != nil && in.stderr != in.stdout {
		in.stderr.Close()
	}
	in.stdout, in.stderr = nil, nil
	in.closeTS()
}

func (in *instance) cancelTimer() {
	if in.timer != nil {
		in.timer.Stop()
		in.timer = nil
	}
}

// setState records a transition and wakes whoever waits on it.
func (l *loop) setState(in *instance, st State, reason string) {
	prev := in.state
	in.state = st
	in.reason = reason
	if prev != st {
		attrs := []any{"process", in.name, "from", prev.String(), "to", st.String()}
		if reason != "" {
			attrs = append(attrs, "reason", reason)
		}
		l.s.log.Info("state", attrs...)
	}
	l.transition(in, prev, st, reason)
	l.stateChanged(in, prev, st)
	l.checkWaiters()
	if in.removed && !st.Up() {
		l.drop(in)
	}
}

// vars resolves ${NAME} for a process: its own vars, then sup's environment.
func (l *loop) vars(in *instance) spec.Lookup {
	return func(name string) (string, bool) {
		if v, ok := in.event.Vars[name]; ok {
			return v, true
		}
		switch name {
		case "process_num":
			return strconv.Itoa(in.num), true
		case "instance":
			return in.name, true
		case "job":
			return in.job.Name, true
		case "group":
			return in.job.Group, true
		}
		prefix := name + "="
		for i := len(l.s.opts.Environ) - 1; i >= 0; i-- {
			if e := l.s.opts.Environ[i]; strings.HasPrefix(e, prefix) {
				return e[len(prefix):], true
			}
		}
		return "", false
	}
}

// request builds the spawn request: argv, dir and env with templates
// expanded. An unresolved template is an error on the job.
func (l *loop) request(in *instance) (SpawnRequest, error) {
	look := l.vars(in)
	j := in.job
	req := SpawnRequest{Name: in.name}
	if f := j.Funcs["cmd"]; f != nil {
		argv, err := l.render(in, f)
		if err != nil {
			return req, fmt.Errorf("cmd: %w", err)
		}
		if len(argv) == 0 || argv[0] == "" {
			return req, fmt.Errorf("cmd: %s returned no program", f)
		}
		req.Argv = argv
	}
	for _, a := range j.Cmd {
		if req.Argv != nil && j.Funcs["cmd"] != nil {
			break
		}
		v, err := spec.Expand(a, look)
		if err != nil {
			return req, fmt.Errorf("cmd: %w", err)
		}
		req.Argv = append(req.Argv, v)
	}
	dir := j.Dir
	if f := j.Funcs["dir"]; f != nil {
		out, err := l.render(in, f)
		if err != nil {
			return req, fmt.Errorf("dir: %w", err)
		}
		dir = strings.Join(out, "")
	}
	if dir == "" && l.spec != nil {
		dir = filepath.Dir(l.spec.Config)
	}
	d, err := spec.Expand(dir, look)
	if err != nil {
		return req, fmt.Errorf("dir: %w", err)
	}
	req.Dir = d
	env, err := l.environ(in)
	if err != nil {
		return req, err
	}
	req.Env = env
	req.User, req.Group, req.Umask, req.Nice = j.User, j.UserGroup, j.Umask, j.Nice
	if j.Pidfile != "" {
		pf, err := spec.Expand(j.Pidfile, look)
		if err != nil {
			return req, fmt.Errorf("pidfile: %w", err)
		}
		if !filepath.IsAbs(pf) {
			pf = filepath.Join(req.Dir, pf)
		}
		req.PidFile = pf
	}
	if err := l.prepareLogs(in, true); err != nil {
		return req, err
	}
	req.Stdout, req.Stderr = in.logs.out, in.logs.err
	req.Stdin = j.Stdin
	return req, nil
}

// environ is a process's environment: sup's (unless inherit_env = False),
// the SUP_* variables, env files, then the job's env with templates
// expanded.
func (l *loop) environ(in *instance) ([]string, error) {
	look := l.vars(in)
	j := in.job
	var env []string
	if !j.ClearEnv {
		env = append(env, l.s.opts.Environ...)
	}
	set := func(k, v string) {
		prefix := k + "="
		for i, e := range env {
			if strings.HasPrefix(e, prefix) {
				env[i] = prefix + v
				return
			}
		}
		env = append(env, prefix+v)
	}
	set("SUP_JOB", j.Name)
	set("SUP_GROUP", j.Group)
	set("SUP_INSTANCE", in.name)
	set("SUP_PROCESS_NUM", strconv.Itoa(in.num))
	for _, f := range j.EnvFiles {
		vars, err := readEnvFile(f)
		if err != nil {
			return nil, err
		}
		for _, e := range vars {
			set(e.Name, e.Value)
		}
	}
	// The starting event's variables, as upstart exports them.
	for _, kv := range eventEnv(in.event) {
		set(kv[0], kv[1])
	}
	for _, e := range j.Env {
		if e.Inherit {
			if v, ok := lookupEnv(l.s.opts.Environ, e.Name); ok {
				set(e.Name, v)
			}
			continue
		}
		if f := j.Funcs["env:"+e.Name]; f != nil {
			out, err := l.render(in, f)
			if err != nil {
				return nil, fmt.Errorf("env %s: %w", e.Name, err)
			}
			set(e.Name, strings.Join(out, ""))
			continue
		}
		v, err := spec.Expand(e.Value, look)
		if err != nil {
			return nil, fmt.Errorf("env %s: %w", e.Name, err)
		}
		set(e.Name, v)
	}
	return env, nil
}

// logPath is where a stream of a process is written.
func (l *loop) logPath(in *instance, ls spec.LogSpec, ext string) (string, error) {
	if ls.Path != "" {
		return spec.Expand(ls.Path, l.vars(in))
	}
	dir := ""
	if l.spec != nil {
		dir = l.spec.Settings.LogDir
	}
	return filepath.Join(dir, strings.ReplaceAll(in.name, ":", "_")+ext), nil
}

// openLogs opens the logs of in when they are not open yet.
func (l *loop) openLogs(in *instance) error { return l.prepareLogs(in, false) }

// prepareLogs opens (or keeps; with reconfigure, reopens after a config
// change) the logs of in and sets the writers a spawn hands to the process.
// Only a spawn reconfigures: a process being stopped keeps writing to the
// files it has.
func (l *loop) prepareLogs(in *instance, reconfigure bool) error {
	if !reconfigure && in.stdout != nil && in.stderr != nil {
		return nil
	}
	f, err := l.openStream(in, in.stdout, in.job.Stdout, ".out")
	if err != nil {
		return fmt.Errorf("stdout: %w", err)
	}
	if in.stderr == in.stdout && !in.job.Stderr.ToStdout {
		in.stderr = nil // was merged, now apart
	}
	in.stdout = f
	if in.logs.outTS, err = l.openTS(in, f, in.logs.outTS, in.job.Stdout); err != nil {
		return fmt.Errorf("stdout: %w", err)
	}
	if in.job.Stderr.ToStdout {
		if in.stderr != nil && in.stderr != in.stdout {
			in.stderr.Close()
		}
		in.stderr = in.stdout
		if in.logs.errTS != nil {
			in.logs.errTS.Close()
			in.logs.errTS = nil
		}
	} else {
		f, err := l.openStream(in, in.stderr, in.job.Stderr, ".err")
		if err != nil {
			return fmt.Errorf("stderr: %w", err)
		}
		in.stderr = f
		if in.logs.errTS, err = l.openTS(in, f, in.logs.errTS, in.job.Stderr); err != nil {
			return fmt.Errorf("stderr: %w", err)
		}
	}
	in.writers()
	return nil
}

func (l *loop) logFile(name, stream string) (*logs.File, error) {
	insts, err := l.resolve([]string{name}, false)
	if err != nil {
		return nil, err
	}
	if len(insts) != 1 {
		return nil, fmt.Errorf("%s names %d processes; name one (e.g. %s)", name, len(insts), insts[0].name)
	}
	in := insts[0]
	if err := l.openLogs(in); err != nil {
		return nil, err
	}
	switch stream {
	case "", "stdout":
		return in.stdout, nil
	case "stderr":
		return in.stderr, nil
	}
	return nil, fmt.Errorf("unknown stream %q (want stdout or stderr)", stream)
}

// decide feeds an exit (or spawn failure) into the pure restart decision.
func (l *loop) decide(in *instance, exit *ExitStatus, spawnFailed bool) restart.Decision {
	j := in.job
	in2 := restart.Input{
		Kind:         j.Kind,
		Policy:       j.Restart,
		StartRetries: j.StartRetries,
		Backoff:      j.Backoff,
		Stopping:     (in.stopping && in.rd.gaveUp == "") || !in.want || l.shuttingDown,
		SpawnFailed:  spawnFailed,
		Started:      in.state == Running && j.Kind != spec.KindTask && in.rd.gaveUp == "",
		Retries:      in.retries,
		Crashes:      in.crashes,
		Limit:        j.StartLimit,
	}
	in.starts = restart.Recent(in.starts, time.Now(), j.StartLimit.Interval)
	in2.Starts = len(in.starts)
	if exit != nil {
		in2.Expected = exit.Signal == 0 && j.Expected(exit.Code)
		in2.Final = exit.Signal == 0 && j.Final(exit.Code)
		in2.Uptime = exit.Time.Sub(in.start)
	}
	return restart.Decide(in2)
}
