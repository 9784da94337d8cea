package proc

import (
	"os"
	"os/user"
	"reflect"
	"syscall"
	"testing"
)

type fakeUsers struct{}

func (fakeUsers) Lookup(name string) (*user.User, error) {
	if name == "www" || name == "1500" {
		return &user.User{Username: "www", Uid: "1500", Gid: "1501"}, nil
	}
	return nil, user.UnknownUserError(name)
}

func (fakeUsers) LookupGroup(name string) (*user.Group, error) {
	if name == "web" {
		return &user.Group{Name: "web", Gid: "1600"}, nil
	}
	return nil, user.UnknownGroupError(name)
}

func (fakeUsers) GroupIds(u *user.User) ([]string, error) { return []string{"1501", "1700"}, nil }

func TestResolveCredential(t *testing.T) {
	me, mygid := os.Getuid(), uint32(os.Getgid())
	cases := []struct {
		user, group string
		euid        int
		want        *syscall.Credential
		err         string
	}{
		{"", "", 0, nil, ""},
		{"www", "", 0, &syscall.Credential{Uid: 1500, Gid: 1501, Groups: []uint32{1501, 1700}}, ""},
		{"www", "web", 0, &syscall.Credential{Uid: 1500, Gid: 1600, Groups: []uint32{1501, 1700}}, ""},
		{"", "web", 0, &syscall.Credential{Uid: uint32(me), Gid: 1600, Groups: []uint32{}}, ""},
		{"4242", "4343", 0, &syscall.Credential{Uid: 4242, Gid: 4343}, ""},
		{"nosuch", "", 0, nil, `user "nosuch": no such account`},
		{"", "nosuch", 0, nil, `group "nosuch": no such account`},
		{"www", "", 1000, nil, `user "www": sup runs as uid 1000, not root, and cannot switch identity (operation not permitted)`},
		{"", "web", 1000, nil, `group "web": sup runs as uid 1000, not root, and cannot switch identity (operation not permitted)`},
		{"1500", "", 1500, &syscall.Credential{Uid: 1500, Gid: 1501, Groups: []uint32{1501, 1700}, NoSetGroups: true}, ""},
	}
	_ = mygid
	for _, c := range cases {
		got, err := ResolveCredential(fakeUsers{}, c.user, c.group, c.euid)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%q/%q euid %d: err %v, want %s", c.user, c.group, c.euid, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q/%q euid %d: %+v, %v; want %+v", c.user, c.group, c.euid, got, err, c.want)
		}
	}
}
