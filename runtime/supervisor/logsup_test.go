package supervisor

import (
	"context"
	"os"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"

	"github.com/sup-run/sup/runtime/logs"
	"github.com/sup-run/sup/runtime/spec"
)

// fullFS fails every write with ENOSPC while full is set.
type fullFS struct {
	logs.OSFS
	full bool
}

func (f *fullFS) OpenAppend(p string) (logs.WFile, error) {
	w, err := f.OSFS.OpenAppend(p)
	if err != nil {
		return nil, err
	}
	return &fullFile{WFile: w, fs: f}, nil
}

type fullFile struct {
	logs.WFile
	fs *fullFS
}

func (f *fullFile) Write(p []byte) (int, error) {
	if f.fs.full {
		return 0, syscall.ENOSPC
	}
	return f.WFile.Write(p)
}

// A full disk is a daemon-level condition (DaemonInfo.LogFaults) with an
// exact lost-byte count per process, and clears itself on recovery.
func TestLogFaultIsDaemonCondition(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ffs := &fullFS{}
		fs := &fakeSpawner{fail: map[string]error{}}
		s := New(Options{Spawner: fs, Environ: []string{"PATH=/bin"}, OpenLog: func(p string, o logs.Options) (*logs.File, error) {
			o.FS = ffs
			return logs.Open(p, o)
		}})
		ctx, cancel := context.WithCancel(context.Background())
		defer func() { cancel(); <-s.Done() }()
		go s.Run(ctx)
		j := job("web", func(j *spec.Job) { j.StartSecs = 0 })
		j.Group = "web"
		sp := &spec.Spec{Config: "/etc/site.star", Settings: spec.Settings{LogDir: t.TempDir()}, Jobs: []*spec.Job{j}}
		if err := s.Apply(ctx, sp); err != nil {
			t.Fatal(err)
		}
		out := fs.last().req.Stdout
		ffs.full = true
		out.Write([]byte("lost line\n"))
		synctest.Wait()
		d, _ := s.Daemon(ctx)
		if len(d.LogFaults) != 1 || !strings.Contains(d.LogFaults[0], "log_full") || !strings.Contains(d.LogFaults[0], "no space left on device") {
			t.Fatalf("LogFaults = %q", d.LogFaults)
		}
		if d.Health != "DEGRADED" || len(d.Conditions) != 1 || d.Conditions[0].Message != d.LogFaults[0] {
			t.Fatalf("a log fault must make sup DEGRADED: health %q, conditions %+v", d.Health, d.Conditions)
		}
		ps, _ := s.Status(ctx, []string{"web"})
		if ps[0].LogLost != 10 {
			t.Fatalf("log_lost_bytes = %d, want 10", ps[0].LogLost)
		}
		ffs.full = false
		out.Write([]byte("back\n"))
		synctest.Wait()
		if d, _ := s.Daemon(ctx); len(d.LogFaults) != 0 || d.Health != "OK" {
			t.Fatalf("after recovery LogFaults = %q, health %q", d.LogFaults, d.Health)
		}
		rs, err := s.RotateLogs(ctx, []string{"web"})
		if err != nil || len(rs) != 1 || rs[0].String() != "web: rotated" {
			t.Fatalf("rotate = %v %v", rs, err)
		}
		if b, _ := os.ReadFile(ps[0].Stdout + ".1"); string(b) != "back\n" {
			t.Fatalf("rotated file = %q", b)
		}
		rs, _ = s.ClearLogs(ctx, []string{"web"})
		if rs[0].String() != "web: cleared" {
			t.Fatalf("clear = %v", rs)
		}
		if err := s.Send(ctx, "web", []byte("x")); err == nil || err.Error() != "web: stdin is not open (declare the job with stdin = True)" {
			t.Fatalf("send = %v", err)
		}
	})
}

func BenchmarkStatus1000(b *testing.B) {
	fs := &fakeSpawner{fail: map[string]error{}}
	s := New(Options{Spawner: fs, Environ: []string{"PATH=/bin"}})
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); <-s.Done() }()
	go s.Run(ctx)
	j := job("web", func(j *spec.Job) { j.StartSecs = 0; j.Numprocs = 1000 })
	j.Group = "web"
	sp := &spec.Spec{Config: "/etc/site.star", Settings: spec.Settings{LogDir: b.TempDir()}, Jobs: []*spec.Job{j}}
	if err := s.Apply(ctx, sp); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if ps, err := s.Status(ctx, nil); err != nil || len(ps) != 1000 {
			b.Fatal(err)
		}
	}
}
