package daemon

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/sup-run/sup/runtime/logs"
	"github.com/sup-run/sup/runtime/proc"
	"github.com/sup-run/sup/runtime/supervisor"
	"github.com/sup-run/sup/runtime/track"
)

// drainGrace bounds how long an exit report waits for the process's pipes to
// reach EOF. Normally EOF comes with the exit; a descendant still holding
// the pipe must not delay the report (the loop then kills it).
const drainGrace = 100 * time.Millisecond

// spawner starts real processes through the one reaper and captures their
// output into log files.
type spawner struct {
	reaper *proc.Reaper
	bufs   *logs.Buffers
	log    *slog.Logger
	// track finds every process of a job (cgroup or process table).
	track *track.Tracker
	// pidWait bounds the wait for a pid file; 0 is pidfileWait.
	pidWait time.Duration
}

type osProc struct {
	p     *proc.Process
	done  chan supervisor.ExitStatus
	stdin *os.File // write end of the child's stdin (stdin = True), or nil
	unit  *track.Unit
}

func (s *spawner) Spawn(req supervisor.SpawnRequest) (supervisor.Proc, error) {
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	errR, errW := outR, outW
	shared := req.Stderr == req.Stdout
	if !shared {
		if errR, errW, err = os.Pipe(); err != nil {
			outR.Close()
			outW.Close()
			return nil, err
		}
	}
	closePipes := func() {
		outR.Close()
		outW.Close()
		if !shared {
			errR.Close()
			errW.Close()
		}
	}
	cred, err := proc.ResolveCredential(proc.SystemUsers{}, req.User, req.Group, os.Geteuid())
	if err != nil {
		closePipes()
		return nil, err
	}
	var inR, inW *os.File
	if req.Stdin {
		if inR, inW, err = os.Pipe(); err != nil {
			closePipes()
			return nil, err
		}
	}
	if req.PidFile != "" {
		// A stale pid file must not be taken for the new daemon's.
		if err := os.Remove(req.PidFile); err != nil && !errors.Is(err, os.ErrNotExist) {
			s.log.Warn("cannot remove a stale pid file", "process", req.Name, "path", req.PidFile, "err", err)
		}
	}
	unit := s.track.Unit(req.Name)
	cg := unit.CgroupDir()
	p, err := s.reaper.Start(proc.Attr{Argv: req.Argv, Dir: req.Dir, Env: req.Env, Stdin: inR, Stdout: outW, Stderr: errW,
		Credential: cred, Umask: req.Umask, Nice: req.Nice, Cgroup: cg})
	if cg != nil {
		cg.Close()
	}
	if inR != nil {
		inR.Close()
	}
	// The child has its copies; sup keeps only the read ends, so EOF comes
	// when the child and its descendants are done with them.
	outW.Close()
	if !shared {
		errW.Close()
	}
	if err != nil {
		outR.Close()
		if !shared {
			errR.Close()
		}
		if inW != nil {
			inW.Close()
		}
		return nil, err
	}
	// The last capture to reach EOF closes drained: no goroutine of its own
	// waits for them (each goroutine is a stack, times N processes).
	var open atomic.Int32
	drained := make(chan struct{})
	capture := func(r *os.File, w io.Writer, stream string) {
		defer func() {
			if open.Add(-1) == 0 {
				close(drained)
			}
		}()
		defer r.Close()
		_, lost, err := s.bufs.Capture(r, w)
		if err != nil && !errors.Is(err, os.ErrClosed) {
			s.log.Error("log write failed", "process", req.Name, "stream", stream, "lost_bytes", lost, "err", err)
		}
	}
	open.Store(1)
	if !shared {
		open.Store(2)
	}
	go capture(outR, req.Stdout, "stdout")
	if !shared {
		go capture(errR, req.Stderr, "stderr")
	}
	unit.AddRoot(p.Pid())
	if req.PidFile != "" {
		if inW != nil {
			inW.Close() // a forking daemon's stdin is not sup's to keep
		}
		return s.daemonProc(req, p, unit, drained), nil
	}
	op := &osProc{p: p, done: make(chan supervisor.ExitStatus, 1), stdin: inW, unit: unit}
	go func() {
		e := <-p.Done()
		t := time.NewTimer(drainGrace)
		select {
		case <-drained:
		case <-t.C:
		}
		t.Stop()
		if op.stdin != nil {
			op.stdin.Close()
		}
		op.done <- supervisor.ExitStatus{Code: e.Code, Signal: e.Signal, Core: e.Core, Time: e.Time}
	}()
	return op, nil
}

func (o *osProc) Pid() int                             { return o.p.Pid() }
func (o *osProc) Signal(sig syscall.Signal) error      { return o.p.Signal(sig) }
func (o *osProc) SignalGroup(sig syscall.Signal) error { return o.unit.Signal(sig) }
func (o *osProc) GroupAlive() bool                     { return o.unit.Alive() }
func (o *osProc) Done() <-chan supervisor.ExitStatus   { return o.done }

// WriteStdin implements supervisor.Stdin.
func (o *osProc) WriteStdin(p []byte, deadline time.Time) (int, error) {
	if o.stdin == nil {
		return 0, os.ErrClosed
	}
	o.stdin.SetWriteDeadline(deadline)
	return o.stdin.Write(p)
}
