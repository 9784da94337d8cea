package daemon

import (
	"context"
	"log/slog"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/sup-run/sup/runtime/logs"
	"github.com/sup-run/sup/runtime/proc"
	"github.com/sup-run/sup/runtime/spec"
	"github.com/sup-run/sup/runtime/supervisor"
	"github.com/sup-run/sup/runtime/track"
)

func openFDs(t *testing.T) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// R10: a crash loop on the real spawner (fork, pipes, capture, tracking)
// follows its backoff for ever (start_retries = -1), and sup's own fds and
// goroutines stay bounded: what the 50th restart holds, the last holds too.
func TestCrashLoopIsBounded(t *testing.T) {
	reaper, err := proc.NewReaper(nil, proc.ReaperOptions{Subreaper: true})
	if err != nil {
		t.Fatal(err)
	}
	defer reaper.Close()
	tr, err := track.New(track.Options{Mode: "auto", Started: reaper.Started})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Sweep(time.Second)
	sup := supervisor.New(supervisor.Options{
		Spawner: &spawner{reaper: reaper, bufs: logs.NewBuffers(), log: slog.New(slog.DiscardHandler), track: tr},
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go sup.Run(ctx)
	dir := t.TempDir()
	j := &spec.Job{Name: "crash", Group: "crash", Kind: spec.KindService, Cmd: []string{"/bin/sh", "-c", "exit 1"},
		Autostart: true, Numprocs: 1, Restart: spec.RestartAlways, ExitCodes: []int{0}, StartRetries: -1,
		Backoff:    spec.Backoff{Initial: time.Millisecond, Factor: 1, Max: time.Millisecond},
		StopSignal: syscall.SIGTERM, StopTimeout: time.Second, KillGroup: true}
	if err := sup.Apply(ctx, &spec.Spec{Config: dir + "/site.star", Settings: spec.Settings{Name: "t", LogDir: dir},
		Jobs: []*spec.Job{j}}); err != nil {
		t.Fatal(err)
	}
	waitRestarts := func(n int) {
		t.Helper()
		wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		infos, ok, err := sup.Wait(wctx, []string{"crash"}, func(p supervisor.ProcessInfo) bool { return p.Restarts >= n })
		if err != nil || !ok {
			t.Fatalf("waiting for %d restarts: %v (%+v)", n, err, infos)
		}
	}
	waitRestarts(50)
	fds, gs := openFDs(t), runtime.NumGoroutine()
	waitRestarts(crashLoopRestarts)
	infos, err := sup.Status(ctx, []string{"crash"})
	if err != nil {
		t.Fatal(err)
	}
	if st := infos[0].StateName; st == "FATAL" {
		t.Fatalf("gave up: %+v", infos[0])
	}
	// A restart in flight holds a few: two pipes, a capture goroutine.
	if d := openFDs(t) - fds; d > 6 {
		t.Errorf("fds grew by %d over %d restarts", d, crashLoopRestarts-50)
	}
	if d := runtime.NumGoroutine() - gs; d > 8 {
		t.Errorf("goroutines grew by %d over %d restarts", d, crashLoopRestarts-50)
	}
	sup.Shutdown(ctx)
}
