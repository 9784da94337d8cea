// Package filewait tells when files may have appeared, for
// job(requires_files = [...]): inotify on the directories that hold them,
// and, only while such a directory does not exist yet, polling with a
// backoff (100ms doubling to 2s). Nothing spins.
package filewait

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

const (
	pollFirst = 100 * time.Millisecond
	pollMax   = 2 * time.Second
)

// Watch calls changed, from its own goroutines, whenever one of paths may
// have appeared, until ctx ends. It calls changed once after the watches are
// set, so a file created meanwhile is not missed. The caller checks which
// files exist.
func Watch(ctx context.Context, paths []string, changed func()) {
	dirs := map[string]bool{}
	for _, p := range paths {
		dirs[filepath.Dir(p)] = true
	}
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	missing := false
	watched := 0
	if err == nil {
		for d := range dirs {
			const mask = unix.IN_CREATE | unix.IN_MOVED_TO | unix.IN_ATTRIB | unix.IN_CLOSE_WRITE
			if _, err := unix.InotifyAddWatch(fd, d, mask); err != nil {
				missing = true
				continue
			}
			watched++
		}
	} else {
		missing = true
	}
	if fd >= 0 && err == nil {
		f := os.NewFile(uintptr(fd), "inotify")
		if watched > 0 {
			go func() {
				buf := make([]byte, 4096)
				for {
					if _, err := f.Read(buf); err != nil {
						return
					}
					changed()
				}
			}()
		}
		context.AfterFunc(ctx, func() { f.Close() })
	}
	if missing {
		go poll(ctx, changed)
	}
	changed()
}

// poll calls changed with a growing interval until ctx ends.
func poll(ctx context.Context, changed func()) {
	d := pollFirst
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		changed()
		d = min(2*d, pollMax)
		t.Reset(d)
	}
}
