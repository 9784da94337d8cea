// Package cgroup gives each job a cgroup v2 of its own below sup's, when
// sup's cgroup is writable (delegated by systemd, or sup runs as root in a
// container that mounts cgroup2 read-write): a process cannot leave its
// cgroup, so killing the cgroup (cgroup.kill) ends every descendant, setsid
// escapees and double-forked daemons included (R2).
package cgroup

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Root is sup's own subtree: <sup's cgroup>/sup-<pid>, one directory per
// job below it.
type Root struct {
	dir string
}

// Open creates sup's subtree, or says why there is none: no cgroup v2
// mount, sup's cgroup is not writable, or the kernel lacks cgroup.kill
// (before 5.14).
func Open(name string) (*Root, error) {
	own, err := ownPath()
	if err != nil {
		return nil, err
	}
	mnt, root, err := mountPoint()
	if err != nil {
		return nil, err
	}
	rel, ok := strings.CutPrefix(own, root)
	if !ok {
		return nil, fmt.Errorf("sup's cgroup %s is outside the cgroup2 mount (root %s)", own, root)
	}
	parent := filepath.Join(mnt, rel)
	removeStale(parent, name)
	dir := filepath.Join(parent, name)
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("cannot create %s: %w", dir, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "cgroup.kill")); err != nil {
		os.Remove(dir)
		return nil, fmt.Errorf("no cgroup.kill in %s (Linux 5.14 or later is needed)", dir)
	}
	return &Root{dir: dir}, nil
}

// removeStale removes the empty subtrees that sups killed without a
// chance to clean up left beside name ("sup-<pid>" of a pid that is gone).
// One that still holds processes is left alone: those are survivors,
// which the sup of their state dir finds (R1).
func removeStale(parent, name string) {
	prefix, _, ok := strings.Cut(name, "-")
	if !ok {
		return
	}
	entries, _ := os.ReadDir(parent)
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix+"-")
		if !ok || !e.IsDir() || e.Name() == name {
			continue
		}
		pid, err := strconv.Atoi(rest)
		if err != nil || pid <= 0 || unix.Kill(pid, 0) != unix.ESRCH {
			continue
		}
		dir := filepath.Join(parent, e.Name())
		kids, _ := os.ReadDir(dir)
		for _, k := range kids {
			if k.IsDir() {
				os.Remove(filepath.Join(dir, k.Name()))
			}
		}
		os.Remove(dir)
	}
}

// Dir is the subtree's directory.
func (r *Root) Dir() string { return r.dir }

// Stale returns the subtree at dir when it is one a sup that is gone left
// behind ("sup-<pid>" of a dead pid, inside a cgroup2 mount), and nil for
// anything else: a path read from a state file never names a live sup's
// tree, nor an arbitrary directory.
func Stale(dir string) *Root {
	rest, ok := strings.CutPrefix(filepath.Base(dir), "sup-")
	if !ok || !filepath.IsAbs(dir) {
		return nil
	}
	pid, err := strconv.Atoi(rest)
	if err != nil || pid <= 0 || unix.Kill(pid, 0) != unix.ESRCH {
		return nil
	}
	var st unix.Statfs_t
	if unix.Statfs(dir, &st) != nil || st.Type != unix.CGROUP2_SUPER_MAGIC {
		return nil
	}
	return &Root{dir: dir}
}

// ownPath is sup's cgroup v2 path, from the "0::" line of /proc/self/cgroup.
func ownPath() (string, error) {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", fmt.Errorf("cgroup: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if p, ok := strings.CutPrefix(line, "0::"); ok {
			return p, nil
		}
	}
	return "", errors.New("sup is in no cgroup v2 hierarchy")
}

// mountPoint finds the cgroup2 mount and the cgroup path at its root, from
// /proc/self/mountinfo.
func mountPoint() (mnt, root string, err error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return "", "", fmt.Errorf("cgroup: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id parent major:minor root mountpoint options... - fstype source super
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		pf, qf := strings.Fields(pre), strings.Fields(post)
		if len(pf) < 5 || len(qf) < 1 || qf[0] != "cgroup2" {
			continue
		}
		if hasOpt(pf[5], "ro") {
			return "", "", fmt.Errorf("the cgroup2 mount %s is read-only", pf[4])
		}
		return unescape(pf[4]), unescape(pf[3]), nil
	}
	return "", "", errors.New("no cgroup2 mount")
}

func hasOpt(opts, o string) bool {
	for _, x := range strings.Split(opts, ",") {
		if x == o {
			return true
		}
	}
	return false
}

// unescape undoes mountinfo's octal escapes (\040 for a space).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Group is one job's cgroup.
type Group struct {
	dir string
}

// Group creates (or reuses) the cgroup named name below the root. Names
// are made safe for a directory.
func (r *Root) Group(name string) (*Group, error) {
	dir := filepath.Join(r.dir, safeName(name))
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("cgroup: %w", err)
	}
	return &Group{dir: dir}, nil
}

func safeName(name string) string {
	b := []byte(name)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			b[i] = '_'
		}
	}
	if s := string(b); s != "" && s != "." && s != ".." && !strings.HasPrefix(s, "cgroup.") {
		return s
	}
	return "_" + string(b)
}

// Dir is the cgroup's directory.
func (g *Group) Dir() string { return g.dir }

// Remove deletes the cgroup if it is empty.
func (g *Group) Remove() error { return os.Remove(g.dir) }

// Open returns the directory, for clone3's CLONE_INTO_CGROUP
// (syscall.SysProcAttr.CgroupFD): the child starts inside the cgroup, so
// it cannot fork before being moved there.
func (g *Group) Open() (*os.File, error) {
	f, err := os.OpenFile(g.dir, os.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		return nil, fmt.Errorf("cgroup: %w", err)
	}
	return f, nil
}

// Pids lists the processes in the cgroup.
func (g *Group) Pids() ([]int, error) {
	b, err := os.ReadFile(filepath.Join(g.dir, "cgroup.procs"))
	if err != nil {
		return nil, fmt.Errorf("cgroup: %w", err)
	}
	var out []int
	for _, f := range bytes.Fields(b) {
		if pid, err := strconv.Atoi(string(f)); err == nil {
			out = append(out, pid)
		}
	}
	return out, nil
}

// Populated reports whether any process is left in the cgroup.
func (g *Group) Populated() bool {
	b, err := os.ReadFile(filepath.Join(g.dir, "cgroup.events"))
	if err != nil {
		return false
	}
	return bytes.Contains(b, []byte("populated 1"))
}

// Kill SIGKILLs every process in the cgroup at once, forks in flight
// included.
func (g *Group) Kill() error {
	if err := os.WriteFile(filepath.Join(g.dir, "cgroup.kill"), []byte("1"), 0); err != nil {
		return fmt.Errorf("cgroup: %w", err)
	}
	return nil
}

// WaitEmpty waits until the cgroup holds no process or d passed, woken by
// the kernel's notification on cgroup.events (POLLPRI), not by a tick.
func (g *Group) WaitEmpty(d time.Duration) bool {
	f, err := os.Open(filepath.Join(g.dir, "cgroup.events"))
	if err != nil {
		return true
	}
	defer f.Close()
	deadline := time.Now().Add(d)
	buf := make([]byte, 512)
	for {
		// Reading through f also re-arms its notification.
		n, err := f.ReadAt(buf, 0)
		if err != nil && n == 0 {
			return !g.Populated()
		}
		if !bytes.Contains(buf[:n], []byte("populated 1")) {
			return true
		}
		left := time.Until(deadline)
		if left <= 0 {
			return false
		}
		fds := []unix.PollFd{{Fd: int32(f.Fd()), Events: unix.POLLPRI}}
		if _, err := unix.Poll(fds, int(left/time.Millisecond)+1); err != nil && err != unix.EINTR {
			return !g.Populated()
		}
	}
}

// Remove deletes the subtree: each job's cgroup is killed, waited for
// (up to d in all) and removed. It returns the cgroups that could not be
// removed.
func (r *Root) Remove(d time.Duration) error {
	entries, _ := os.ReadDir(r.dir)
	deadline := time.Now().Add(d)
	var errs []error
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		g := &Group{dir: filepath.Join(r.dir, e.Name())}
		if g.Populated() {
			g.Kill()
			g.WaitEmpty(time.Until(deadline))
		}
		if err := os.Remove(g.dir); err != nil {
			errs = append(errs, err)
		}
	}
	if err := os.Remove(r.dir); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
