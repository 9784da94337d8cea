package supervisor

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sup-run/sup/runtime/spec"
)

// R13: 50 idle jobs cost nothing: over a fake hour the loop never wakes up
// (no polling tick) and nothing is spawned.
func TestIdleJobsDoNotWakeTheLoop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var jobs []*spec.Job
		for i := range 50 {
			jobs = append(jobs, job(fmt.Sprintf("idle%02d", i)))
		}
		h := newHarness(t, jobs...)
		time.Sleep(2 * time.Second) // past start_secs: all RUNNING
		h.wantState("idle49", Running)
		before := h.sup.wakeups.Load()
		time.Sleep(time.Hour)
		synctest.Wait()
		if n := h.sup.wakeups.Load() - before; n != 0 {
			t.Fatalf("the loop woke up %d times in an idle hour", n)
		}
		if h.sp.count() != 50 {
			t.Fatalf("%d spawns, want 50", h.sp.count())
		}
	})
}

// A daemon with a pid file is STARTING until its pid is known; then
// status names that pid and start_secs count from there.
func TestPidChangerStartsOnceThePidIsKnown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fs := &pidSpawner{fakeSpawner: fakeSpawner{fail: map[string]error{}}}
		h := newHarnessWith(t, fs, job("legacy", func(j *spec.Job) { j.Pidfile = "/run/legacy.pid" }))
		time.Sleep(time.Hour)
		p := h.wantState("legacy", Starting)
		if p.PID != 1001 {
			t.Fatalf("pid %d before the pid file, want the launcher's 1001", p.PID)
		}
		fs.pids <- 4242
		synctest.Wait()
		if p := h.wantState("legacy", Starting); p.PID != 4242 {
			t.Fatalf("pid %d, want 4242", p.PID)
		}
		time.Sleep(time.Second) // start_secs
		h.wantState("legacy", Running)
	})
}

type pidSpawner struct {
	fakeSpawner
	pids chan int
}

type pidProc struct {
	*fakeProc
	pids chan int
}

func (p pidProc) PidChanged() <-chan int { return p.pids }

func (f *pidSpawner) Spawn(req SpawnRequest) (Proc, error) {
	if req.PidFile == "" {
		return f.fakeSpawner.Spawn(req)
	}
	p, err := f.fakeSpawner.Spawn(req)
	if err != nil {
		return nil, err
	}
	f.pids = make(chan int, 1)
	return pidProc{p.(*fakeProc), f.pids}, nil
}
