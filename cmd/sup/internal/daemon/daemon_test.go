package daemon

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sup-run/sup/cmd/sup/internal/control"
	"github.com/sup-run/sup/runtime/spec"
)

// syncBuffer is a bytes.Buffer safe for the daemon's log writer.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestBadConfigIsPositioned(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "site.star")
	os.WriteFile(cfg, []byte("job(\"web\", cmd = \"x\", stop_timeout = \"5x\")\n"), 0o644)
	err := Run(context.Background(), Options{Config: cfg, Stderr: &syncBuffer{}})
	if err == nil || !strings.Contains(err.Error(), `site.star:1:`) || !strings.Contains(err.Error(), `"5x" is not a duration`) {
		t.Fatalf("err = %v", err)
	}
}

func TestRunServeShutdown(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "site.star")
	os.WriteFile(cfg, []byte(`job("a", cmd = "sleep 1000", start_secs = "0s")`+"\n"), 0o644)
	ready := make(chan *spec.Spec, 1)
	done := make(chan error, 1)
	logbuf := &syncBuffer{}
	go func() {
		done <- Run(context.Background(), Options{Config: cfg, Stderr: logbuf, Ready: func(sp *spec.Spec) { ready <- sp }})
	}()
	var sp *spec.Spec
	select {
	case sp = <-ready:
	case err := <-done:
		t.Fatalf("Run ended early: %v", err)
	}
	c, err := control.NewClient(sp.Settings.Socket)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	w, err := c.Wait(ctx, control.WaitRequest{Names: []string{"a"}, For: "running", Timeout: "30s"})
	if err != nil || !w.Met {
		t.Fatalf("wait: %+v %v", w, err)
	}
	pid := w.Processes[0].PID

	// A second daemon on the same config is refused, naming the live one.
	err = Run(ctx, Options{Config: cfg, Stderr: &syncBuffer{}})
	want := fmt.Sprintf("sup is already running for this config (pid %d, state dir %s)", os.Getpid(), sp.Settings.StateDir)
	if err == nil || err.Error() != want {
		t.Fatalf("second Run: %v\nwant %s", err, want)
	}

	if err := c.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after shutdown")
	}
	if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
		t.Fatalf("child %d still exists after shutdown: %v", pid, err)
	}
	if _, err := os.Stat(sp.Settings.Socket); !os.IsNotExist(err) {
		t.Fatalf("socket left behind: %v", err)
	}
	if !strings.Contains(logbuf.String(), "sup stopped") {
		t.Fatalf("log: %s", logbuf.String())
	}
}
