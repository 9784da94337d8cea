// Package track finds every process that belongs to a job, so that stop,
// crash and shutdown leave none behind (R2, R3). Two ways, chosen once at
// startup:
//
//   - cgroup: each job runs in a cgroup v2 of its own (package cgroup); a
//     process cannot leave it, and cgroup.kill ends them all at once.
//   - process-group: without a writable cgroup v2 subtree. A job's
//     members are its process group, the descendants of its leader, the
//     processes in sessions seen among them before (setsid escapees), and
//     the orphans reparented to sup (child subreaper) whose environment
//     names the job (SUP_INSTANCE). The process table is read only when a
//     job is signalled or exits, never on a tick. A daemon that escapes,
//     loses its parent before it was ever seen and clears its environment
//     is beyond it: sup then kills it at shutdown, with every other
//     orphan.
//
// Only descendants of sup are ever signalled.
package track

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sup-run/sup/runtime/cgroup"
	"github.com/sup-run/sup/runtime/tree"
)

// The tracking modes, as status reports them.
const (
	Cgroup       = "cgroup"
	ProcessGroup = "process-group"
)

// InstanceEnv is the variable that names a process's job instance in its
// environment; orphans are attributed by it.
const InstanceEnv = "SUP_INSTANCE"

// Options configure New.
type Options struct {
	// Mode is "auto" (or ""), "cgroup" (fail without one) or
	// "process-group".
	Mode string
	Log  *slog.Logger
	// Started reports whether pid is a process sup started and has not
	// reaped (a job leader or a hook): such a child of sup is never taken
	// for an orphan.
	Started func(pid int) bool
}

// Tracker hands out a Unit per started process.
type Tracker struct {
	mode    string
	note    string
	cg      *cgroup.Root
	self    int
	log     *slog.Logger
	started func(int) bool

	mu   sync.Mutex
	seq  int
	last map[string]*cgroup.Group // the latest cgroup of each name
}

// New picks the tracking mode.
func New(opts Options) (*Tracker, error) {
	t := &Tracker{mode: ProcessGroup, self: os.Getpid(), log: opts.Log, started: opts.Started,
		last: map[string]*cgroup.Group{}}
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	if t.started == nil {
		t.started = func(int) bool { return false }
	}
	switch opts.Mode {
	case "", "auto", Cgroup:
		root, err := cgroup.Open("sup-" + strconv.Itoa(t.self))
		if err != nil {
			if opts.Mode == Cgroup {
				return nil, fmt.Errorf("tracking = \"cgroup\": %w", err)
			}
			t.note = "no writable cgroup v2 subtree: " + err.Error()
			break
		}
		t.mode, t.cg, t.note = Cgroup, root, root.Dir()
	case ProcessGroup:
		t.note = "chosen by settings(tracking = \"process-group\")"
	default:
		return nil, fmt.Errorf("tracking %q: want auto, cgroup or process-group", opts.Mode)
	}
	return t, nil
}

// Mode is Cgroup or ProcessGroup.
func (t *Tracker) Mode() string { return t.mode }

// Note says where the cgroups are, or why there are none.
func (t *Tracker) Note() string { return t.note }

// CgroupDir is sup's cgroup subtree, or "" when tracking by process group.
func (t *Tracker) CgroupDir() string {
	if t.cg == nil {
		return ""
	}
	return t.cg.Dir()
}

// Unit is the set of processes of one started process (a job's, or a
// hook's): everything it forks, however it forks.
type Unit struct {
	t    *Tracker
	name string
	cg   *cgroup.Group

	mu     sync.Mutex
	roots  map[int]uint64 // pid -> start time: the leader and adopted pids
	groups map[int]bool   // process groups led by roots
	sids   map[int]bool   // sessions seen among members, other than sup's
}

// Unit prepares the unit of a process about to start as instance name. A
// cgroup that cannot be made is logged and the unit falls back to the
// process table.
func (t *Tracker) Unit(name string) *Unit {
	u := &Unit{t: t, name: name, roots: map[int]uint64{}, groups: map[int]bool{}, sids: map[int]bool{}}
	if t.cg != nil {
		// A fresh cgroup for every start: a process cloned into a cgroup
		// that was once killed may be killed too (Linux's kill_seq), and
		// stragglers of an old start never mix with the new one. The
		// previous one is removed once empty.
		t.mu.Lock()
		t.seq++
		seq := t.seq
		prev := t.last[name]
		t.mu.Unlock()
		if prev != nil {
			prev.Remove()
		}
		g, err := t.cg.Group(name + "." + strconv.Itoa(seq))
		if err == nil {
			t.mu.Lock()
			t.last[name] = g
			t.mu.Unlock()
		}
		if err != nil {
			t.log.Error("cannot make a cgroup; tracking by process group", "process", name, "err", err)
		} else {
			u.cg = g
		}
	}
	return u
}

// CgroupDir opens the unit's cgroup for clone3, or returns nil without one.
func (u *Unit) CgroupDir() *os.File {
	if u.cg == nil {
		return nil
	}
	f, err := u.cg.Open()
	if err != nil {
		u.t.log.Error("cannot open a cgroup; tracking by process group", "process", u.name, "err", err)
		return nil
	}
	return f
}

// AddRoot makes pid (the started leader, or a pid adopted from a pidfile
// or a previous sup) and its group part of the unit.
func (u *Unit) AddRoot(pid int) {
	p, err := tree.Stat(pid)
	u.mu.Lock()
	defer u.mu.Unlock()
	if err == nil {
		u.roots[pid] = p.Start
		if p.PGID == pid {
			u.groups[pid] = true
		}
	} else {
		u.roots[pid] = 0
	}
}

// Members returns the unit's processes alive now (zombies left out).
func (u *Unit) Members() []tree.Proc {
	if u.cg != nil {
		return u.cgroupMembers()
	}
	tab, err := tree.Scan()
	if err != nil {
		u.t.log.Error("cannot read the process table", "err", err)
		return nil
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.members(tab)
}

func (u *Unit) members(tab tree.Table) []tree.Proc {
	self := u.t.self
	selfSID := tab[self].SID
	in := map[int]bool{}
	var tops []int
	add := func(pid int) {
		if !in[pid] && pid != self && pid > 1 && tab.IsDescendant(pid, self) {
			in[pid] = true
			tops = append(tops, pid)
		}
	}
	if u.cg != nil {
		pids, _ := u.cg.Pids()
		for _, pid := range pids {
			if _, ok := tab[pid]; ok {
				add(pid)
			}
		}
	}
	for pid, start := range u.roots {
		if p, ok := tab[pid]; ok && (start == 0 || p.Start == start) {
			add(pid)
		}
	}
	for _, p := range tab {
		switch {
		case u.groups[p.PGID], p.SID != selfSID && u.sids[p.SID]:
			add(p.PID)
		case p.PPID == self && !u.t.started(p.PID):
			if v, ok := tree.Env(p.PID, InstanceEnv); ok && v == u.name {
				add(p.PID)
			}
		}
	}
	for _, pid := range tab.Descendants(tops...) {
		in[pid] = true
	}
	var out []tree.Proc
	for pid := range in {
		p := tab[pid]
		if p.SID != selfSID && p.SID > 0 {
			u.sids[p.SID] = true
		}
		if !p.Zombie {
			out = append(out, p)
		}
	}
	return out
}

// cgroupMembers is Members in a cgroup: the cgroup's processes plus the
// roots (an adopted pid lives outside it), each read from /proc by pid.
// Everything a job forks stays in its cgroup, however it forks, so the
// whole process table is never scanned: a stop of 1000 jobs costs O(N),
// not O(N²).
func (u *Unit) cgroupMembers() []tree.Proc {
	pids, err := u.cg.Pids()
	if err != nil {
		u.t.log.Error("cannot read a cgroup's processes", "process", u.name, "err", err)
	}
	u.mu.Lock()
	roots := make(map[int]uint64, len(u.roots))
	for pid, start := range u.roots {
		roots[pid] = start
	}
	u.mu.Unlock()
	seen := map[int]bool{}
	var out []tree.Proc
	add := func(pid int, start uint64) {
		if seen[pid] || pid == u.t.self || pid <= 1 {
			return
		}
		p, err := tree.Stat(pid)
		if err != nil || p.Zombie || (start != 0 && p.Start != start) {
			return
		}
		seen[pid] = true
		out = append(out, p)
	}
	for _, pid := range pids {
		add(pid, 0)
	}
	for pid, start := range roots {
		add(pid, start)
	}
	return out
}

// Alive reports whether any process of the unit is left.
func (u *Unit) Alive() bool {
	if u.cg != nil && u.cg.Populated() {
		return true
	}
	return len(u.Members()) > 0
}

// Signal sends sig to every process of the unit: to its process groups
// as a whole, and to each member outside them (each once). SIGKILL is
// repeated until nothing is left (a member may fork meanwhile), and in a
// cgroup it is cgroup.kill. It returns os.ErrProcessDone when there was
// nothing to signal.
func (u *Unit) Signal(sig syscall.Signal) error {
	if sig == syscall.SIGKILL && u.cg != nil {
		if err := u.cg.Kill(); err == nil {
			// Members outside the cgroup (adopted pids) still need it.
			u.signalOnce(sig)
			return nil
		} else {
			u.t.log.Error("cgroup.kill failed; killing one by one", "process", u.name, "err", err)
		}
	}
	n, err := u.signalOnce(sig)
	if sig == syscall.SIGKILL {
		for round := 0; round < 10 && n > 0 && err == nil; round++ {
			n, err = u.signalOnce(sig)
		}
	}
	if err != nil {
		return err
	}
	if n == 0 {
		return os.ErrProcessDone
	}
	return nil
}

// signalOnce signals what is there now and reports how many it reached.
func (u *Unit) signalOnce(sig syscall.Signal) (int, error) {
	ms := u.Members()
	u.mu.Lock()
	groups := make(map[int]bool, len(u.groups))
	for g := range u.groups {
		groups[g] = true
	}
	u.mu.Unlock()
	n := 0
	var errs []error
	for g := range groups {
		switch err := unix.Kill(-g, sig); {
		case err == nil:
			n++
		case !errors.Is(err, unix.ESRCH):
			errs = append(errs, fmt.Errorf("signal process group %d: %w", g, err))
		}
	}
	for _, m := range ms {
		if groups[m.PGID] {
			continue
		}
		if err := signalExact(m, sig); err == nil {
			n++
		} else if !errors.Is(err, unix.ESRCH) {
			errs = append(errs, err)
		}
	}
	return n, errors.Join(errs...)
}

// signalExact signals the process p describes and no later one reusing
// its pid: through a pidfd, after checking the start time.
func signalExact(p tree.Proc, sig syscall.Signal) error {
	fd, err := unix.PidfdOpen(p.PID, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if now, err := tree.Stat(p.PID); err != nil || now.Start != p.Start {
		return unix.ESRCH
	}
	if err := unix.PidfdSendSignal(fd, sig, nil, 0); err != nil {
		return fmt.Errorf("signal pid %d: %w", p.PID, err)
	}
	return nil
}

// Sweep ends at shutdown what no job claimed: every process left in sup's
// cgroups, and every orphan reparented to sup and its descendants. Jobs
// are stopped by then. It returns the pids it killed outside cgroups.
func (t *Tracker) Sweep(grace time.Duration) []int {
	var killed []int
	for round := 0; round < 10; round++ {
		tab, err := tree.Scan()
		if err != nil {
			break
		}
		var orphans []int
		for _, p := range tab {
			if p.PPID == t.self && !t.started(p.PID) && !p.Zombie {
				orphans = append(orphans, p.PID)
			}
		}
		n := 0
		for _, pid := range append(orphans, tab.Descendants(orphans...)...) {
			if p := tab[pid]; !p.Zombie && signalExact(p, syscall.SIGKILL) == nil {
				killed = append(killed, pid)
				n++
			}
		}
		if n == 0 {
			break
		}
	}
	if t.cg != nil {
		if err := t.cg.Remove(grace); err != nil {
			t.log.Warn("cannot remove sup's cgroups", "err", err)
		}
	}
	return killed
}
