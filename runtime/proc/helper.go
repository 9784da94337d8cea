package proc

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall"
)

// helperArgs are the arguments of the exec helper after its own leading
// ones: UMASK UID GID GROUPS PATH, where UID, GID and GROUPS are "-" when
// the identity is kept. ARGV follows.
func helperArgs(umask uint32, c *syscall.Credential, path string) []string {
	if c == nil {
		return []string{fmt.Sprintf("%03o", umask), "-", "-", "-", path}
	}
	groups := "-"
	if !c.NoSetGroups {
		ids := make([]string, len(c.Groups))
		for i, g := range c.Groups {
			ids[i] = strconv.FormatUint(uint64(g), 10)
		}
		groups = "[" + strings.Join(ids, ",") + "]"
	}
	return []string{fmt.Sprintf("%03o", umask), strconv.FormatUint(uint64(c.Uid), 10),
		strconv.FormatUint(uint64(c.Gid), 10), groups, path}
}

// ExecHelper is the body of the exec helper: given the arguments
// helperArgs produced followed by ARGV, it sets the groups, gid, uid and
// umask, then execs PATH with ARGV. It returns only on failure.
func ExecHelper(args []string, environ []string) error {
	if len(args) < 6 {
		return errors.New("usage: UMASK UID GID GROUPS PATH ARGV...")
	}
	mask, err := strconv.ParseUint(args[0], 8, 32)
	if err != nil || mask > 0o777 {
		return fmt.Errorf("bad umask %q", args[0])
	}
	if g := args[3]; g != "-" {
		var ids []int
		for _, s := range strings.Split(strings.Trim(g, "[]"), ",") {
			if s == "" {
				continue
			}
			n, err := strconv.Atoi(s)
			if err != nil {
				return fmt.Errorf("bad groups %q", g)
			}
			ids = append(ids, n)
		}
		if err := syscall.Setgroups(ids); err != nil {
			return fmt.Errorf("setgroups: %w", err)
		}
	}
	if args[2] != "-" {
		gid, err := strconv.Atoi(args[2])
		if err != nil {
			return fmt.Errorf("bad gid %q", args[2])
		}
		if err := syscall.Setgid(gid); err != nil {
			return fmt.Errorf("setgid %d: %w", gid, err)
		}
	}
	if args[1] != "-" {
		uid, err := strconv.Atoi(args[1])
		if err != nil {
			return fmt.Errorf("bad uid %q", args[1])
		}
		if err := syscall.Setuid(uid); err != nil {
			return fmt.Errorf("setuid %d: %w", uid, err)
		}
	}
	syscall.Umask(int(mask))
	err = syscall.Exec(args[4], args[5:], environ)
	return fmt.Errorf("exec %s: %w", args[4], err)
}
