package proc

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sup-run/sup/internal/testproc"
)

// startGrandchild starts a helper that starts a grandchild and returns the
// helper and the grandchild's pid.
func startGrandchild(t *testing.T, r *Reaper, sub string) (*Process, int) {
	t.Helper()
	p, line := startReading(t, r, helper(sub))
	pid, g, err := testproc.ParseGrandchild(line)
	if err != nil || pid != p.Pid() {
		t.Fatalf("%v: %v (line %q)", p, err, line)
	}
	return p, g
}

func alive(pid int) bool { return unix.Kill(pid, 0) == nil }

func parentOf(t *testing.T, pid int) int {
	t.Helper()
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "PPid:"); ok {
			ppid, _ := strconv.Atoi(strings.TrimSpace(v))
			return ppid
		}
	}
	t.Fatalf("no PPid in /proc/%d/status", pid)
	return 0
}

func TestSignalGroupKillsGrandchild(t *testing.T) {
	// As subreaper, the test process inherits the orphaned grandchild, and
	// the Reaper reaps it: the test can see it is gone, not a zombie.
	r := newReaper(t, ReaperOptions{Subreaper: true})
	p, g := startGrandchild(t, r, "grandchild")
	if pgid, err := unix.Getpgid(g); err != nil || pgid != p.Pid() {
		t.Fatalf("grandchild %d: pgid %d, %v; want the group of %v", g, pgid, err, p)
	}
	if !p.GroupAlive() {
		t.Fatal("GroupAlive false with two members")
	}
	if err := p.SignalGroup(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if e := wait(t, p); e.Signal != syscall.SIGKILL {
		t.Errorf("leader: %v", e)
	}
	waitFor(t, "the grandchild to be reaped as an orphan", func() bool { return r.Orphans() == 1 })
	if err := unix.Kill(g, 0); err != unix.ESRCH {
		t.Errorf("kill(grandchild %d, 0) = %v, want ESRCH", g, err)
	}
	if p.GroupAlive() {
		t.Error("GroupAlive after the group was killed and reaped")
	}
	if err := p.SignalGroup(syscall.SIGKILL); err != os.ErrProcessDone {
		t.Errorf("SignalGroup of an empty group: %v", err)
	}
	checkNoZombies(t)
}

func TestSignalGroupAfterLeaderExit(t *testing.T) {
	r := newReaper(t, ReaperOptions{Subreaper: true})
	p, g := startGrandchild(t, r, "grandchild")
	if err := p.Signal(syscall.SIGKILL); err != nil { // the leader alone
		t.Fatal(err)
	}
	wait(t, p)
	if err := p.Signal(syscall.SIGKILL); err != os.ErrProcessDone {
		t.Errorf("Signal to the reaped leader: %v", err)
	}
	// The orphaned grandchild keeps the group, and so its pgid, alive.
	if !alive(g) || !p.GroupAlive() {
		t.Fatalf("grandchild alive %v, GroupAlive %v; want both", alive(g), p.GroupAlive())
	}
	if ppid := parentOf(t, g); ppid != os.Getpid() {
		t.Errorf("grandchild's parent %d, want this subreaper %d", ppid, os.Getpid())
	}
	if err := p.SignalGroup(syscall.SIGKILL); err != nil {
		t.Fatalf("SignalGroup after the leader's exit: %v", err)
	}
	waitFor(t, "the group to empty", func() bool { return !p.GroupAlive() })
	waitFor(t, "the grandchild to be reaped", func() bool { return r.Orphans() == 1 })
	if err := p.SignalGroup(syscall.SIGTERM); err != os.ErrProcessDone {
		t.Errorf("SignalGroup of an empty group: %v", err)
	}
	checkNoZombies(t)
}

// TestSetsidEscapesGroup pins down the limit of group signals (R2 needs
// more): a grandchild that called setsid survives SignalGroup and, with
// Subreaper, is reparented to sup, which reaps it once it is killed.
func TestSetsidEscapesGroup(t *testing.T) {
	r := newReaper(t, ReaperOptions{Subreaper: true})
	p, g := startGrandchild(t, r, "setsid-grandchild")
	if sid, err := unix.Getsid(g); err != nil || sid != g {
		t.Fatalf("escapee %d: sid %d, %v", g, sid, err)
	}
	if err := p.SignalGroup(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	wait(t, p)
	if !alive(g) {
		t.Fatal("the escapee died with the group")
	}
	if ppid := parentOf(t, g); ppid != os.Getpid() {
		t.Errorf("escapee's parent %d, want this subreaper %d", ppid, os.Getpid())
	}
	if err := unix.Kill(g, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the escapee to be reaped", func() bool { return r.Orphans() == 1 })
	if alive(g) {
		t.Error("escapee still exists after its reaping")
	}
	checkNoZombies(t)
}
