package supervisor

import (
	"context"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/sup-run/sup/runtime/filewait"
	"github.com/sup-run/sup/runtime/ready"
	"github.com/sup-run/sup/runtime/spec"
)

// readiness is what the loop knows about whether the current process of an
// instance is ready. Everything here belongs to one generation; stop
// releases it.
type readiness struct {
	ready  bool
	note   string // "not ready: tcp :8080 refused" while not ready
	status string // the last STATUS= of sd_notify
	fails  int    // consecutive failed probes
	// gaveUp is the reason the check gave up; the exit that follows is a
	// failed start.
	gaveUp string

	timer   *time.Timer
	cancel  context.CancelFunc // ends a running probe
	release []func()           // closes the notify socket, stops the line matcher
}

func (r *readiness) stop() {
	if r.timer != nil {
		r.timer.Stop()
		r.timer = nil
	}
	if r.cancel != nil {
		r.cancel()
		r.cancel = nil
	}
	for _, f := range r.release {
		f()
	}
	r.release = nil
}

func defaultReadiness(o *Options) {
	if o.Probe == nil {
		o.Probe = ready.Probe
	}
	if o.WatchFiles == nil {
		o.WatchFiles = filewait.Watch
	}
	if o.Exists == nil {
		o.Exists = func(p string) bool { _, err := os.Stat(p); return err == nil }
	}
}

// readyRequest prepares what a check needs before the spawn: the notify
// socket in the environment, the line matcher on the output.
func (l *loop) readyRequest(in *instance, gen uint64, req *SpawnRequest) error {
	in.rd.stop()
	in.rd = readiness{}
	c := in.job.Ready
	if c == nil {
		return nil
	}
	in.rd.note = "not ready: " + c.String() + " not yet passed"
	switch c.Kind {
	case spec.ReadyNotify:
		n, err := ready.Listen()
		if err != nil {
			return err
		}
		in.rd.release = append(in.rd.release, func() { n.Close() })
		req.Env = append(req.Env, "NOTIFY_SOCKET="+n.Addr())
		in.rd.note = "not ready: waiting for READY=1"
		go n.Run(func(m ready.Message) bool {
			return l.s.post(func(l *loop) { l.onNotify(in, gen, m) })
		})
	case spec.ReadyLog:
		re, err := regexp.Compile(c.Pattern)
		if err != nil {
			return err
		}
		m := ready.NewLineMatcher(re, func(string) {
			go l.s.post(func(l *loop) { l.onProbe(in, gen, nil) })
		})
		in.rd.release = append(in.rd.release, m.Stop)
		in.rd.note = "not ready: no line matching " + c.String()[4:] + " yet"
		shared := req.Stderr == req.Stdout
		req.Stdout = tee{req.Stdout, m}
		if shared {
			req.Stderr = req.Stdout
		} else {
			req.Stderr = tee{req.Stderr, m}
		}
	}
	return nil
}

// startProbes arms the first probe of a just spawned process. Nothing is
// armed for a job without a check, nor for log() and notify() without a
// timeout: they are told, never polled.
func (l *loop) startProbes(in *instance, gen uint64) {
	c := in.job.Ready
	if c == nil {
		return
	}
	switch c.Kind {
	case spec.ReadyLog, spec.ReadyNotify:
		if c.Timeout > 0 {
			in.rd.timer = l.s.after(c.Timeout, func(l *loop) {
				if in.gen == gen && in.proc != nil && !in.rd.ready {
					in.rd.timer = nil
					l.giveUp(in, "not ready within "+c.Timeout.String()+": "+strings.TrimPrefix(in.rd.note, "not ready: "))
				}
			})
		}
	default:
		l.scheduleProbe(in, gen, c.Interval)
	}
}

func (l *loop) scheduleProbe(in *instance, gen uint64, d time.Duration) {
	in.rd.timer = l.s.after(d, func(l *loop) {
		if in.gen != gen || in.proc == nil || in.rd.ready {
			return
		}
		in.rd.timer = nil
		l.runProbe(in, gen)
	})
}

// runProbe runs one probe off the loop; its result comes back to onProbe.
func (l *loop) runProbe(in *instance, gen uint64) {
	c := *in.job.Ready
	if c.Kind == spec.ReadyExec {
		l.execProbe(in, gen, c)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	in.rd.cancel = cancel
	probe := l.s.opts.Probe
	go func() {
		err := probe(ctx, c)
		l.s.post(func(l *loop) { l.onProbe(in, gen, err) })
	}()
}

// onProbe applies the verdict on one probe result (or a log match).
func (l *loop) onProbe(in *instance, gen uint64, err error) {
	if in.gen != gen || in.proc == nil || in.rd.ready {
		return
	}
	in.rd.cancel = nil
	if err != nil {
		in.rd.fails++
	}
	v := ready.Judge(*in.job.Ready, in.rd.fails, err)
	switch {
	case v.Ready:
		l.markReady(in)
	case v.GiveUp:
		l.giveUp(in, v.Reason)
	default:
		if v.Reason != in.rd.note {
			in.rd.note = v.Reason
			l.stateChanged(in, in.state, in.state)
		}
		l.scheduleProbe(in, gen, v.Next)
	}
}

func (l *loop) markReady(in *instance) {
	in.rd.ready = true
	in.rd.note = ""
	if in.rd.timer != nil {
		in.rd.timer.Stop()
		in.rd.timer = nil
	}
	l.stateChanged(in, in.state, in.state)
	l.checkWaiters()
}

// onNotify handles one sd_notify datagram.
func (l *loop) onNotify(in *instance, gen uint64, m ready.Message) {
	if in.gen != gen || in.proc == nil {
		return
	}
	if m.Status != "" {
		in.rd.status = m.Status
	}
	if m.Ready && !in.rd.ready {
		l.markReady(in)
	}
}

// giveUp ends a start whose readiness check failed too often: the process
// is stopped and its exit counts as a failed start (BACKOFF, then FATAL).
func (l *loop) giveUp(in *instance, reason string) {
	l.s.log.Warn("readiness check gave up", "process", in.name, "reason", reason)
	in.rd.gaveUp = reason
	in.rd.note = reason
	l.terminate(in, reason)
}

// execProbe runs exec(cmd) through the spawner (the one reaper), bounded by
// the check's timeout.
func (l *loop) execProbe(in *instance, gen uint64, c spec.ReadyCheck) {
	cmd, err := l.startCommand(in, "ready", c.Cmd, nil, c.Timeout, func(l *loop, r commandResult) {
		l.onProbe(in, gen, r.err())
	})
	if err != nil {
		l.onProbe(in, gen, err)
		return
	}
	in.rd.cancel = func() { cmd.cancel() }
}
