package proc

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// Users looks up accounts; os/user in production, a table in tests.
type Users interface {
	Lookup(name string) (*user.User, error)
	LookupGroup(name string) (*user.Group, error)
	GroupIds(u *user.User) ([]string, error)
}

// SystemUsers is Users backed by os/user.
type SystemUsers struct{}

func (SystemUsers) Lookup(name string) (*user.User, error) {
	if _, err := strconv.Atoi(name); err == nil {
		return user.LookupId(name)
	}
	return user.Lookup(name)
}

func (SystemUsers) LookupGroup(name string) (*user.Group, error) {
	if _, err := strconv.Atoi(name); err == nil {
		return user.LookupGroupId(name)
	}
	return user.LookupGroup(name)
}

func (SystemUsers) GroupIds(u *user.User) ([]string, error) { return u.GroupIds() }

// ResolveCredential is the identity of a child started with user and group
// ("" = unchanged) by a process whose effective uid is euid. A user brings
// its primary group and its supplementary groups; a group alone changes
// only the group (and drops supplementary groups). A numeric user or group
// without an account is used as is. Switching identity needs root: as
// another uid it is a clear error, unless the identity is sup's own.
func ResolveCredential(users Users, userName, groupName string, euid int) (*syscall.Credential, error) {
	if userName == "" && groupName == "" {
		return nil, nil
	}
	c := &syscall.Credential{Uid: uint32(os.Getuid()), Gid: uint32(os.Getgid())}
	if userName != "" {
		u, err := users.Lookup(userName)
		switch {
		case err == nil:
			uid, _ := strconv.ParseUint(u.Uid, 10, 32)
			gid, _ := strconv.ParseUint(u.Gid, 10, 32)
			c.Uid, c.Gid = uint32(uid), uint32(gid)
			ids, err := users.GroupIds(u)
			if err != nil {
				return nil, fmt.Errorf("user %q: supplementary groups: %w", userName, err)
			}
			for _, id := range ids {
				if g, err := strconv.ParseUint(id, 10, 32); err == nil {
					c.Groups = append(c.Groups, uint32(g))
				}
			}
		case isNumber(userName):
			uid, _ := strconv.ParseUint(userName, 10, 32)
			c.Uid, c.Gid = uint32(uid), uint32(uid)
		default:
			return nil, fmt.Errorf("user %q: %w", userName, unknownErr(err))
		}
	}
	if groupName != "" {
		g, err := users.LookupGroup(groupName)
		switch {
		case err == nil:
			gid, _ := strconv.ParseUint(g.Gid, 10, 32)
			c.Gid = uint32(gid)
		case isNumber(groupName):
			gid, _ := strconv.ParseUint(groupName, 10, 32)
			c.Gid = uint32(gid)
		default:
			return nil, fmt.Errorf("group %q: %w", groupName, unknownErr(err))
		}
		if userName == "" {
			c.Groups = []uint32{}
		}
	}
	if euid != 0 && (int(c.Uid) != euid || userName == "" && int(c.Gid) != os.Getgid()) {
		who := "user " + strconv.Quote(userName)
		if userName == "" {
			who = "group " + strconv.Quote(groupName)
		}
		return nil, fmt.Errorf("%s: sup runs as uid %d, not root, and cannot switch identity (%w)", who, euid, unix.EPERM)
	}
	if euid != 0 {
		c.NoSetGroups = true
	}
	return c, nil
}

func isNumber(s string) bool {
	_, err := strconv.ParseUint(s, 10, 32)
	return err == nil
}

func unknownErr(err error) error {
	var ue user.UnknownUserError
	var ge user.UnknownGroupError
	if errors.As(err, &ue) || errors.As(err, &ge) {
		return errors.New("no such account")
	}
	return err
}
