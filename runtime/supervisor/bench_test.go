package supervisor

import (
	"context"
	"testing"

	"github.com/sup-run/sup/runtime/spec"
)

// BenchmarkApply1000 is the loop's share of a cold start of 1000 processes
// (fake spawner; real, lazily created log files; a pid recorder): the
// figure to watch for per-spawn work that grows with N.
func BenchmarkApply1000(b *testing.B) {
	for i := 0; i < b.N; i++ {
		fs := &fakeSpawner{fail: map[string]error{}}
		reports := 0
		s := New(Options{Spawner: fs, Environ: []string{"PATH=/bin"}, OnPids: func(map[string]int) { reports++ }})
		ctx, cancel := context.WithCancel(context.Background())
		go s.Run(ctx)
		j := job("web", func(j *spec.Job) { j.StartSecs = 0; j.Numprocs = 1000 })
		sp := &spec.Spec{Config: "/etc/site.star", Settings: spec.Settings{LogDir: b.TempDir()}, Jobs: []*spec.Job{j}}
		if err := s.Apply(ctx, sp); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Status(ctx, nil); err != nil {
			b.Fatal(err)
		}
		cancel()
		<-s.Done()
		if reports == 0 || reports > 2 {
			b.Fatalf("OnPids called %d times for one apply", reports)
		}
	}
}
