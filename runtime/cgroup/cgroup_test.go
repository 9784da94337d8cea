package cgroup

import "testing"

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{
		"web":           "web",
		"worker:1":      "worker_1",
		"web pre_start": "web_pre_start",
		"..":            "_..",
		"cgroup.procs":  "_cgroup.procs",
		"a/b":           "a_b",
		"web.3":         "web.3",
		"":              "_",
	} {
		if got := safeName(in); got != want {
			t.Errorf("safeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUnescape(t *testing.T) {
	if got := unescape(`/sys/fs/cgroup\040x`); got != "/sys/fs/cgroup x" {
		t.Fatal(got)
	}
}

// Open either makes a subtree (and Remove deletes it) or says why not:
// both are fine, which one depends on the machine.
func TestOpenOrReason(t *testing.T) {
	r, err := Open("sup-test-open")
	if err != nil {
		t.Logf("no cgroup subtree here: %v", err)
		return
	}
	g, err := r.Group("web:0.1")
	if err != nil {
		t.Fatal(err)
	}
	if g.Populated() {
		t.Fatal("new cgroup populated")
	}
	if pids, err := g.Pids(); err != nil || len(pids) != 0 {
		t.Fatalf("pids %v %v", pids, err)
	}
	if !g.WaitEmpty(0) {
		t.Fatal("empty cgroup not empty")
	}
	if err := r.Remove(0); err != nil {
		t.Fatal(err)
	}
}
