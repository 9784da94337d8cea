package supervisor

import (
	"reflect"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sup-run/sup/internal/signals"
	"github.com/sup-run/sup/runtime/spec"
)

func TestStartSecsThenRunning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, job("web"))
		h.wantState("web", Starting)
		time.Sleep(999 * time.Millisecond)
		h.wantState("web", Starting)
		time.Sleep(time.Millisecond)
		p := h.wantState("web", Running)
		if p.PID != 1001 || p.Description != "pid 1001, uptime 0:00:01" {
			t.Fatalf("info = %+v", p)
		}
	})
}

func TestEarlyExitsBackOffThenFatal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, job("web"))
		for i, delay := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
			synctest.Wait()
			h.sp.last().exit(ExitStatus{Code: 1})
			p := h.wantState("web", Backoff)
			if want := "exit status 1; retrying in " + delay.String(); p.Description != want {
				t.Fatalf("attempt %d: description %q, want %q", i, p.Description, want)
			}
			time.Sleep(delay - time.Millisecond)
			h.wantState("web", Backoff)
			time.Sleep(time.Millisecond)
			h.wantState("web", Starting)
		}
		h.sp.last().exit(ExitStatus{Code: 1})
		p := h.wantState("web", Fatal)
		if !strings.Contains(p.Description, "exited too quickly (exit status 1) 4 times") {
			t.Fatalf("fatal description %q", p.Description)
		}
		if h.sp.count() != 4 {
			t.Fatalf("spawned %d times, want 4", h.sp.count())
		}
	})
}

func TestSpawnErrorEndsFatalWithoutBusyLoop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.sp.fail["/bin/missing"] = errNoFile
		sp := &spec.Spec{Config: "/etc/site.star", Jobs: []*spec.Job{job("miss", func(j *spec.Job) {
			j.Cmd = []string{"/bin/missing"}
			j.Group = "miss"
		})}}
		start := time.Now()
		if err := h.sup.Apply(h.ctx, sp); err != nil {
			t.Fatal(err)
		}
		p := h.wantState("miss", Backoff)
		if p.SpawnErr != errNoFile.Error() {
			t.Fatalf("spawnerr %q", p.SpawnErr)
		}
		time.Sleep(time.Hour)
		p = h.wantState("miss", Fatal)
		if p.Description != "spawn error: "+errNoFile.Error() {
			t.Fatalf("description %q", p.Description)
		}
		// 1s + 2s + 4s of backoff between the 4 attempts: paced, not busy.
		if p.Stop-start.Unix() != 7 {
			t.Fatalf("gave up after %ds, want 7s", p.Stop-start.Unix())
		}
	})
}

func TestStopKillsAfterTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, job("stubborn", func(j *spec.Job) { j.StopTimeout = 3 * time.Second }))
		h.sp.onSignal = func(p *fakeProc, sig syscall.Signal, group bool) {
			if sig == syscall.SIGKILL {
				p.exit(ExitStatus{Code: -1, Signal: sig})
			}
		}
		time.Sleep(time.Second)
		h.wantState("stubborn", Running)
		p := h.sp.last()
		p.group = true
		done := make(chan []Result)
		go func() {
			rs, err := h.sup.Stop(h.ctx, []string{"stubborn"}, true)
			if err != nil {
				t.Error(err)
			}
			done <- rs
		}()
		synctest.Wait()
		h.wantState("stubborn", Stopping)
		start := time.Now()
		rs := <-done
		if waited := time.Since(start); waited != 3*time.Second {
			t.Fatalf("killed after %v, want 3s", waited)
		}
		if len(rs) != 1 || rs[0].String() != "stubborn: stopped" {
			t.Fatalf("results %v", rs)
		}
		want := []string{"SIGTERM group=true", "SIGKILL group=true"}
		if got := p.sigs(); !reflect.DeepEqual(got, want) {
			t.Fatalf("signals %v, want %v", got, want)
		}
		info := h.wantState("stubborn", Stopped)
		if !strings.Contains(info.Description, "killed with SIGKILL after stop_timeout 3s") {
			t.Fatalf("description %q", info.Description)
		}
	})
}

func TestCrashRestartsAndStaleExitDropped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, job("web"))
		time.Sleep(2 * time.Second)
		first := h.sp.last()
		first.group = true
		first.exit(ExitStatus{Code: 2})
		synctest.Wait()
		if got := first.sigs(); len(got) != 1 || got[0] != "SIGKILL group=true" {
			t.Fatalf("stragglers of the crashed group not killed: %v", got)
		}
		h.wantState("web", Starting)
		if h.sp.count() != 2 {
			t.Fatalf("spawns %d", h.sp.count())
		}
		// A second report for the old generation changes nothing.
		h.sup.post(func(l *loop) { l.onExit(l.byName["web"], 1, ExitStatus{Code: 9}) })
		p := h.wantState("web", Starting)
		if p.Restarts != 1 || p.PID != h.sp.last().pid {
			t.Fatalf("info %+v", p)
		}
		// Second crash backs off.
		time.Sleep(2 * time.Second)
		h.sp.last().exit(ExitStatus{Code: 2})
		if p := h.wantState("web", Backoff); p.Description != "exit status 2; retrying in 1s" {
			t.Fatalf("description %q", p.Description)
		}
	})
}

func TestTaskRunsToCompletion(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, job("migrate", func(j *spec.Job) { j.Kind = spec.KindTask }))
		h.wantState("migrate", Running)
		h.sp.last().exit(ExitStatus{Code: 0})
		p := h.wantState("migrate", Exited)
		if !strings.HasPrefix(p.Description, "exit status 0, ") {
			t.Fatalf("description %q", p.Description)
		}
		done := make(chan []Result)
		go func() {
			rs, err := h.sup.Start(h.ctx, []string{"migrate"}, true)
			if err != nil {
				t.Error(err)
			}
			done <- rs
		}()
		synctest.Wait()
		h.wantState("migrate", Running)
		time.Sleep(time.Minute) // a start of a task waits for it to finish
		h.sp.last().exit(ExitStatus{Code: 0})
		if rs := <-done; len(rs) != 1 || rs[0].String() != "migrate: done (exit status 0)" {
			t.Fatalf("start: %v", rs)
		}
	})
}

func TestNamespecs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t,
			job("web", func(j *spec.Job) { j.Group = "site"; j.Numprocs = 2 }),
			job("worker", func(j *spec.Job) { j.Group = "site" }),
			job("cron"))
		names := func(specs ...string) string {
			infos, err := h.sup.Status(h.ctx, specs)
			if err != nil {
				return err.Error()
			}
			var out []string
			for _, p := range infos {
				out = append(out, p.Name)
			}
			return strings.Join(out, " ")
		}
		cases := map[string][]string{
			"web:0 web:1 worker cron": {"all"},
			"web:0 web:1 worker":      {"site:*"},
			"web:0 web:1":             {"web"},
			"web:1":                   {"site:web:1"},
			"worker cron":             {"cron", "site:worker"},
			`unknown name "wbe" (did you mean "web"?)`: {"wbe"},
			`unknown name "nothing"`:                   {"nothing"},
		}
		for want, specs := range cases {
			if got := names(specs...); got != want {
				t.Errorf("%v -> %q, want %q", specs, got, want)
			}
		}
		if got := names(); got != "web:0 web:1 worker cron" {
			t.Errorf("empty -> %q", got)
		}
	})
}

func TestShutdownStopsInReverseOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, job("db"), job("web"))
		time.Sleep(time.Second)
		var order []string
		h.sp.onSignal = func(p *fakeProc, sig syscall.Signal, group bool) {
			order = append(order, p.req.Name+" "+signals.String(sig))
			p.exit(ExitStatus{Code: -1, Signal: sig})
		}
		if err := h.sup.Shutdown(h.ctx); err != nil {
			t.Fatal(err)
		}
		if want := []string{"web SIGTERM", "db SIGTERM"}; !reflect.DeepEqual(order, want) {
			t.Fatalf("order %v", order)
		}
		if _, err := h.sup.Status(h.ctx, nil); err != ErrShutdown {
			t.Fatalf("status after shutdown: %v", err)
		}
	})
}

func TestWaitAndTemplates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, job("w", func(j *spec.Job) {
			j.Numprocs = 2
			j.Cmd = []string{"/bin/w", "--id=${process_num}", "${HOME}"}
			j.Env = []spec.EnvVar{{Name: "NAME", Value: "${instance}"}}
		}))
		infos, met, err := h.sup.Wait(h.ctx, []string{"w"}, func(p ProcessInfo) bool { return p.StateName == "RUNNING" })
		if err != nil || !met || len(infos) != 2 {
			t.Fatalf("wait: %v %v %v", infos, met, err)
		}
		req := h.sp.procs[1].req
		if got := strings.Join(req.Argv, " "); got != "/bin/w --id=1 /home/u" {
			t.Fatalf("argv %q", got)
		}
		if req.Env[len(req.Env)-1] != "NAME=w:1" || req.Dir != "/etc" {
			t.Fatalf("env %v dir %q", req.Env, req.Dir)
		}
	})
}

func TestUnresolvedTemplateIsFatal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, job("w", func(j *spec.Job) { j.Cmd = []string{"/bin/w", "${NOPE}"}; j.StartRetries = 0 }))
		p := h.wantState("w", Fatal)
		if p.Description != `spawn error: cmd: ${NOPE} is not defined (in "${NOPE}")` {
			t.Fatalf("description %q", p.Description)
		}
	})
}
