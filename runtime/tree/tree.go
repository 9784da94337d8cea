// Package tree reads the process table from /proc: who is whose parent, in
// which process group and session, since when. sup uses it to find every
// descendant of a job when no cgroup holds them (R2, R3), and to check that
// the pid a pidfile names is one sup started.
package tree

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Proc is one process, from /proc/<pid>/stat.
type Proc struct {
	PID, PPID, PGID, SID int
	// Start is the start time in clock ticks since boot: with PID, it
	// names a process, since pids are reused.
	Start  uint64
	Zombie bool
}

// Table is a snapshot of the processes visible in /proc.
type Table map[int]Proc

// Scan reads every /proc/<pid>/stat. Processes that exit while it reads
// are left out.
func Scan() (Table, error) {
	d, err := os.Open("/proc")
	if err != nil {
		return nil, fmt.Errorf("tree: %w", err)
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil, fmt.Errorf("tree: %w", err)
	}
	t := make(Table, len(names))
	for _, n := range names {
		pid, err := strconv.Atoi(n)
		if err != nil || pid <= 0 {
			continue
		}
		if p, err := Stat(pid); err == nil {
			t[pid] = p
		}
	}
	return t, nil
}

// Stat reads one process.
func Stat(pid int) (Proc, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return Proc{}, err
	}
	return parseStat(pid, b)
}

// parseStat reads the fields after the command name, which may hold spaces
// and parentheses: they are counted after its last ')'.
func parseStat(pid int, b []byte) (Proc, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return Proc{}, errors.New("tree: malformed stat")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return Proc{}, errors.New("tree: malformed stat")
	}
	p := Proc{PID: pid, Zombie: f[0] == "Z" || f[0] == "X"}
	var errs [4]error
	p.PPID, errs[0] = strconv.Atoi(f[1])
	p.PGID, errs[1] = strconv.Atoi(f[2])
	p.SID, errs[2] = strconv.Atoi(f[3])
	p.Start, errs[3] = strconv.ParseUint(f[19], 10, 64)
	if err := errors.Join(errs[:]...); err != nil {
		return Proc{}, fmt.Errorf("tree: malformed stat: %w", err)
	}
	return p, nil
}

// Children maps each pid to its children's pids.
func (t Table) Children() map[int][]int {
	c := make(map[int][]int, len(t))
	for _, p := range t {
		c[p.PPID] = append(c[p.PPID], p.PID)
	}
	return c
}

// Descendants returns the pids below each root (not the roots), each once.
func (t Table) Descendants(roots ...int) []int {
	kids := t.Children()
	seen := map[int]bool{}
	for _, r := range roots {
		seen[r] = true
	}
	var out []int
	stack := append([]int(nil), roots...)
	for len(stack) > 0 {
		pid := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, k := range kids[pid] {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
				stack = append(stack, k)
			}
		}
	}
	return out
}

// IsDescendant reports whether pid's chain of parents reaches ancestor.
func (t Table) IsDescendant(pid, ancestor int) bool {
	for range len(t) + 1 {
		p, ok := t[pid]
		if !ok || p.PPID == 0 {
			return false
		}
		if p.PPID == ancestor {
			return true
		}
		pid = p.PPID
	}
	return false
}

// Env returns the value of key in the environment pid started with
// (/proc/<pid>/environ; a process may have changed its own since).
func Env(pid int, key string) (string, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return "", false
	}
	prefix := key + "="
	for _, kv := range strings.Split(string(b), "\x00") {
		if v, ok := strings.CutPrefix(kv, prefix); ok {
			return v, true
		}
	}
	return "", false
}
