package supervisor

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sup-run/sup/internal/signals"
	"github.com/sup-run/sup/runtime/spec"
)

// Lifecycle hooks (job(pre_start=, post_start=, pre_stop=, post_stop=))
// and exec() readiness probes are commands: processes started through the
// same Spawner, so the one reaper sees every exit. Each is bounded by a
// timeout after which its process group is killed.

// command is one running hook or probe.
type command struct {
	cancelOnce sync.Once
	cancelCh   chan struct{}
}

func (c *command) cancel() { c.cancelOnce.Do(func() { close(c.cancelCh) }) }

// commandResult is how a command ended.
type commandResult struct {
	label    string
	exit     ExitStatus
	timedOut time.Duration // the timeout, when it passed
	out      string        // the tail of its output
}

func (r commandResult) err() error {
	switch {
	case r.timedOut > 0:
		return fmt.Errorf("timed out after %s", r.timedOut)
	case r.exit.Signal != 0 || r.exit.Code != 0:
		if r.out != "" {
			return fmt.Errorf("%s: %s", r.exit, r.out)
		}
		return fmt.Errorf("%s", r.exit)
	}
	return nil
}

// tailBuffer keeps the last bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

const commandOutput = 512

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) > commandOutput {
		b.buf = append([]byte(nil), b.buf[len(b.buf)-commandOutput:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Join(strings.Fields(strings.ReplaceAll(string(b.buf), "\n", " ")), " ")
}

// startCommand runs argv (templates expanded as for the job's cmd, in the
// job's dir and environment plus extra) and calls done on the loop when it
// has ended.
func (l *loop) startCommand(in *instance, label string, argv, extra []string, timeout time.Duration, done func(*loop, commandResult)) (*command, error) {
	look := l.vars(in)
	var args []string
	for _, a := range argv {
		v, err := spec.Expand(a, look)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", label, err)
		}
		args = append(args, v)
	}
	env, err := l.environ(in)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	env = append(append(env, "SUP_HOOK="+label), extra...)
	dir := in.job.Dir
	if dir == "" && l.spec != nil {
		dir = filepath.Dir(l.spec.Config)
	}
	if dir, err = spec.Expand(dir, look); err != nil {
		return nil, fmt.Errorf("%s: dir: %w", label, err)
	}
	out := &tailBuffer{}
	p, err := l.s.opts.Spawner.Spawn(SpawnRequest{Name: in.name + " " + label, Argv: args, Dir: dir, Env: env, Stdout: out, Stderr: out})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	if timeout <= 0 {
		timeout = spec.DefaultHookTimeout
	}
	l.commands++
	c := &command{cancelCh: make(chan struct{})}
	go func() {
		r := commandResult{label: label}
		t := time.NewTimer(timeout)
		select {
		case r.exit = <-p.Done():
		case <-t.C:
			r.timedOut = timeout
			p.SignalGroup(syscall.SIGKILL)
			r.exit = <-p.Done()
		case <-c.cancelCh:
			p.SignalGroup(syscall.SIGKILL)
			r.exit = <-p.Done()
		case <-l.s.done:
			// The loop is gone (its context ended): leave nothing behind.
			t.Stop()
			p.SignalGroup(syscall.SIGKILL)
			return
		}
		t.Stop()
		r.out = out.String()
		l.s.post(func(l *loop) {
			l.commands--
			done(l, r)
		})
	}()
	return c, nil
}

func hookTimeout(j *spec.Job) time.Duration {
	if j.Hooks.Timeout > 0 {
		return j.Hooks.Timeout
	}
	return spec.DefaultHookTimeout
}

// preStart runs pre_start; the process is spawned only if it succeeds.
func (l *loop) preStart(in *instance) {
	in.cancelTimer()
	l.setState(in, Starting, "pre_start running")
	var cmd *command
	fail := func(l *loop, msg string) {
		in.spawnErr = msg
		in.proc, in.pid = nil, 0
		in.stop = time.Now()
		l.afterExit(in, nil, true, msg)
	}
	cmd, err := l.startCommand(in, "pre_start", in.job.Hooks.PreStart, nil, hookTimeout(in.job), func(l *loop, r commandResult) {
		if in.hook != cmd {
			return // stopped meanwhile
		}
		in.hook = nil
		if err := r.err(); err != nil {
			fail(l, "pre_start failed: "+err.Error())
			return
		}
		l.spawn(in)
	})
	if err != nil {
		fail(l, "pre_start failed: "+err.Error())
		return
	}
	in.hook = cmd
}

// postStart runs post_start once the process is RUNNING; a failure is
// logged.
func (l *loop) postStart(in *instance) {
	l.hookAndLog(in, "post_start", in.job.Hooks.PostStart, nil, nil)
}

// preStop runs pre_stop before the stop signal, then calls then.
func (l *loop) preStop(in *instance, gen uint64, then func()) {
	if len(in.job.Hooks.PreStop) == 0 || in.proc == nil {
		then()
		return
	}
	l.hookAndLog(in, "pre_stop", in.job.Hooks.PreStop, []string{"SUP_PID=" + strconv.Itoa(in.pid)}, then)
}

// postStop runs post_stop after every exit of the process, with how it
// ended in EXIT_STATUS (the code, or empty when killed) and EXIT_SIGNAL
// (the signal's name, or empty), as upstart does.
func (l *loop) postStop(in *instance, st ExitStatus) {
	code, sig := strconv.Itoa(st.Code), ""
	if st.Signal != 0 {
		code, sig = "", strings.TrimPrefix(signals.String(st.Signal), "SIG")
	}
	l.hookAndLog(in, "post_stop", in.job.Hooks.PostStop, []string{"EXIT_STATUS=" + code, "EXIT_SIGNAL=" + sig}, nil)
}

// hookAndLog runs a hook whose failure is only reported, then calls then
// (if set) on the loop.
func (l *loop) hookAndLog(in *instance, label string, argv, extra []string, then func()) {
	if len(argv) == 0 {
		if then != nil {
			then()
		}
		return
	}
	report := func(err error) {
		l.s.log.Warn("hook failed", "process", in.name, "hook", label, "err", err)
	}
	_, err := l.startCommand(in, label, argv, extra, hookTimeout(in.job), func(l *loop, r commandResult) {
		if err := r.err(); err != nil {
			report(err)
		}
		if then != nil {
			then()
		}
	})
	if err != nil {
		report(err)
		if then != nil {
			then()
		}
	}
}
