package supervisor

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sup-run/sup/runtime/sched"
	"github.com/sup-run/sup/runtime/spec"
)

func onEv(name string, kv ...string) *spec.Matcher {
	m := &spec.Matcher{Op: spec.OpOn, Event: name}
	for i := 0; i+1 < len(kv); i += 2 {
		m.Vars = append(m.Vars, spec.VarMatch{Name: kv[i], Pattern: kv[i+1]})
	}
	return m
}

func (h *harness) emit(name string, kv ...string) {
	h.t.Helper()
	vars := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		vars[kv[i]] = kv[i+1]
	}
	if _, err := h.sup.Emit(h.ctx, name, vars); err != nil {
		h.t.Fatal(err)
	}
	synctest.Wait()
}

func (h *harness) names() string {
	h.t.Helper()
	infos, err := h.sup.Status(h.ctx, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []string
	for _, p := range infos {
		out = append(out, p.Name+"="+p.StateName)
	}
	return strings.Join(out, " ")
}

func TestEventMadeInstances(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, job("dhcp", func(j *spec.Job) {
			j.Cmd = []string{"/bin/dhcp", "-i", "${IFACE}"}
			j.Instance = "${IFACE}"
			j.Autostart = false
			j.StartOn = onEv("net-device-up", "IFACE", "eth*")
			j.StopOn = onEv("net-device-down", "IFACE", "${IFACE}")
		}))
		if got := h.names(); got != "dhcp=STOPPED" {
			t.Fatalf("before any event: %s", got)
		}
		if p := h.state("dhcp"); p.Description != `waiting for on("net-device-up", IFACE = "eth*")` {
			t.Fatalf("placeholder description %q", p.Description)
		}
		h.emit("net-device-up", "IFACE", "lo")
		h.emit("net-device-up", "IFACE", "eth0")
		h.emit("net-device-up", "IFACE", "eth1")
		if got := h.names(); got != "dhcp:eth0=STARTING dhcp:eth1=STARTING" {
			t.Fatalf("after up: %s", got)
		}
		req := h.sp.procs[0].req
		if got := strings.Join(req.Argv, " "); got != "/bin/dhcp -i eth0" {
			t.Fatalf("argv %q", got)
		}
		if !contains(req.Env, "IFACE=eth0") {
			t.Fatalf("event vars not in the environment: %v", req.Env)
		}
		h.emit("net-device-up", "IFACE", "eth0") // already up: nothing new
		if h.sp.count() != 2 {
			t.Fatalf("spawned %d", h.sp.count())
		}
		h.emit("net-device-down", "IFACE", "eth0")
		if got := h.names(); got != "dhcp:eth0=STOPPED dhcp:eth1=STARTING" {
			t.Fatalf("after down: %s", got)
		}
		if p := h.state("dhcp:eth0"); !strings.Contains(p.Description, "stop_on: net-device-down IFACE=eth0") {
			t.Fatalf("stopped description %q", p.Description)
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestAndWaitsForEveryOperand(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, job("db"), job("app", func(j *spec.Job) {
			j.Autostart = false
			j.StartOn = &spec.Matcher{Op: spec.OpAnd, Args: []*spec.Matcher{onEv("started", "JOB", "db"), onEv("mounted")}}
		}))
		time.Sleep(time.Second)
		h.wantState("db", Running)
		p := h.wantState("app", Stopped)
		if want := `start_on: waiting for on("mounted") (seen: on("started", JOB = "db"))`; !contains(p.Why, want) {
			t.Fatalf("why %q, want %q", p.Why, want)
		}
		h.emit("mounted")
		h.wantState("app", Starting)
	})
}

func TestBuiltinEvents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, job("web", func(j *spec.Job) { j.StartRetries = 0 }))
		time.Sleep(time.Second)
		h.wantState("web", Running)
		h.sp.last().exit(ExitStatus{Code: 3})
		synctest.Wait()
		var got []string
		for _, e := range h.sup.Events().History() {
			got = append(got, e.String())
		}
		want := []string{
			"startup",
			"starting GROUP=web INSTANCE=web JOB=web PID=1001",
			"started GROUP=web INSTANCE=web JOB=web PID=1001",
			"ready GROUP=web INSTANCE=web JOB=web PID=1001",
			"exited EXIT_SIGNAL= EXIT_STATUS=3 EXPECTED=false GROUP=web INSTANCE=web JOB=web PID=1001",
			"exited-unexpectedly EXIT_SIGNAL= EXIT_STATUS=3 EXPECTED=false GROUP=web INSTANCE=web JOB=web PID=1001",
			"starting GROUP=web INSTANCE=web JOB=web PID=1002",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		for i, e := range h.sup.Events().History() {
			if e.Seq != uint64(i+1) {
				t.Fatalf("event %d has seq %d", i, e.Seq)
			}
		}
	})
}

func TestAfterStartup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, job("warm", func(j *spec.Job) {
			j.Autostart = false
			j.Kind = spec.KindTask
			j.StartOn = &spec.Matcher{Op: spec.OpAfter, Delay: 15 * time.Minute, Args: []*spec.Matcher{onEv("startup")}}
		}))
		time.Sleep(15*time.Minute - time.Millisecond)
		h.wantState("warm", Stopped)
		time.Sleep(time.Millisecond)
		h.wantState("warm", Running)
		if h.sp.count() != 1 {
			t.Fatalf("spawned %d", h.sp.count())
		}
	})
}

func daily(h, m int) *spec.Matcher {
	return &spec.Matcher{Op: spec.OpSchedule, Schedule: &spec.Schedule{Text: "day at 3:00", Days: spec.AllDays, Hour: h, Minute: m, TZ: "UTC"}}
}

func TestEveryDayAtThreeForAWeek(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now() // synctest: 2000-01-01 00:00 UTC
		h := newHarness(t, job("backup", func(j *spec.Job) {
			j.Autostart = false
			j.Kind = spec.KindTask
			j.StartOn = daily(3, 0)
		}))
		p := h.state("backup")
		if want := start.Add(3 * time.Hour).Unix(); p.NextFire != want {
			t.Fatalf("next fire %d, want %d", p.NextFire, want)
		}
		var fired []string
		for day := 0; day < 7; day++ {
			time.Sleep(3*time.Hour - time.Millisecond)
			synctest.Wait()
			if h.sp.count() != day {
				t.Fatalf("day %d: %d runs before 3:00", day, h.sp.count())
			}
			time.Sleep(time.Millisecond)
			synctest.Wait()
			if h.sp.count() != day+1 {
				t.Fatalf("day %d: %d runs at 3:00", day, h.sp.count())
			}
			fired = append(fired, time.Now().UTC().Format("01-02 15:04"))
			h.sp.last().exit(ExitStatus{Code: 0})
			time.Sleep(21 * time.Hour)
		}
		if got := strings.Join(fired, ","); got != "01-01 03:00,01-02 03:00,01-03 03:00,01-04 03:00,01-05 03:00,01-06 03:00,01-07 03:00" {
			t.Fatalf("fired at %s", got)
		}
	})
}

func TestCatchUpAfterDowntime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &sched.MemStore{}
		// The last run was two days ago at 3:00: one (or more) fires were missed.
		store.Save(map[string]time.Time{"backup/0": time.Now().Add(-45 * time.Hour)})
		mk := func(catchUp bool) *spec.Job {
			return job("backup", func(j *spec.Job) {
				j.Autostart = false
				j.Kind = spec.KindTask
				j.StartOn = daily(3, 0)
				j.StartOn.Schedule.CatchUp = catchUp
			})
		}
		run := func(catchUp bool) int {
			fs := &fakeSpawner{fail: map[string]error{}}
			s := New(Options{Spawner: fs, Store: store, Environ: []string{}})
			ctx, cancel := context.WithCancel(context.Background())
			go s.Run(ctx)
			sp := &spec.Spec{Config: "/etc/site.star", Settings: spec.Settings{LogDir: t.TempDir()}, Jobs: []*spec.Job{mk(catchUp)}}
			sp.Jobs[0].Group = "backup"
			if err := s.Apply(ctx, sp); err != nil {
				t.Fatal(err)
			}
			synctest.Wait()
			n := fs.count()
			cancel()
			<-s.Done()
			return n
		}
		if n := run(false); n != 0 {
			t.Fatalf("without catch_up: %d runs at startup", n)
		}
		if n := run(true); n != 1 {
			t.Fatalf("with catch_up: %d runs at startup, want 1", n)
		}
		m, _ := store.Load()
		if !m["backup/0"].Equal(time.Now()) {
			t.Fatalf("last fire not recorded: %v", m)
		}
		if n := run(true); n != 0 {
			t.Fatalf("catch_up ran again with nothing missed: %d", n)
		}
	})
}

func TestOverlap(t *testing.T) {
	for _, tt := range []struct {
		overlap string
		spawns  int
		signals int
	}{{"skip", 1, 0}, {"queue", 2, 0}, {"restart", 2, 1}} {
		t.Run(tt.overlap, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t, job("t", func(j *spec.Job) {
					j.Autostart = false
					j.Kind = spec.KindTask
					j.StartOn = &spec.Matcher{Op: spec.OpSchedule, Schedule: &spec.Schedule{Text: "1h", Interval: time.Hour, Overlap: tt.overlap}}
				}))
				time.Sleep(time.Hour)
				synctest.Wait()
				first := h.sp.last()
				time.Sleep(time.Hour) // still running at the second fire
				synctest.Wait()
				first.exit(ExitStatus{Code: 0})
				synctest.Wait()
				if h.sp.count() != tt.spawns || len(first.sigs()) != tt.signals {
					t.Fatalf("spawns %d signals %v", h.sp.count(), first.sigs())
				}
			})
		})
	}
}

// failingStore cannot persist: a full or read-only state dir.
type failingStore struct{ sched.MemStore }

func (*failingStore) Save(map[string]time.Time) error { return errors.New("no space left on device") }

// A schedule state that cannot be written makes sup DEGRADED (never a
// swallowed warning), and the condition clears once a write succeeds.
func TestScheduleStateFailureIsDaemonCondition(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fs := &fakeSpawner{fail: map[string]error{}}
		s := New(Options{Spawner: fs, Store: &failingStore{}, Environ: []string{}})
		ctx, cancel := context.WithCancel(context.Background())
		defer func() { cancel(); <-s.Done() }()
		go s.Run(ctx)
		j := job("tick", func(j *spec.Job) {
			j.Autostart = false
			j.Kind = spec.KindTask
			j.Group = "tick"
			j.StartOn = &spec.Matcher{Op: spec.OpSchedule, Schedule: &spec.Schedule{Text: "1h", Interval: time.Hour}}
		})
		sp := &spec.Spec{Config: "/etc/site.star", Settings: spec.Settings{LogDir: t.TempDir()}, Jobs: []*spec.Job{j}}
		if err := s.Apply(ctx, sp); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		d, _ := s.Daemon(ctx)
		want := "cannot write the state dir (schedules): no space left on device"
		if d.Health != "DEGRADED" || len(d.Conditions) != 1 || d.Conditions[0].Message != want {
			t.Fatalf("health %q conditions %+v, want DEGRADED with %q", d.Health, d.Conditions, want)
		}
	})
}
