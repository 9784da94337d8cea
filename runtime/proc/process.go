package proc

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sup-run/sup/internal/signals"
)

// Attr describes a process to start.
type Attr struct {
	// Argv[0] is the program. A name without a slash is looked up in the
	// PATH of Env if Env sets one, else in this process's PATH; relative
	// PATH entries are skipped (as os/exec refuses them). A relative path
	// with a slash is relative to Dir.
	Argv []string
	Dir  string   // working directory; "" = this process's
	Env  []string // the exact environment ("K=V"); nil = empty
	// The child's fds 0, 1 and 2; nil = /dev/null. Start calls Fd, which
	// puts the file in blocking mode: pass the child's end of a pipe, and
	// close it after Start.
	Stdin, Stdout, Stderr *os.File

	// Credential, when set, is the user and groups the child runs as
	// (see ResolveCredential).
	Credential *syscall.Credential
	// Umask, when set, is the child's file mode creation mask. It needs
	// ReaperOptions.Helper: sup's umask is process-wide and cannot be
	// changed around a fork without racing its other goroutines.
	Umask *uint32
	// Nice, when not 0, is the child's niceness. It is set right after the
	// fork (the program may run its first instructions at sup's own).
	Nice int
	// Cgroup, when set, is an open cgroup v2 directory the child starts
	// in (clone3 CLONE_INTO_CGROUP): it is in there before it can fork.
	Cgroup *os.File
}

// Process is a started child. Its methods are safe for concurrent use.
type Process struct {
	r       *Reaper
	pid     int
	started time.Time
	reaped  bool // guarded by r.reapMu

	done chan Exit     // buffered; receives the Exit, then is closed
	fin  chan struct{} // closed once exit is set
	exit Exit
}

// Start starts a process that leads its own process group. Failures to
// start it (no such binary, not executable, bad working directory) are
// returned as *SpawnError; no Process exists then, and no zombie is left.
func (r *Reaper) Start(a Attr) (*Process, error) {
	if len(a.Argv) == 0 || a.Argv[0] == "" {
		return nil, errors.New("proc: empty argv")
	}
	if a.Dir != "" {
		if err := checkDir(a.Dir); err != nil {
			return nil, err
		}
	}
	path, err := lookPath(a.Argv[0], pathOf(a.Env))
	if err != nil {
		return nil, &SpawnError{Op: "spawn", Path: a.Argv[0], Err: err}
	}
	var files [3]uintptr
	for i, f := range [3]*os.File{a.Stdin, a.Stdout, a.Stderr} {
		if f == nil {
			continue
		}
		if files[i] = f.Fd(); files[i] == ^uintptr(0) {
			op := [3]string{"stdin", "stdout", "stderr"}[i]
			return nil, &SpawnError{Op: op, Path: f.Name(), Err: os.ErrClosed}
		}
	}
	sys := &syscall.SysProcAttr{Setpgid: true, Credential: a.Credential}
	if a.Cgroup != nil {
		sys.UseCgroupFD, sys.CgroupFD = true, int(a.Cgroup.Fd())
	}
	argv := a.Argv
	if a.Umask != nil {
		if len(r.helper) == 0 {
			return nil, &SpawnError{Op: "umask", Path: a.Argv[0], Err: errors.New("no exec helper configured")}
		}
		argv = append(append(append([]string(nil), r.helper[1:]...), helperArgs(*a.Umask, a.Credential, path)...), a.Argv...)
		path = r.helper[0]
		// The helper switches identity itself: it must be able to run
		// sup's executable, which the target user may not.
		sys.Credential = nil
	}

	// Held across ForkExec and the registration: see Reaper.
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, ErrClosed
	}
	for i, f := range [3]*os.File{a.Stdin, a.Stdout, a.Stderr} {
		if f == nil {
			files[i] = r.devNull.Fd()
		}
	}
	pid, err := syscall.ForkExec(path, argv, &syscall.ProcAttr{
		Dir:   a.Dir,
		Env:   a.Env,
		Files: files[:],
		Sys:   sys,
	})
	if err != nil {
		r.mu.Unlock()
		return nil, spawnError(path, a.Dir, err)
	}
	if a.Nice != 0 {
		// Before the registration: the pid cannot have been reaped (and
		// reused) yet, since reaping needs mu.
		if err := unix.Setpriority(unix.PRIO_PROCESS, pid, a.Nice); err != nil {
			r.log.Warn("cannot set nice", "pid", pid, "nice", a.Nice, "err", err)
		}
	}
	p := &Process{
		r:       r,
		pid:     pid,
		started: time.Now(),
		done:    make(chan Exit, 1),
		fin:     make(chan struct{}),
	}
	if old := r.procs[pid]; old != nil {
		// Impossible while this Reaper is the only waiter: the old entry's
		// pid was still held by a zombie.
		r.log.Error("pid reused while registered; was another reaper running?", "pid", pid)
	}
	r.procs[pid] = p
	r.mu.Unlock()

	runtime.KeepAlive(a.Stdin)
	runtime.KeepAlive(a.Stdout)
	runtime.KeepAlive(a.Stderr)
	runtime.KeepAlive(a.Cgroup)
	return p, nil
}

// finish records the exit; called once, by the reap loop, with reapMu held.
func (p *Process) finish(e Exit) {
	p.exit = e
	close(p.fin)
	p.done <- e
	close(p.done)
}

// Pid is the process id, which is also its process group id.
func (p *Process) Pid() int { return p.pid }

// Started is when Start returned: the program had been exec'd by then.
func (p *Process) Started() time.Time { return p.started }

// String is "pid N".
func (p *Process) String() string { return "pid " + strconv.Itoa(p.pid) }

// Done returns the same channel on every call. It receives the Exit exactly
// once, when the process has been reaped, and is then closed: later
// receives return at once with the zero Exit and ok == false. Use Exited
// for the value after the first receive.
func (p *Process) Done() <-chan Exit { return p.done }

// Exited returns the Exit once the process has been reaped.
func (p *Process) Exited() (Exit, bool) {
	select {
	case <-p.fin:
		return p.exit, true
	default:
		return Exit{}, false
	}
}

// Signal sends sig to the process. Once its exit was reaped it returns
// os.ErrProcessDone and sends nothing: the pid may already belong to
// another process.
func (p *Process) Signal(sig syscall.Signal) error {
	p.r.reapMu.RLock()
	defer p.r.reapMu.RUnlock()
	if p.reaped {
		return os.ErrProcessDone
	}
	if err := unix.Kill(p.pid, sig); err != nil {
		if errors.Is(err, unix.ESRCH) {
			// Only if something else reaped it.
			return os.ErrProcessDone
		}
		return fmt.Errorf("signal %s to pid %d: %w", signals.String(sig), p.pid, err)
	}
	return nil
}

// SignalGroup sends sig to every member of the process's group, which it
// leads. It works after the leader exited while other members remain: a
// pgid is not reused as long as its group has a member. ESRCH (no member
// left) is returned as os.ErrProcessDone.
func (p *Process) SignalGroup(sig syscall.Signal) error {
	if err := unix.Kill(-p.pid, sig); err != nil {
		if errors.Is(err, unix.ESRCH) {
			return os.ErrProcessDone
		}
		return fmt.Errorf("signal %s to process group %d: %w", signals.String(sig), p.pid, err)
	}
	return nil
}

// GroupAlive reports whether any member of the process group still exists.
// An exited but unreaped member (a zombie) counts.
func (p *Process) GroupAlive() bool {
	err := unix.Kill(-p.pid, 0)
	return err == nil || errors.Is(err, unix.EPERM)
}

// checkDir reports an unusable working directory as a SpawnError naming
// it: after ForkExec, a failed chdir is indistinguishable from a failed
// exec.
func checkDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return &SpawnError{Op: "dir", Path: dir, Err: err}
	}
	if !fi.IsDir() {
		return &SpawnError{Op: "dir", Path: dir, Err: syscall.ENOTDIR}
	}
	return nil
}

// spawnError attributes a ForkExec failure. A directory that exists but
// cannot be entered fails in the child's chdir, with the errno of a failed
// exec; blame the directory when it is not searchable.
func spawnError(path, dir string, err error) error {
	if dir != "" && (errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ENOTDIR)) {
		if aerr := unix.Access(dir, unix.X_OK); aerr != nil {
			return &SpawnError{Op: "dir", Path: dir, Err: aerr}
		}
	}
	return &SpawnError{Op: "spawn", Path: path, Err: err}
}

// pathOf is the PATH the child's Argv[0] is looked up in: the last PATH in
// env (as os/exec deduplicates), else this process's.
func pathOf(env []string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], "PATH="); ok {
			return v
		}
	}
	return os.Getenv("PATH")
}

// lookPath resolves a program name. A name with a slash is used as is, so
// that exec reports its own error (ENOENT, EACCES, ENOEXEC) on it.
func lookPath(name, pathList string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	for _, dir := range filepath.SplitList(pathList) {
		if !filepath.IsAbs(dir) {
			continue
		}
		path := filepath.Join(dir, name)
		if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return path, nil
		}
	}
	return "", notInPathError{}
}
