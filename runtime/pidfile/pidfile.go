// Package pidfile reads and checks the pid a forking daemon writes
// (job(pidfile = ...)), and waits for a pid to exit through a pidfd.
package pidfile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sup-run/sup/runtime/filewait"
	"github.com/sup-run/sup/runtime/tree"
)

// ErrNoPid: the file does not exist yet, or holds no complete pid.
var ErrNoPid = errors.New("no pid yet")

// Read returns the pid in path: decimal, surrounded by blanks at most.
func Read(path string) (int, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, ErrNoPid
	}
	if err != nil {
		return 0, err
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return 0, ErrNoPid
	}
	pid, err := strconv.Atoi(s)
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("pid file %s holds %q, not a pid", path, s)
	}
	return pid, nil
}

// Wait returns the pid in path once it is there, woken by inotify on the
// directory (polling only while the directory does not exist). It gives up
// after timeout, or when ctx ends.
func Wait(ctx context.Context, path string, timeout time.Duration) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	changed := make(chan struct{}, 1)
	filewait.Watch(ctx, []string{path}, func() {
		select {
		case changed <- struct{}{}:
		default:
		}
	})
	var last error = ErrNoPid
	for {
		select {
		case <-changed:
			pid, err := Read(path)
			if err == nil {
				return pid, nil
			}
			last = err
		case <-ctx.Done():
			if errors.Is(last, ErrNoPid) {
				return 0, fmt.Errorf("pid file %s did not appear within %s", path, timeout)
			}
			return 0, last
		}
	}
}

// Check verifies pid may be supervised as the daemon: it runs, it is not
// sup, and sup started it (its chain of parents reaches sup, the child
// subreaper that double-forked daemons are reparented to).
func Check(path string, pid int) error {
	self := os.Getpid()
	if pid == self || pid == 1 {
		return fmt.Errorf("pid file %s names pid %d, which is not the daemon's", path, pid)
	}
	tab, err := tree.Scan()
	if err != nil {
		return err
	}
	p, ok := tab[pid]
	if !ok || p.Zombie {
		return fmt.Errorf("pid file %s names pid %d, which is not running", path, pid)
	}
	if !tab.IsDescendant(pid, self) {
		return fmt.Errorf("pid file %s names pid %d, which sup did not start", path, pid)
	}
	return nil
}

// Watcher waits for the exit of a process that is not sup's child,
// through a pidfd. Close releases it.
type Watcher struct {
	fd int
}

// Open opens a pidfd on pid.
func Open(pid int) (*Watcher, error) {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return nil, fmt.Errorf("pidfd of %d: %w", pid, err)
	}
	return &Watcher{fd: fd}, nil
}

// Wait blocks until the process has exited.
func (w *Watcher) Wait() {
	fds := []unix.PollFd{{Fd: int32(w.fd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(fds, -1)
		if err == unix.EINTR || (err == nil && n == 0) {
			continue
		}
		return
	}
}

// Signal sends sig to the process, never to a later one reusing its pid.
func (w *Watcher) Signal(sig unix.Signal) error {
	err := unix.PidfdSendSignal(w.fd, sig, nil, 0)
	if errors.Is(err, unix.ESRCH) {
		return os.ErrProcessDone
	}
	return err
}

// Close releases the pidfd.
func (w *Watcher) Close() error { return unix.Close(w.fd) }
