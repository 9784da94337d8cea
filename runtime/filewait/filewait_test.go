package filewait

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// waitFor waits until every path exists, on the notifications of Watch.
func waitFor(t *testing.T, paths []string, create func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := make(chan struct{}, 1)
	Watch(ctx, paths, func() {
		select {
		case ch <- struct{}{}:
		default:
		}
	})
	go create()
	deadline := time.After(30 * time.Second)
	for {
		all := true
		for _, p := range paths {
			if _, err := os.Stat(p); err != nil {
				all = false
			}
		}
		if all {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatal("not notified within 30s")
		}
	}
}

func TestInotify(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ready.flag")
	waitFor(t, []string{p}, func() { os.WriteFile(p, nil, 0o644) })
}

func TestMissingDirIsPolled(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "later", "app.conf")
	waitFor(t, []string{p}, func() {
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, nil, 0o644)
	})
}
