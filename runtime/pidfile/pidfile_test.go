package pidfile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.pid")
	if _, err := Read(p); !errors.Is(err, ErrNoPid) {
		t.Fatalf("missing: %v", err)
	}
	for content, want := range map[string]int{"123\n": 123, "  77  ": 77} {
		os.WriteFile(p, []byte(content), 0o644)
		if got, err := Read(p); err != nil || got != want {
			t.Errorf("%q: %d, %v", content, got, err)
		}
	}
	os.WriteFile(p, nil, 0o644)
	if _, err := Read(p); !errors.Is(err, ErrNoPid) {
		t.Fatalf("empty: %v", err)
	}
	os.WriteFile(p, []byte("abc"), 0o644)
	if _, err := Read(p); err == nil || !strings.Contains(err.Error(), `holds "abc", not a pid`) {
		t.Fatalf("garbage: %v", err)
	}
}

func TestWait(t *testing.T) {
	p := filepath.Join(t.TempDir(), "d.pid")
	go os.WriteFile(p, []byte("4242\n"), 0o644)
	if pid, err := Wait(context.Background(), p, 30*time.Second); err != nil || pid != 4242 {
		t.Fatalf("%d, %v", pid, err)
	}
	missing := filepath.Join(t.TempDir(), "never.pid")
	if _, err := Wait(context.Background(), missing, time.Millisecond); err == nil ||
		!strings.HasSuffix(err.Error(), "did not appear within 1ms") {
		t.Fatalf("timeout: %v", err)
	}
}

func TestCheck(t *testing.T) {
	for pid, want := range map[int]string{
		os.Getpid():  "which is not the daemon's",
		1:            "which is not the daemon's",
		os.Getppid(): "which sup did not start",
		1 << 30:      "which is not running",
	} {
		if err := Check("x.pid", pid); err == nil || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("pid %d: %v, want ...%s", pid, err, want)
		}
	}
}
