package proc

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sup-run/sup/internal/testproc"
)

func TestExitString(t *testing.T) {
	tests := []struct {
		ws   unix.WaitStatus
		want Exit
		str  string
	}{
		{0, Exit{Code: 0}, "exit status 0"},
		{3 << 8, Exit{Code: 3}, "exit status 3"},
		{255 << 8, Exit{Code: 255}, "exit status 255"},
		{unix.WaitStatus(syscall.SIGKILL), Exit{Code: -1, Signal: syscall.SIGKILL}, "killed by SIGKILL"},
		{unix.WaitStatus(syscall.SIGSEGV) | 0x80, Exit{Code: -1, Signal: syscall.SIGSEGV, Core: true}, "killed by SIGSEGV (core dumped)"},
		{40, Exit{Code: -1, Signal: 40}, "killed by signal 40"},
	}
	at := time.Now()
	for _, tt := range tests {
		got := exitFromStatus(12, tt.ws, at)
		tt.want.Pid, tt.want.Time = 12, at
		if got != tt.want || got.String() != tt.str {
			t.Errorf("status %#x: %+v %q, want %+v %q", int(tt.ws), got, got, tt.want, tt.str)
		}
	}
}

func TestExitCodeAndSignal(t *testing.T) {
	r := newReaper(t, ReaperOptions{})

	p := start(t, r, helper("exit", "7"))
	e := wait(t, p)
	if e.Code != 7 || e.Signal != 0 || e.Core || e.Pid != p.Pid() || e.String() != "exit status 7" {
		t.Errorf("exit 7: %+v %q", e, e)
	}
	if e.Time.Before(p.Started()) {
		t.Errorf("reaped at %v, before Started %v", e.Time, p.Started())
	}

	p = start(t, r, helper("crash-after", "10ms"))
	if e := wait(t, p); e.Code != 3 || e.Success() {
		t.Errorf("crash-after: %+v", e)
	}
	p = start(t, r, helper("exit", "0"))
	if e := wait(t, p); !e.Success() {
		t.Errorf("exit 0: %+v", e)
	}

	p = start(t, r, helper("sleep", "inf"))
	if err := p.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	e = wait(t, p)
	if e.Code != -1 || e.Signal != syscall.SIGTERM || e.String() != "killed by SIGTERM" {
		t.Errorf("SIGTERM: %+v %q", e, e)
	}
}

func TestIgnoreTermThenKill(t *testing.T) {
	r := newReaper(t, ReaperOptions{})
	p, line := startReading(t, r, helper("ignore-term"))
	if line != "ready\n" {
		t.Fatalf("first line %q", line)
	}
	// The helper ignores SIGTERM (so the kernel discards it at once), and
	// the SIGKILL that follows is what ends it.
	status, err := os.ReadFile("/proc/" + strconv.Itoa(p.Pid()) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	if statusField(t, string(status), "SigIgn")&sigBit(syscall.SIGTERM) == 0 {
		t.Fatal("helper does not ignore SIGTERM")
	}
	if err := p.SignalGroup(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.SignalGroup(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if e := wait(t, p); e.Signal != syscall.SIGKILL || e.String() != "killed by SIGKILL" {
		t.Errorf("got %+v %q", e, e)
	}
}

func TestSpawnErrors(t *testing.T) {
	r := newReaper(t, ReaperOptions{})
	dir := t.TempDir()
	notExec := filepath.Join(dir, "x")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage")
	if err := os.WriteFile(garbage, []byte("\x00\x01not a program\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	self := testproc.Argv()[0]
	closed, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()

	tests := []struct {
		attr  Attr
		msg   string
		errno syscall.Errno
	}{
		{Attr{Argv: []string{"/no/such/bin"}}, "spawn /no/such/bin: no such file or directory", syscall.ENOENT},
		{Attr{Argv: []string{notExec}}, "spawn " + notExec + ": permission denied", syscall.EACCES},
		{Attr{Argv: []string{"./x"}, Dir: dir}, "spawn ./x: permission denied", syscall.EACCES},
		{Attr{Argv: []string{garbage}}, "spawn " + garbage + ": exec format error", syscall.ENOEXEC},
		{Attr{Argv: []string{self}, Dir: "/no/such/dir"}, "dir /no/such/dir: no such file or directory", syscall.ENOENT},
		{Attr{Argv: []string{self}, Dir: notExec}, "dir " + notExec + ": not a directory", syscall.ENOTDIR},
		{Attr{Argv: []string{"sup-no-such-program"}, Env: []string{"PATH=/usr/bin:" + dir}},
			"spawn sup-no-such-program: executable file not found in $PATH", syscall.ENOENT},
		// A PATH entry with a non-executable file of that name is skipped.
		{Attr{Argv: []string{"x"}, Env: []string{"PATH=" + dir}}, "spawn x: executable file not found in $PATH", syscall.ENOENT},
		{Attr{Argv: []string{self}, Stdout: closed}, "stdout /dev/null: file already closed", 0},
	}
	for _, tt := range tests {
		p, err := r.Start(tt.attr)
		var se *SpawnError
		if p != nil || !errors.As(err, &se) {
			t.Errorf("Start(%q, dir %q) = %v, %v; want a *SpawnError", tt.attr.Argv, tt.attr.Dir, p, err)
			continue
		}
		if err.Error() != tt.msg {
			t.Errorf("Start(%q, dir %q): %q, want %q", tt.attr.Argv, tt.attr.Dir, err, tt.msg)
		}
		if tt.errno != 0 && !errors.Is(err, tt.errno) {
			t.Errorf("%q: not errors.Is %v", err, tt.errno)
		}
	}
	if _, err := r.Start(Attr{}); err == nil {
		t.Error("Start with no argv: no error")
	}
	if _, err := r.Start(Attr{Argv: []string{"/no/such"}}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing binary: %v is not fs.ErrNotExist", err)
	}

	// A child after the failures: its exit is the only one the loop saw.
	wait(t, start(t, r, helper("exit", "0")))
	if n := r.Orphans(); n != 0 {
		t.Errorf("failed spawns counted as %d orphans", n)
	}
	if n := r.Running(); n != 0 {
		t.Errorf("%d registered processes after failed spawns", n)
	}
	checkNoZombies(t)
}

func TestEnvDirAndPath(t *testing.T) {
	r := newReaper(t, ReaperOptions{})
	out, e := output(t, r, Attr{Argv: testproc.Argv("echo-env", "A", "PATH", "HOME"), Env: []string{"A=1 2"}})
	if out != "A=1 2\nPATH unset\nHOME unset\n" || !e.Success() {
		t.Errorf("exact environment: %q, %v", out, e)
	}

	dir := t.TempDir()
	out, _ = output(t, r, Attr{Argv: testproc.Argv("pwd"), Dir: dir})
	if out != dir+"\n" {
		t.Errorf("pwd in %q: %q", dir, out)
	}

	// Argv[0] through the PATH of Env, and relative to Dir.
	if err := os.Symlink(testproc.Argv()[0], filepath.Join(dir, "sup-helper")); err != nil {
		t.Fatal(err)
	}
	p := start(t, r, Attr{
		Argv: []string{"sup-helper", testproc.Marker, "exit", "5"},
		Env:  []string{"PATH=relative:/nonexistent:" + dir},
	})
	if e := wait(t, p); e.Code != 5 {
		t.Errorf("PATH lookup: %v", e)
	}
	p = start(t, r, Attr{Argv: []string{"./sup-helper", testproc.Marker, "exit", "6"}, Dir: dir})
	if e := wait(t, p); e.Code != 6 {
		t.Errorf("relative to Dir: %v", e)
	}
}

func TestDoneSignalAndClose(t *testing.T) {
	r, err := NewReaper(testLogger(t), ReaperOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p := start(t, r, helper("exit", "0"))
	e := wait(t, p)
	checkGone := func(when string) {
		t.Helper()
		if got, ok := <-p.Done(); ok {
			t.Errorf("%s: Done delivered a second Exit %+v", when, got)
		}
		if got, ok := p.Exited(); !ok || got != e {
			t.Errorf("%s: Exited() = %+v, %v; want %+v", when, got, ok, e)
		}
		for range 2 {
			if err := p.Signal(syscall.SIGTERM); err != os.ErrProcessDone {
				t.Errorf("%s: Signal after exit: %v", when, err)
			}
		}
		if err := p.SignalGroup(syscall.SIGTERM); err != os.ErrProcessDone {
			t.Errorf("%s: SignalGroup after exit: %v", when, err)
		}
		if p.GroupAlive() {
			t.Errorf("%s: GroupAlive after exit", when)
		}
	}
	checkGone("before Close")

	q := start(t, r, helper("sleep", "inf"))
	if _, ok := q.Exited(); ok {
		t.Error("Exited() of a running process")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	checkGone("after Close")
	if _, err := r.Start(helper("exit", "0")); !errors.Is(err, ErrClosed) {
		t.Errorf("Start after Close: %v", err)
	}

	// q is no longer reaped, so its pid stays its own and Signal still works.
	if err := q.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("Signal after Close: %v", err)
	}
	var ws unix.WaitStatus
	// No Reaper runs now, so the test may wait itself.
	if pid, err := unix.Wait4(q.Pid(), &ws, 0, nil); pid != q.Pid() || err != nil || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("wait4(%d) = %d, %v, status %#x", q.Pid(), pid, err, int(ws))
	}
	select {
	case e := <-q.Done():
		t.Errorf("Done after Close delivered %+v", e)
	default:
	}
}

// TestSignalRacesExit signals children as they exit: the only outcomes are
// delivery and os.ErrProcessDone (run with -race).
func TestSignalRacesExit(t *testing.T) {
	r := newReaper(t, ReaperOptions{})
	var wg sync.WaitGroup
	for range 50 {
		p := start(t, r, helper("exit", "0"))
		wg.Go(func() {
			for {
				err := p.Signal(0)
				if err == os.ErrProcessDone {
					break
				}
				if err != nil {
					t.Errorf("%v: Signal: %v", p, err)
					break
				}
				time.Sleep(20 * time.Microsecond)
			}
			if _, ok := p.Exited(); !ok {
				t.Errorf("%v: ErrProcessDone before its exit was recorded", p)
			}
		})
	}
	wg.Wait()
}
