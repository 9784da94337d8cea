package supervisor

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sup-run/sup/runtime/spec"
)

// A crash loop of a started process is cut by the start budget, then
// retried by itself after the cool-down.
func TestStartBudgetThenRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, job("web", func(j *spec.Job) {
			j.StartSecs = 0
			j.StartLimit = spec.StartLimit{Burst: 3, Interval: time.Minute, RetryAfter: time.Hour}
			j.Backoff = spec.Backoff{Initial: time.Second, Factor: 1, Max: time.Second}
		}))
		for i := 0; i < 2; i++ {
			h.wantState("web", Running)
			h.sp.last().exit(ExitStatus{Code: 1})
			synctest.Wait()
			time.Sleep(time.Second)
		}
		h.wantState("web", Running)
		h.sp.last().exit(ExitStatus{Code: 1})
		p := h.wantState("web", Fatal)
		want := "start limit reached (3 starts within 1m0s); last: exit status 1; retrying in 1h0m0s"
		if p.Description != want {
			t.Fatalf("description %q, want %q", p.Description, want)
		}
		if h.sp.count() != 3 {
			t.Fatalf("spawned %d, want 3", h.sp.count())
		}
		time.Sleep(time.Hour - time.Millisecond)
		h.wantState("web", Fatal)
		time.Sleep(time.Millisecond)
		h.wantState("web", Running)
		if h.sp.count() != 4 {
			t.Fatalf("spawned %d, want 4", h.sp.count())
		}
	})
}

// A stop while FATAL cancels the automatic retry.
func TestStopCancelsRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, job("web", func(j *spec.Job) {
			j.StartRetries = 0
			j.StartLimit = spec.StartLimit{RetryAfter: time.Minute}
		}))
		h.sp.last().exit(ExitStatus{Code: 1})
		h.wantState("web", Fatal)
		if _, err := h.sup.Stop(h.ctx, []string{"web"}, true); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Hour)
		h.wantState("web", Fatal)
		if h.sp.count() != 1 {
			t.Fatalf("spawned %d, want 1", h.sp.count())
		}
	})
}

func TestFinalCodes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t,
			job("bad", func(j *spec.Job) { j.Restart = spec.RestartAlways; j.StartSecs = 0; j.FinalCodes = []int{125} }),
			job("done", func(j *spec.Job) { j.Restart = spec.RestartAlways; j.StartSecs = 0; j.FinalCodes = []int{0} }),
		)
		h.wantState("bad", Running)
		h.sp.nth(0).exit(ExitStatus{Code: 125})
		h.sp.nth(1).exit(ExitStatus{Code: 0})
		p := h.wantState("bad", Fatal)
		if p.Description != "exit status 125 is in final_codes; not restarted" {
			t.Fatalf("description %q", p.Description)
		}
		p = h.wantState("done", Exited)
		if p.Reason != "exit status 0 is in final_codes; not restarted" {
			t.Fatalf("reason %q", p.Reason)
		}
		if h.sp.count() != 2 {
			t.Fatalf("spawned %d, want 2", h.sp.count())
		}
	})
}

// A task: success is EXITED and never restarted; failure follows the
// restart policy and start_retries (-1: unlimited).
func TestTaskLifecycle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t,
			job("ok", func(j *spec.Job) { j.Kind = spec.KindTask; j.Restart = spec.RestartAlways }),
			job("flaky", func(j *spec.Job) { j.Kind = spec.KindTask; j.StartRetries = -1 }),
		)
		h.wantState("ok", Running)
		h.sp.nth(0).exit(ExitStatus{Code: 0})
		h.wantState("ok", Exited)
		for i := 0; i < 10; i++ {
			synctest.Wait()
			h.sp.last().exit(ExitStatus{Code: 2})
			p := h.wantState("flaky", Backoff)
			if !strings.HasPrefix(p.Description, "exit status 2; retrying in ") {
				t.Fatalf("description %q", p.Description)
			}
			time.Sleep(time.Minute)
		}
		synctest.Wait()
		h.sp.last().exit(ExitStatus{Code: 0})
		h.wantState("flaky", Exited)
		time.Sleep(time.Hour)
		h.wantState("ok", Exited)
		if h.sp.count() != 12 {
			t.Fatalf("spawned %d, want 12", h.sp.count())
		}
	})
}

func (f *fakeSpawner) nth(i int) *fakeProc {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.procs[i]
}
