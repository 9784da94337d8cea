package supervisor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sup-run/sup/internal/signals"
	"github.com/sup-run/sup/runtime/spec"
)

// fakeSpawner records spawns; tests end fake processes by hand.
type fakeSpawner struct {
	mu      sync.Mutex
	nextPid int
	procs   []*fakeProc
	fail    map[string]error // argv[0] -> spawn error
	// onSignal decides how a fake process reacts to a signal.
	onSignal func(p *fakeProc, sig syscall.Signal, group bool)
}

type fakeProc struct {
	sp      *fakeSpawner
	req     SpawnRequest
	pid     int
	done    chan ExitStatus
	mu      sync.Mutex
	signals []string
	exited  bool
	group   bool // group members still alive
}

func (f *fakeSpawner) Spawn(req SpawnRequest) (Proc, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail[req.Argv[0]]; err != nil {
		return nil, err
	}
	f.nextPid++
	p := &fakeProc{sp: f, req: req, pid: 1000 + f.nextPid, done: make(chan ExitStatus, 1)}
	f.procs = append(f.procs, p)
	return p, nil
}

func (f *fakeSpawner) base() *fakeSpawner { return f }

func (f *fakeSpawner) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.procs)
}

func (f *fakeSpawner) last() *fakeProc {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.procs[len(f.procs)-1]
}

func (p *fakeProc) Pid() int { return p.pid }
func (p *fakeProc) Signal(sig syscall.Signal) error {
	return p.sig(sig, false)
}
func (p *fakeProc) SignalGroup(sig syscall.Signal) error {
	return p.sig(sig, true)
}
func (p *fakeProc) sig(sig syscall.Signal, group bool) error {
	p.mu.Lock()
	if p.exited && !(group && p.group) {
		p.mu.Unlock()
		return os.ErrProcessDone
	}
	p.signals = append(p.signals, fmt.Sprintf("%s group=%v", signals.String(sig), group))
	if group && sig == syscall.SIGKILL {
		p.group = false
	}
	p.mu.Unlock()
	if p.sp.onSignal != nil {
		p.sp.onSignal(p, sig, group)
	} else if sig == syscall.SIGTERM || sig == syscall.SIGKILL {
		p.exit(ExitStatus{Code: -1, Signal: sig})
	}
	return nil
}
func (p *fakeProc) GroupAlive() bool        { p.mu.Lock(); defer p.mu.Unlock(); return p.group }
func (p *fakeProc) Done() <-chan ExitStatus { return p.done }

// exit ends the fake process once.
func (p *fakeProc) exit(st ExitStatus) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.exited {
		return
	}
	p.exited = true
	st.Time = time.Now()
	p.done <- st
}

func (p *fakeProc) sigs() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.signals...)
}

// harness runs a supervisor on a fake spawner inside a synctest bubble.
type harness struct {
	t   *testing.T
	sp  *fakeSpawner
	sup *Supervisor
	ctx context.Context
}

func newHarness(t *testing.T, jobs ...*spec.Job) *harness {
	t.Helper()
	return newHarnessWith(t, &fakeSpawner{fail: map[string]error{}}, jobs...)
}

// newHarnessWith runs the jobs on spawner, which wraps a fakeSpawner.
func newHarnessWith(t *testing.T, spawner interface {
	Spawner
	base() *fakeSpawner
}, jobs ...*spec.Job) *harness {
	t.Helper()
	fs := spawner.base()
	s := New(Options{Spawner: spawner, Environ: []string{"HOME=/home/u", "PATH=/bin"}})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() {
		cancel()
		<-s.Done()
	})
	go s.Run(ctx)
	sp := &spec.Spec{Config: "/etc/site.star", Settings: spec.Settings{Name: "site", LogDir: t.TempDir()}}
	for _, j := range jobs {
		if j.Group == "" {
			j.Group = j.Name
		}
		sp.Jobs = append(sp.Jobs, j)
	}
	if err := s.Apply(ctx, sp); err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, sp: fs, sup: s, ctx: ctx}
}

func job(name string, f ...func(*spec.Job)) *spec.Job {
	j := &spec.Job{
		Name: name, Kind: spec.KindService, Cmd: []string{"/bin/" + name}, Autostart: true, Numprocs: 1,
		Restart: spec.RestartOnFailure, ExitCodes: []int{0}, StartSecs: time.Second, StartRetries: 3,
		Backoff:    spec.Backoff{Initial: time.Second, Factor: 2, Max: time.Minute, ResetAfter: 10 * time.Minute},
		StopSignal: syscall.SIGTERM, StopTimeout: 10 * time.Second, KillGroup: true,
	}
	for _, fn := range f {
		fn(j)
	}
	return j
}

func (h *harness) state(name string) ProcessInfo {
	h.t.Helper()
	infos, err := h.sup.Status(h.ctx, []string{name})
	if err != nil {
		h.t.Fatal(err)
	}
	if len(infos) != 1 {
		h.t.Fatalf("status %s: %d rows", name, len(infos))
	}
	return infos[0]
}

func (h *harness) wantState(name string, want State) ProcessInfo {
	h.t.Helper()
	synctest.Wait()
	p := h.state(name)
	if p.StateName != want.String() {
		h.t.Fatalf("%s: state %s (%s), want %s", name, p.StateName, p.Description, want)
	}
	return p
}

var errNoFile = errors.New("spawn /bin/missing: no such file or directory")
