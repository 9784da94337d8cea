// Package logs captures what children write and serves it back by exact
// byte offsets.
//
// A File is an append-only log file. Writers append whole reads from a
// child's pipe; readers (tail, tail -f) read by absolute offset and wait on
// Changed for more. No byte is transformed: the file holds exactly what the
// child wrote, in order.
package logs

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// File is an append-only log file with an exact size and a broadcast to
// followers on every write. It is safe for concurrent use: one capture
// goroutine per pipe may write while any number of readers read.
type File struct {
	path string

	mu      sync.Mutex
	f       *os.File
	size    int64
	lost    int64
	changed chan struct{}
	closed  bool
}

// OpenFile opens (creating it and its directory) the log file at path for
// appending. An existing file is continued, not truncated.
func OpenFile(path string) (*File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("log %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("log %s: %w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("log %s: %w", path, err)
	}
	return &File{path: path, f: f, size: st.Size(), changed: make(chan struct{})}, nil
}

// Path is the file's path.
func (l *File) Path() string { return l.path }

// Size is the number of bytes in the file, as written through this File.
func (l *File) Size() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.size
}

// Lost is the number of bytes that could not be written (a write error).
func (l *File) Lost() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lost
}

// Write appends p. On a write error the bytes not written are counted as
// lost and the error is returned; the File stays usable.
func (l *File) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		l.lost += int64(len(p))
		return 0, fmt.Errorf("log %s: %w", l.path, os.ErrClosed)
	}
	n, err := l.f.Write(p)
	l.size += int64(n)
	if err != nil {
		l.lost += int64(len(p) - n)
		err = fmt.Errorf("log %s: %w", l.path, err)
	}
	if n > 0 {
		close(l.changed)
		l.changed = make(chan struct{})
	}
	return n, err
}

// Changed returns a channel closed at the next write (or Close).
func (l *File) Changed() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.changed
}

// Close closes the file and wakes followers.
func (l *File) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	close(l.changed)
	return l.f.Close()
}

// Closed reports whether Close was called.
func (l *File) Closed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closed
}

// ReadRange reads bytes [off, off+max) of the log, clamped to its size. It
// returns the bytes and the offset just after them. A negative off counts
// from the end: -N is the last N bytes (supervisorctl's tail semantics).
func (l *File) ReadRange(off, max int64) ([]byte, int64, error) {
	size := l.Size()
	return ReadRange(l.path, size, off, max)
}

// ReadRange reads from the file at path as ReadRange of File does, treating
// size as the file's length (pass -1 to stat it).
func ReadRange(path string, size, off, max int64) ([]byte, int64, error) {
	if size < 0 {
		st, err := os.Stat(path)
		if err != nil {
			return nil, 0, fmt.Errorf("log %s: %w", path, err)
		}
		size = st.Size()
	}
	if off < 0 {
		off = size + off
		if off < 0 {
			off = 0
		}
	}
	if off >= size || max == 0 {
		return nil, size, nil
	}
	n := size - off
	if max > 0 && n > max {
		n = max
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, off, fmt.Errorf("log %s: %w", path, err)
	}
	defer f.Close()
	buf := make([]byte, n)
	got, err := f.ReadAt(buf, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return buf[:got], off + int64(got), fmt.Errorf("log %s: %w", path, err)
	}
	return buf[:got], off + int64(got), nil
}
