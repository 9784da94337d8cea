package lang

import (
	"context"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sup-run/sup/runtime/spec"
)

// TestExamples evaluates every examples/*.star.
func TestExamples(t *testing.T) {
	files, err := filepath.Glob("../examples/*.star")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			s, err := Load(context.Background(), file, Options{})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if len(s.Jobs) == 0 {
				t.Errorf("%s declares no job", file)
			}
			for _, j := range s.Jobs {
				// The examples must run on a machine with nothing but a
				// POSIX system: every program they start must be there.
				if _, err := exec.LookPath(j.Cmd[0]); err != nil {
					t.Errorf("job %s runs %q, which is not installed here: %v", j.Name, j.Cmd[0], err)
				}
				if !slices.Contains([]string{"sh", "sleep", "/bin/sh"}, j.Cmd[0]) {
					t.Errorf("job %s runs %q; examples use only sh and sleep", j.Name, j.Cmd[0])
				}
			}
		})
	}
}

// TestSiteExample checks the quick start's config in detail: the README
// relies on these names.
func TestSiteExample(t *testing.T) {
	s, err := Load(context.Background(), "../examples/site.star", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Settings.Name != "site" {
		t.Errorf("settings name = %q", s.Settings.Name)
	}
	// The README: `make run` at the checkout's root keeps state in .sup/
	// there, where client commands run from the root find the socket.
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(root, ".sup", "sup.sock"); s.Settings.Socket != want {
		t.Errorf("socket = %q, want %q", s.Settings.Socket, want)
	}
	want := map[string]struct {
		kind     spec.Kind
		numprocs int
	}{
		"web":     {spec.KindService, 1},
		"worker":  {spec.KindService, 2},
		"migrate": {spec.KindTask, 1},
	}
	if len(s.Jobs) != len(want) {
		t.Errorf("got %d jobs, want %d", len(s.Jobs), len(want))
	}
	for name, w := range want {
		j := s.Job(name)
		if j == nil {
			t.Errorf("no job %q", name)
			continue
		}
		if j.Kind != w.kind || j.Numprocs != w.numprocs || j.Group != "site" {
			t.Errorf("job %s: kind %s numprocs %d group %q; want %s %d \"site\"", name, j.Kind, j.Numprocs, j.Group, w.kind, w.numprocs)
		}
	}
	if m := s.Job("migrate"); m != nil && m.Restart == spec.RestartAlways {
		t.Errorf("the migrate task restarts always")
	}
	g := s.Group("site")
	if g == nil || len(s.Groups) != 1 || !slices.Equal(g.Jobs, []string{"migrate", "web", "worker"}) {
		t.Errorf("groups = %+v, want one group site of migrate, web, worker", s.Groups)
	}
	if w := s.Job("web"); w != nil && w.Cmd[0] != "sh" {
		t.Errorf("web cmd = %q", w.Cmd)
	}
}
