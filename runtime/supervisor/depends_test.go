package supervisor

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sup-run/sup/runtime/spec"
)

// depHarness is newHarness with readiness fakes: probe results set by the
// test, files that exist when the test says so.
type depHarness struct {
	*harness
	mu      sync.Mutex
	probeOK map[string]bool // check address -> result
	files   map[string]bool
	changed []func()
}

func newDepHarness(t *testing.T, jobs ...*spec.Job) *depHarness {
	t.Helper()
	d := &depHarness{probeOK: map[string]bool{}, files: map[string]bool{}}
	fs := &fakeSpawner{fail: map[string]error{}}
	s := New(Options{
		Spawner: fs, Environ: []string{"PATH=/bin"},
		Probe: func(ctx context.Context, c spec.ReadyCheck) error {
			d.mu.Lock()
			defer d.mu.Unlock()
			if d.probeOK[c.Addr] {
				return nil
			}
			return fmt.Errorf("dial: %w", syscall.ECONNREFUSED)
		},
		Exists: func(p string) bool { d.mu.Lock(); defer d.mu.Unlock(); return d.files[p] },
		WatchFiles: func(ctx context.Context, paths []string, changed func()) {
			d.mu.Lock()
			d.changed = append(d.changed, changed)
			d.mu.Unlock()
		},
	})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); <-s.Done() })
	go s.Run(ctx)
	sp := &spec.Spec{Config: "/etc/site.star", Settings: spec.Settings{Name: "site", LogDir: t.TempDir()}}
	for _, j := range jobs {
		j.Group = j.Name
		sp.Jobs = append(sp.Jobs, j)
	}
	if err := s.Apply(ctx, sp); err != nil {
		t.Fatal(err)
	}
	d.harness = &harness{t: t, sp: fs, sup: s, ctx: ctx}
	return d
}

func (d *depHarness) setProbe(addr string, ok bool) {
	d.mu.Lock()
	d.probeOK[addr] = ok
	d.mu.Unlock()
}

func (d *depHarness) createFile(p string) {
	d.mu.Lock()
	d.files[p] = true
	fns := d.changed
	d.mu.Unlock()
	for _, f := range fns {
		f()
	}
}

// proc returns the last fake process spawned under name.
func (d *depHarness) proc(name string) *fakeProc {
	d.sp.mu.Lock()
	defer d.sp.mu.Unlock()
	for i := len(d.sp.procs) - 1; i >= 0; i-- {
		if d.sp.procs[i].req.Name == name {
			return d.sp.procs[i]
		}
	}
	return nil
}

func (d *depHarness) wantDesc(name string, st State, desc string) {
	d.t.Helper()
	p := d.wantState(name, st)
	if p.Description != desc {
		d.t.Fatalf("%s: description %q, want %q", name, p.Description, desc)
	}
}

func tcpReady(addr string) func(*spec.Job) {
	return func(j *spec.Job) {
		j.Ready = &spec.ReadyCheck{Kind: spec.ReadyTCP, Addr: addr, Interval: time.Second}
	}
}

func requiresJobs(names ...string) func(*spec.Job) {
	return func(j *spec.Job) { j.Requires = names }
}

func TestRequiresWaitsForReadiness(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newDepHarness(t, job("web", requiresJobs("db")), job("db", tcpReady(":5432")))
		h.wantDesc("web", Waiting, "waiting for db (STARTING)")
		time.Sleep(time.Second) // db RUNNING, first probe refused
		h.wantDesc("web", Waiting, "waiting for db (not ready: tcp :5432 refused)")
		p := h.wantState("db", Running)
		if p.Ready || p.NotReady != "not ready: tcp :5432 refused" || p.Description != "pid 1001, uptime 0:00:01, not ready: tcp :5432 refused" {
			t.Fatalf("db %+v", p)
		}
		h.setProbe(":5432", true)
		time.Sleep(time.Second)
		if p := h.wantState("db", Running); !p.Ready || p.Description != "pid 1001, uptime 0:00:02, ready" {
			t.Fatalf("db %+v", p)
		}
		h.wantState("web", Starting)
		// Nothing is probed once ready: no timer is left.
		n := h.sp.count()
		time.Sleep(time.Hour)
		if h.sp.count() != n {
			t.Fatal("spawned while idle")
		}
	})
}

func TestShutdownStopsDependentsFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Declared in start order, so reverse declaration order would also
		// stop web first; db is declared last here to tell them apart.
		h := newDepHarness(t, job("web", requiresJobs("db", "cache")), job("cache"), job("db"))
		time.Sleep(3 * time.Second)
		h.wantState("web", Running)
		var mu sync.Mutex
		var order []string
		h.sp.onSignal = func(p *fakeProc, sig syscall.Signal, group bool) {
			mu.Lock()
			order = append(order, p.req.Name)
			mu.Unlock()
			if p.req.Name == "web" {
				// web takes a second to stop; db must wait for it.
				go func() { time.Sleep(time.Second); p.exit(ExitStatus{Code: -1, Signal: sig}) }()
				return
			}
			p.exit(ExitStatus{Code: -1, Signal: sig})
		}
		if err := h.sup.Shutdown(h.ctx); err != nil {
			t.Fatal(err)
		}
		if want := []string{"web", "db", "cache"}; !reflect.DeepEqual(order, want) {
			t.Fatalf("stop order %v, want %v", order, want)
		}
	})
}

func TestStopOfRequiredJobStopsDependentsThenRestartsThem(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newDepHarness(t, job("db"), job("web", requiresJobs("db")),
			job("side", requiresJobs("db"), func(j *spec.Job) { j.OnDependencyRestart = spec.DepIgnore }))
		time.Sleep(3 * time.Second)
		h.wantState("web", Running)
		rs, err := h.sup.Stop(h.ctx, []string{"db"}, true)
		if err != nil || len(rs) != 1 || rs[0].String() != "db: stopped" {
			t.Fatalf("stop: %v %v", rs, err)
		}
		h.wantDesc("web", Waiting, "waiting for db (STOPPED)")
		h.wantState("side", Running) // "ignore"
		if got := h.proc("web").sigs(); len(got) != 1 {
			t.Fatalf("web signals %v", got)
		}
		if _, err := h.sup.Start(h.ctx, []string{"db"}, true); err != nil {
			t.Fatal(err)
		}
		h.wantState("web", Starting)
	})
}

func TestCrashOfRequiredJobStopsDependent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newDepHarness(t, job("db"), job("web", requiresJobs("db")))
		time.Sleep(3 * time.Second)
		web := h.proc("web")
		h.proc("db").exit(ExitStatus{Code: 1})
		synctest.Wait()
		if got := web.sigs(); len(got) != 1 || got[0] != "SIGTERM group=true" {
			t.Fatalf("web signals %v", got)
		}
		h.wantDesc("web", Waiting, "waiting for db (STARTING)")
		time.Sleep(time.Second)
		h.wantState("web", Starting)
		if h.proc("web") == web {
			t.Fatal("web not started again")
		}
	})
}

func TestTaskDependencyAndFiles(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newDepHarness(t,
			job("migrate", func(j *spec.Job) { j.Kind = spec.KindTask }),
			job("web", requiresJobs("migrate"), func(j *spec.Job) { j.RequiresFiles = []string{"/etc/web.conf"} }))
		h.wantDesc("web", Waiting, "waiting for migrate (RUNNING), file /etc/web.conf")
		h.proc("migrate").exit(ExitStatus{Code: 0})
		h.wantDesc("web", Waiting, "waiting for file /etc/web.conf")
		if p := h.state("migrate"); !p.Ready {
			t.Fatalf("finished task not ready: %+v", p)
		}
		h.createFile("/etc/web.conf")
		h.wantState("web", Starting)
	})
}

func TestPreStartFailureFailsTheStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newDepHarness(t, job("web", func(j *spec.Job) {
			j.Hooks.PreStart = []string{"/bin/check"}
			j.StartRetries = 0
		}))
		h.wantDesc("web", Starting, "pre_start running")
		hook := h.proc("web pre_start")
		hook.req.Stdout.Write([]byte("config: line 3: bad port\n"))
		hook.exit(ExitStatus{Code: 1})
		h.wantDesc("web", Fatal, "pre_start failed: exit status 1: config: line 3: bad port")
		if h.proc("web") != nil {
			t.Fatal("web spawned after a failed pre_start")
		}
	})
}

func TestHooksRunAroundTheProcess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newDepHarness(t, job("web", func(j *spec.Job) {
			j.Hooks = spec.Hooks{PreStart: []string{"/bin/pre"}, PreStop: []string{"/bin/drain"},
				PostStop: []string{"/bin/post"}, Timeout: 5 * time.Second}
		}))
		synctest.Wait()
		h.proc("web pre_start").exit(ExitStatus{Code: 0})
		time.Sleep(time.Second)
		h.wantState("web", Running)
		go h.sup.Stop(h.ctx, []string{"web"}, true)
		synctest.Wait()
		// pre_stop runs before the stop signal; it hangs and is killed at
		// its timeout, then web gets SIGTERM.
		drain := h.proc("web pre_stop")
		if drain == nil || len(h.proc("web").sigs()) != 0 {
			t.Fatalf("pre_stop %v, web signals %v", drain, h.proc("web").sigs())
		}
		time.Sleep(5 * time.Second)
		synctest.Wait()
		if got := drain.sigs(); !reflect.DeepEqual(got, []string{"SIGKILL group=true"}) {
			t.Fatalf("pre_stop signals %v", got)
		}
		h.wantState("web", Stopped)
		post := h.proc("web post_stop")
		env := post.req.Env
		if got := env[len(env)-2:]; !reflect.DeepEqual(got, []string{"EXIT_STATUS=", "EXIT_SIGNAL=TERM"}) {
			t.Fatalf("post_stop env %v", got)
		}
	})
}

func TestWaitReason(t *testing.T) {
	cases := []struct {
		ds    []depStatus
		files []string
		want  string
	}{
		{nil, nil, ""},
		{[]depStatus{{Name: "db", Ready: true}}, nil, ""},
		{[]depStatus{{Name: "db", State: Running, NotReady: "not ready: tcp :5432 refused"}}, nil, "waiting for db (not ready: tcp :5432 refused)"},
		{[]depStatus{{Name: "db", State: Backoff}, {Name: "cache", Ready: true}, {Name: "ghost", State: Unknown}}, []string{"/a"},
			"waiting for db (BACKOFF), ghost (not in the config), file /a"},
	}
	for _, c := range cases {
		if got := waitReason(c.ds, c.files); got != c.want {
			t.Errorf("%+v: %q, want %q", c, got, c.want)
		}
	}
}
