package proc

import (
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sup-run/sup/internal/testproc"
)

// R12: a child gets fds 0-2 only, even when sup inherited more.
func TestChildGetsOnlyStdio(t *testing.T) {
	// A descriptor without close-on-exec, as a sandbox or CI runner leaks
	// into sup. NewReaper must mark it.
	leak, err := unix.Open(os.DevNull, unix.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(leak)
	r := newReaper(t, ReaperOptions{})

	_, errw := pipe(t)
	out, e := output(t, r, Attr{Argv: testproc.Argv("print-fds"), Stderr: errw})
	if !e.Success() {
		t.Fatalf("print-fds: %v", e)
	}
	if got := fmt.Sprint(testproc.InheritedFDs(out)); got != "[0 1 2]" {
		t.Errorf("child inherited fds %s (leaked fd %d), want [0 1 2]:\n%s", got, leak, out)
	}
	if !strings.HasPrefix(out, "fd 0 -> /dev/null\nfd 1 -> pipe:[") || !strings.Contains(out, "\nfd 2 -> pipe:[") {
		t.Errorf("stdin not /dev/null or stdout/stderr not the pipes:\n%s", out)
	}

	out, _ = output(t, r, Attr{Argv: testproc.Argv("print-fds")})
	if !strings.Contains(out, "\nfd 2 -> /dev/null\n") {
		t.Errorf("nil Stderr is not /dev/null:\n%s", out)
	}
}

// R12: default dispositions and an empty mask. A Go helper cannot show
// inherited dispositions (its runtime replaces SIG_IGN with its own
// handlers), so a plain C program reads its own status.
func TestChildSignalDispositions(t *testing.T) {
	cat, err := lookPath("cat", os.Getenv("PATH"))
	if err != nil {
		t.Skip("no cat in PATH")
	}
	// Signals this process handles must come out default in the child.
	sigc := make(chan os.Signal, 1)
	signal.Notify(sigc, syscall.SIGPIPE, syscall.SIGUSR1, syscall.SIGTERM)
	defer signal.Stop(sigc)

	own, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	// What Go itself keeps ignored: SIGHUP or SIGINT, only if this test was
	// started with them ignored (nohup). Children inherit that; see the
	// package documentation.
	startIgnored := statusField(t, string(own), "SigIgn")
	if startIgnored != 0 {
		t.Logf("test process started with SigIgn %x; not held against the child", startIgnored)
	}

	r := newReaper(t, ReaperOptions{})
	status, e := output(t, r, Attr{Argv: []string{cat, "/proc/self/status"}})
	if !e.Success() {
		t.Fatalf("cat: %v", e)
	}
	if blk := statusField(t, status, "SigBlk"); blk != 0 {
		t.Errorf("child SigBlk %016x, want an empty mask", blk)
	}
	ign := statusField(t, status, "SigIgn")
	if ign&^startIgnored != 0 {
		t.Errorf("child SigIgn %016x, want none ignored", ign)
	}
	if ign&sigBit(syscall.SIGPIPE) != 0 {
		t.Error("SIGPIPE ignored in the child")
	}

	// The Go helper's view: its main thread's mask is empty too.
	out, _ := output(t, r, helper("print-sigs"))
	if blk := statusField(t, out, "SigBlk"); blk != 0 {
		t.Errorf("helper SigBlk %016x", blk)
	}
}

// R12: every child leads its own process group, in sup's session.
func TestChildOwnProcessGroup(t *testing.T) {
	r := newReaper(t, ReaperOptions{})
	p := start(t, r, helper("sleep", "inf"))
	defer wait(t, p)
	defer p.Signal(syscall.SIGKILL)
	pgid, err := unix.Getpgid(p.Pid())
	if err != nil || pgid != p.Pid() {
		t.Errorf("pgid %d, %v; want %d", pgid, err, p.Pid())
	}
	if mine := unix.Getpgrp(); pgid == mine {
		t.Errorf("child shares the test's group %d", mine)
	}
	sid, _ := unix.Getsid(p.Pid())
	if mine, _ := unix.Getsid(0); sid != mine {
		t.Errorf("child session %d, want the test's %d", sid, mine)
	}
}
