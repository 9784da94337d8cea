package proc

import (
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sup-run/sup/internal/testproc"
)

// R11: thousands of short-lived children, started concurrently. Every exit
// status arrives exactly once, with its own code, and no zombie remains.
// With pid_max often 32768, pids are reused within the test: this also
// exercises registration against reuse.
func TestExitsDeliveredExactlyOnce(t *testing.T) {
	r := newReaper(t, ReaperOptions{})
	n := manyChildren
	// Workers, not n goroutines: the race detector allows 8128 at once.
	workers := min(n, 256)
	var (
		next      atomic.Int64
		delivered atomic.Int64
		wg        sync.WaitGroup
		seen      sync.Map // pid -> how many times it was started
	)
	began := time.Now()
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				want := i % 256
				p, err := r.Start(Attr{Argv: testproc.Argv("exit", strconv.Itoa(want))})
				if err != nil {
					t.Errorf("child %d: %v", i, err)
					return
				}
				c, _ := seen.LoadOrStore(p.Pid(), new(atomic.Int32))
				c.(*atomic.Int32).Add(1)
				select {
				case e, ok := <-p.Done():
					if !ok || e.Code != want || e.Signal != 0 || e.Pid != p.Pid() {
						t.Errorf("child %d: %+v (ok %v), want exit %d", i, e, ok, want)
					}
					delivered.Add(1)
				case <-time.After(timeout):
					t.Errorf("child %d (%v): no exit", i, p)
					return
				}
				if e, ok := <-p.Done(); ok {
					t.Errorf("child %d: second delivery %+v", i, e)
				}
			}
		})
	}
	wg.Wait()
	if got := delivered.Load(); got != int64(n) {
		t.Errorf("%d exits delivered, want %d", got, n)
	}
	reused := 0
	seen.Range(func(_, c any) bool {
		if c.(*atomic.Int32).Load() > 1 {
			reused++
		}
		return true
	})
	t.Logf("%d children in %v; %d pids reused", n, time.Since(began).Round(time.Millisecond), reused)
	if o := r.Orphans(); o != 0 {
		t.Errorf("%d exits reaped as orphans", o)
	}
	if k := r.Running(); k != 0 {
		t.Errorf("%d still registered", k)
	}
	checkNoZombies(t)
	if t.Failed() {
		t.Logf("pid %d", os.Getpid())
	}
}
