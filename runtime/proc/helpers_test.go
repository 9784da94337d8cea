package proc

import (
	"bufio"
	"io"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sup-run/sup/internal/testproc"
)

// The tests spawn helper children: this test binary, re-executed through
// internal/testproc.
//
// A Reaper reaps every child of the test process. So these tests never use
// os/exec (nor os.Process.Wait), and never run in parallel: each test that
// spawns makes its own Reaper with newReaper, which is closed before the
// test ends, so at most one Reaper exists at any time.
func TestMain(m *testing.M) {
	if testproc.IsHelper() {
		os.Exit(testproc.Main(os.Args[2:]))
	}
	os.Exit(m.Run())
}

// timeout bounds every wait for a child; a hang fails the test instead of
// the whole binary.
const timeout = 30 * time.Second

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// newReaper returns a Reaper that the test's cleanup closes, after killing
// and reaping whatever the test left running (which is an error).
func newReaper(t *testing.T, opts ReaperOptions) *Reaper {
	t.Helper()
	r, err := NewReaper(testLogger(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		r.mu.Lock()
		left := slices.Collect(maps.Values(r.procs))
		r.mu.Unlock()
		for _, p := range left {
			t.Errorf("test left %v running", p)
			p.SignalGroup(syscall.SIGKILL)
			select {
			case <-p.Done():
			case <-time.After(timeout):
				t.Errorf("%v: not reaped after SIGKILL", p)
			}
		}
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return r
}

func helper(args ...string) Attr { return Attr{Argv: testproc.Argv(args...)} }

func start(t testing.TB, r *Reaper, a Attr) *Process {
	t.Helper()
	p, err := r.Start(a)
	if err != nil {
		t.Fatalf("Start(%q): %v", a.Argv, err)
	}
	return p
}

func wait(t testing.TB, p *Process) Exit {
	t.Helper()
	select {
	case e, ok := <-p.Done():
		if !ok {
			t.Fatalf("%v: Done closed without an Exit", p)
		}
		return e
	case <-time.After(timeout):
		t.Fatalf("%v: no exit after %v", p, timeout)
		return Exit{}
	}
}

// waitFor polls cond: for facts no channel announces (an orphan reaped, a
// group emptied).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// pipe returns both ends of a pipe, closed at cleanup if still open.
func pipe(t testing.TB) (r, w *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

// output runs a to completion with its stdout captured.
func output(t testing.TB, r *Reaper, a Attr) (string, Exit) {
	t.Helper()
	out, w := pipe(t)
	a.Stdout = w
	p := start(t, r, a)
	w.Close()
	b, err := io.ReadAll(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), wait(t, p)
}

// startReading starts a and returns it with the first line of its stdout.
func startReading(t testing.TB, r *Reaper, a Attr) (*Process, string) {
	t.Helper()
	out, w := pipe(t)
	a.Stdout = w
	p := start(t, r, a)
	w.Close()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("%v: reading its first line: %v", p, err)
	}
	return p, line
}

// zombieChildren lists the zombies whose parent is this process.
func zombieChildren(t testing.TB) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	me := strconv.Itoa(os.Getpid())
	var zombies []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // gone meanwhile
		}
		// "pid (comm) state ppid ...": comm may hold spaces and parentheses.
		s := string(stat)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) >= 2 && fields[0] == "Z" && fields[1] == me {
			zombies = append(zombies, pid)
		}
	}
	return zombies
}

func checkNoZombies(t testing.TB) {
	t.Helper()
	if z := zombieChildren(t); len(z) > 0 {
		t.Errorf("zombie children left: %v", z)
	}
}

// statusField reads a hex mask line (SigBlk, SigIgn, ...) of a
// /proc/<pid>/status text.
func statusField(t testing.TB, status, name string) uint64 {
	t.Helper()
	for line := range strings.Lines(status) {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return n
		}
	}
	t.Fatalf("no %s line in:\n%s", name, status)
	return 0
}

func sigBit(sig syscall.Signal) uint64 { return 1 << (sig - 1) }
