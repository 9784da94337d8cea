package supervisor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/sup-run/sup/runtime/logs"
	"github.com/sup-run/sup/runtime/spec"
)

// Default rotation of a stream declared without log_to (supervisord's).
const (
	defaultMaxSize = 50 << 20
	defaultBackups = 10
)

// streamLogs are the open files of one process: raw logs and, with
// timestamps, their .ts companions.
type streamLogs struct {
	outTS, errTS *logs.File
	// out and err are what the spawner writes to (a tee with a .ts).
	out, err io.Writer
}

// logOptions maps a declaration to a File's options.
func (l *loop) logOptions(in *instance, ls spec.LogSpec) logs.Options {
	o := logs.Options{MaxSize: ls.MaxSize, Backups: ls.Backups, Rotate: logs.Period(ls.Rotate), Compress: ls.Compress, OnFull: ls.OnFull,
		Lazy: true}
	switch {
	case ls.MaxSize == 0 && ls.Backups == 0:
		o.MaxSize, o.Backups = defaultMaxSize, defaultBackups
	case ls.MaxSize == 0:
		o.MaxSize = defaultMaxSize
	case ls.MaxSize < 0:
		o.MaxSize = 0
	}
	name := in.name
	s := l.s
	o.Report = func(e logs.Event) {
		// Called from a capture goroutine holding the file's write lock:
		// never wait for the loop here.
		lvl := "error"
		if e.Kind == logs.EventResumed || e.Kind == logs.EventRotated || e.Kind == logs.EventReopened {
			lvl = "info"
		}
		if e.Kind == logs.EventRotated {
			return
		}
		attrs := []any{"process", name, "event", e.Kind, "path", e.Path, "lost_bytes", e.Lost}
		if e.Err != nil {
			attrs = append(attrs, "err", e.Err.Error())
		}
		if lvl == "error" {
			s.log.Error("log", attrs...)
		} else {
			s.log.Info("log", attrs...)
		}
		go s.post(func(l *loop) { l.logEvent(e) })
	}
	return o
}

// sameOptions reports whether an open file already has the options.
func sameOptions(a, b logs.Options) bool {
	if a.OnFull == "" {
		a.OnFull = logs.Drop
	}
	if b.OnFull == "" {
		b.OnFull = logs.Drop
	}
	return a.MaxSize == b.MaxSize && a.Backups == b.Backups && a.Rotate == b.Rotate &&
		a.Compress == b.Compress && a.OnFull == b.OnFull
}

// openStream returns the open log for one stream, (re)opening it when the
// path or the rotation options changed since it was opened.
func (l *loop) openStream(in *instance, cur *logs.File, ls spec.LogSpec, ext string) (*logs.File, error) {
	p, err := l.logPath(in, ls, ext)
	if err != nil {
		return nil, err
	}
	o := l.logOptions(in, ls)
	if cur != nil && !cur.Closed() && cur.Path() == p && sameOptions(cur.Options(), o) {
		return cur, nil
	}
	if cur != nil {
		cur.Close()
	}
	return l.s.opts.OpenLog(p, o)
}

// openTS opens (or keeps) the .ts companion of a raw log.
func (l *loop) openTS(in *instance, raw, cur *logs.File, ls spec.LogSpec) (*logs.File, error) {
	if !ls.Timestamps {
		if cur != nil {
			cur.Close()
		}
		return nil, nil
	}
	o := l.logOptions(in, ls)
	if cur != nil && !cur.Closed() && cur.Path() == raw.Path()+".ts" && sameOptions(cur.Options(), o) {
		return cur, nil
	}
	if cur != nil {
		cur.Close()
	}
	return l.s.opts.OpenLog(raw.Path()+".ts", o)
}

// tee writes to w, then shows the same bytes to side (a timestamped
// companion, a readiness matcher), whose errors are its own: what w
// returns is what the capture sees. It is a comparable value, so stdout
// and stderr sharing one tee still compare equal (one pipe).
type tee struct {
	w    io.Writer
	side io.Writer
}

func (t tee) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	t.side.Write(p)
	return n, err
}

// writers sets in.logs.out/err: the raw files, or tees when timestamped.
func (in *instance) writers() {
	w := func(raw, ts *logs.File) io.Writer {
		if ts == nil {
			return raw
		}
		return tee{w: raw, side: &logs.Stamper{W: ts}}
	}
	in.logs.out = w(in.stdout, in.logs.outTS)
	if in.stderr == in.stdout {
		in.logs.err = in.logs.out
	} else {
		in.logs.err = w(in.stderr, in.logs.errTS)
	}
}

func (in *instance) closeTS() {
	if in.logs.outTS != nil {
		in.logs.outTS.Close()
	}
	if in.logs.errTS != nil {
		in.logs.errTS.Close()
	}
	in.logs = streamLogs{}
}

// logEvent records a log fault as a daemon-level condition (shown in
// status and DaemonInfo.LogFaults) until the file recovers.
func (l *loop) logEvent(e logs.Event) {
	switch e.Kind {
	case logs.EventFull, logs.EventRotateFailed:
		l.setCondition(logConditionKey+e.Path, e.String())
	case logs.EventResumed, logs.EventRotated:
		l.setCondition(logConditionKey+e.Path, "")
	}
}

// logConditionKey prefixes the daemon conditions of failing log files.
const logConditionKey = "log:"

// logDegraded lists the log faults among the daemon conditions (disk
// full, failed rotation or clear), sorted, for DaemonInfo.LogFaults.
func (l *loop) logDegraded() []string {
	var out []string
	for k, c := range l.conditions {
		if strings.HasPrefix(k, logConditionKey) {
			out = append(out, c.Message)
		}
	}
	sort.Strings(out)
	return out
}

// processFiles returns the distinct raw (and .ts) files of the named
// processes, opening them when needed.
func (l *loop) processFiles(names []string) ([]*instance, [][]*logs.File, error) {
	insts, err := l.resolve(names, false)
	if err != nil {
		return nil, nil, err
	}
	files := make([][]*logs.File, len(insts))
	for i, in := range insts {
		if err := l.openLogs(in); err != nil {
			return nil, nil, err
		}
		for _, f := range []*logs.File{in.stdout, in.stderr, in.logs.outTS, in.logs.errTS} {
			if f != nil && (len(files[i]) == 0 || files[i][0] != f) {
				files[i] = append(files[i], f)
			}
		}
	}
	return insts, files, nil
}

// eachLog runs op on every log file of the named processes (outside the
// loop: file work never holds it up) and reports per process.
func (s *Supervisor) eachLog(ctx context.Context, names []string, verb string, op func(*logs.File) error) ([]Result, error) {
	type job struct {
		name  string
		files []*logs.File
	}
	jobs, err := call(ctx, s, func(l *loop) ([]job, error) {
		insts, files, err := l.processFiles(names)
		if err != nil {
			return nil, err
		}
		out := make([]job, len(insts))
		for i, in := range insts {
			out[i] = job{in.name, files[i]}
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	var rs []Result
	for _, j := range jobs {
		var errs []error
		for _, f := range j.files {
			if err := op(f); err != nil {
				errs = append(errs, err)
			}
		}
		if err := errors.Join(errs...); err != nil {
			s.log.Error("log "+verb+" failed", "process", j.name, "err", err.Error())
			rs = append(rs, Result{Name: j.name, Msg: err.Error()})
			continue
		}
		rs = append(rs, Result{Name: j.name, OK: true, Msg: verb})
	}
	return rs, nil
}

// RotateLogs rotates the logs of the named processes now.
func (s *Supervisor) RotateLogs(ctx context.Context, names []string) ([]Result, error) {
	return s.eachLog(ctx, names, "rotated", (*logs.File).Rotate)
}

// ClearLogs empties the logs of the named processes and deletes their
// rotated files.
func (s *Supervisor) ClearLogs(ctx context.Context, names []string) ([]Result, error) {
	return s.eachLog(ctx, names, "cleared", (*logs.File).Clear)
}

// ReopenLogs reopens every open log by path (SIGUSR2, after an external
// logrotate moved them).
func (s *Supervisor) ReopenLogs(ctx context.Context) error {
	files, err := call(ctx, s, func(l *loop) ([]*logs.File, error) {
		var out []*logs.File
		for _, in := range l.insts {
			for _, f := range []*logs.File{in.stdout, in.stderr, in.logs.outTS, in.logs.errTS} {
				if f != nil {
					out = append(out, f)
				}
			}
		}
		return out, nil
	})
	if err != nil {
		return err
	}
	var errs []error
	for _, f := range files {
		if err := f.Reopen(); err != nil && !errors.Is(err, os.ErrClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// LogFiles returns the raw log of stream ("stdout", "stderr" or "" for
// both, merged once) of each named process, for sup logs.
func (s *Supervisor) LogFiles(ctx context.Context, names []string, stream string) ([]NamedLog, error) {
	return call(ctx, s, func(l *loop) ([]NamedLog, error) {
		insts, err := l.resolve(names, true)
		if err != nil {
			return nil, err
		}
		var out []NamedLog
		for _, in := range insts {
			if err := l.openLogs(in); err != nil {
				return nil, err
			}
			if stream != "stderr" {
				out = append(out, NamedLog{Name: in.name, Stream: "stdout", File: in.stdout})
			}
			if stream != "stdout" && in.stderr != in.stdout {
				out = append(out, NamedLog{Name: in.name, Stream: "stderr", File: in.stderr})
			}
		}
		return out, nil
	})
}

// NamedLog is one stream's log of one process.
type NamedLog struct {
	Name, Stream string
	File         *logs.File
}

// Stdin is implemented by processes started with a stdin pipe.
type Stdin interface {
	// WriteStdin writes p to the process's stdin, giving up at deadline.
	WriteStdin(p []byte, deadline time.Time) (int, error)
}

// Send writes data to the stdin of one process (declared with stdin = True).
func (s *Supervisor) Send(ctx context.Context, name string, data []byte) error {
	p, err := call(ctx, s, func(l *loop) (Stdin, error) {
		insts, err := l.resolve([]string{name}, false)
		if err != nil {
			return nil, err
		}
		if len(insts) != 1 {
			return nil, fmt.Errorf("%s names %d processes; name one (e.g. %s)", name, len(insts), insts[0].name)
		}
		in := insts[0]
		if !in.job.Stdin {
			return nil, fmt.Errorf("%s: stdin is not open (declare the job with stdin = True)", in.name)
		}
		w, ok := in.proc.(Stdin)
		if in.proc == nil || !ok {
			return nil, fmt.Errorf("%s is not running", in.name)
		}
		return w, nil
	})
	if err != nil {
		return err
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(5 * time.Second)
	}
	if _, err := p.WriteStdin(data, deadline); err != nil {
		return fmt.Errorf("%s: stdin: %w", name, err)
	}
	return nil
}
