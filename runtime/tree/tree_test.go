package tree

import (
	"os"
	"slices"
	"testing"
)

func TestParseStat(t *testing.T) {
	// The command name may hold spaces and parentheses.
	line := "42 (a) b (c)) S 7 42 40 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 12345 1000 10 18446744073709551615\n"
	p, err := parseStat(42, []byte(line))
	if err != nil {
		t.Fatal(err)
	}
	want := Proc{PID: 42, PPID: 7, PGID: 42, SID: 40, Start: 12345}
	if p != want {
		t.Fatalf("got %+v, want %+v", p, want)
	}
	if p, _ := parseStat(9, []byte("9 (z) Z 1 9 9 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0")); !p.Zombie {
		t.Fatal("Z not a zombie")
	}
	for _, bad := range []string{"", "1 (x", "1 (x) S 1 2"} {
		if _, err := parseStat(1, []byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestDescendants(t *testing.T) {
	tab := Table{
		1:  {PID: 1},
		10: {PID: 10, PPID: 1},
		11: {PID: 11, PPID: 10},
		12: {PID: 12, PPID: 11},
		13: {PID: 13, PPID: 10},
		20: {PID: 20, PPID: 1},
	}
	got := tab.Descendants(10)
	slices.Sort(got)
	if !slices.Equal(got, []int{11, 12, 13}) {
		t.Fatalf("descendants of 10: %v", got)
	}
	if !tab.IsDescendant(12, 10) || tab.IsDescendant(20, 10) || tab.IsDescendant(99, 1) {
		t.Fatal("IsDescendant")
	}
}

func TestScanFindsThisProcess(t *testing.T) {
	tab, err := Scan()
	if err != nil {
		t.Fatal(err)
	}
	me, ok := tab[os.Getpid()]
	if !ok || me.PPID != os.Getppid() || me.Zombie {
		t.Fatalf("self: %+v %v", me, ok)
	}
	if !tab.IsDescendant(os.Getpid(), os.Getppid()) {
		t.Fatal("not a descendant of its parent")
	}
	os.Setenv("TREE_TEST_VAR", "x=y")
	// /proc/self/environ is the environment at exec: the variable set
	// now is not there, PATH (normally) is.
	if _, ok := Env(os.Getpid(), "TREE_TEST_VAR"); ok {
		t.Fatal("environ changed after exec")
	}
}
