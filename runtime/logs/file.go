// Package logs captures what children write and serves it back by exact
// byte offsets.
//
// A File is an append-only log with optional rotation. Writers append whole
// reads from a child's pipe; readers (tail, tail -f) read by logical offset
// and wait on Changed for more. No byte is transformed: the live file and
// its rotated backups, concatenated oldest first, hold exactly what the
// child wrote, minus whole files evicted by retention or cleared.
//
// Logical offsets count every byte ever written through the File (plus the
// retained files found at open). They never go back: rotation, eviction,
// clear and reopen only move the first retained offset forward.
package logs

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// Period is the time-based rotation schedule.
type Period string

// The values of log_to(rotate = ...).
const (
	Never  Period = ""
	Hourly Period = "hourly"
	Daily  Period = "daily"
)

// The values of log_to(on_full = ...).
const (
	// Block holds the child back (its pipe fills) and retries the write.
	Block = "block"
	// Drop discards what cannot be written and counts the bytes.
	Drop = "drop"
)

// Options are a File's rotation and fault policy. The zero value is a
// plain append-only file that drops (and counts) bytes it cannot write.
type Options struct {
	// MaxSize rotates the file before it would exceed this many bytes
	// (0: no size limit). A rotation cuts after the last newline that fits,
	// so files end on line boundaries unless a line is longer than MaxSize.
	MaxSize int64
	// Backups is how many rotated files are kept (path.1 newest); older
	// ones are deleted. 0 with rotation keeps none.
	Backups int
	// Rotate rotates at the first write after each hour or day boundary
	// (local time). No timer runs: an idle log rotates when it next writes.
	Rotate Period
	// Compress gzips rotated files (path.N.gz), in the background.
	Compress bool
	// OnFull is Block or Drop (default Drop) for ENOSPC, EDQUOT, EIO.
	OnFull string
	// FS is the filesystem (default OSFS).
	FS FS
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Report receives faults and recoveries (may be nil). It is called with
	// the File's write lock held and must not block.
	Report func(Event)
	// RetryMin and RetryMax pace Block retries (default 50ms and 1s).
	RetryMin, RetryMax time.Duration
	// CheckEvery is how often, while the child writes, the path is checked
	// for deletion or replacement from outside (default 250ms). Nothing is
	// checked while nothing is written.
	CheckEvery time.Duration
	// Lazy defers creating a live file that does not exist yet (and the
	// scan for its backups) until the first write, clear or read of it:
	// a thousand quiet children create no files. Open still fails when the
	// directory is not writable.
	Lazy bool
}

// Event kinds.
const (
	EventFull         = "log_full"          // writes fail; Lost counts dropped bytes
	EventResumed      = "log_resumed"       // writes succeed again
	EventReopened     = "log_reopened"      // the path was deleted or replaced, or Reopen was called
	EventRotated      = "log_rotated"       // a rotation completed
	EventRotateFailed = "log_rotate_failed" // rotation, compression or clear failed
)

// Event is a fault or recovery of one log file.
type Event struct {
	Kind string
	Path string
	Err  error
	// Lost is the total number of bytes dropped by the File so far.
	Lost int64
}

func (e Event) String() string {
	s := e.Kind + " " + e.Path
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	if e.Lost > 0 {
		s += fmt.Sprintf(" (%d bytes lost so far)", e.Lost)
	}
	return s
}

// segment is one retained rotated file.
type segment struct {
	idx  int
	gz   bool
	size int64 // uncompressed bytes
	gone bool  // evicted or cleared (a running compression discards its output)
}

// File is a log file with an exact logical size, rotation, and a broadcast
// to followers on every write. One capture goroutine per pipe may write while
// any number of readers read.
type File struct {
	path string
	o    Options

	// wmu serializes writes, rotation, reopen and clear. The fields below
	// it are owned by whoever holds it.
	wmu        sync.Mutex
	f          WFile
	dev, ino   uint64
	nextRotate time.Time
	lastCheck  time.Time
	fault      error // the current fault episode, nil when healthy
	retry      time.Duration

	// mu guards the layout readers see.
	mu      sync.Mutex
	size    int64      // bytes in the live file
	segs    []*segment // retained rotated files, oldest first
	evicted int64      // logical offset of the first retained byte
	lost    int64
	changed chan struct{}
	closed  bool
	quit    chan struct{}
	ring    *ring
	seq     int
	bg      sync.WaitGroup // compressions
	// lazy: the live file is created at the first write (Options.Lazy);
	// unscanned: segs are found at the first look at the layout. lazy is
	// owned by wmu, unscanned by mu.
	lazy, unscanned bool
}

// OpenFile opens a plain append-only log at path (see Open).
func OpenFile(path string) (*File, error) { return Open(path, Options{}) }

// Open opens (creating it and its directory) the log at path. An existing
// file is continued, not truncated, and existing backups (path.1, path.2.gz,
// ...) up to o.Backups are taken as the retained history.
func Open(path string, o Options) (*File, error) {
	if o.FS == nil {
		o.FS = OSFS{}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.OnFull == "" {
		o.OnFull = Drop
	}
	if o.RetryMin <= 0 {
		o.RetryMin = 50 * time.Millisecond
	}
	if o.RetryMax < o.RetryMin {
		o.RetryMax = max(time.Second, o.RetryMin)
	}
	if o.CheckEvery <= 0 {
		o.CheckEvery = 250 * time.Millisecond
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("log %s: %w", path, err)
	}
	l := &File{path: path, o: o, changed: make(chan struct{}), quit: make(chan struct{})}
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if o.Lazy && l.absent() {
		if err := syscall.Access(filepath.Dir(path), accessW|accessX); err != nil {
			return nil, fmt.Errorf("log %s: %w", path, &os.PathError{Op: "open", Path: path, Err: err})
		}
		l.lazy, l.unscanned = true, true
	} else {
		if err := l.openLive(); err != nil {
			return nil, err
		}
		l.segs = l.scan()
	}
	l.lastCheck = o.Now()
	l.nextRotate = boundary(o.Rotate, l.lastCheck)
	return l, nil
}

// openLive opens the live file and records its identity and size.
func (l *File) openLive() error {
	f, err := l.o.FS.OpenAppend(l.path)
	if err != nil {
		return fmt.Errorf("log %s: %w", l.path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("log %s: %w", l.path, err)
	}
	l.f = f
	l.lazy = false
	l.dev, l.ino = inode(st)
	l.mu.Lock()
	l.size = st.Size()
	l.mu.Unlock()
	return nil
}

// boundary is the next rotation time after t, or zero.
func boundary(p Period, t time.Time) time.Time {
	switch p {
	case Hourly:
		return t.Truncate(time.Hour).Add(time.Hour)
	case Daily:
		y, m, d := t.Date()
		return time.Date(y, m, d+1, 0, 0, 0, 0, t.Location())
	}
	return time.Time{}
}

// Path is the live file's path.
func (l *File) Path() string { return l.path }

// Options returns the File's options.
func (l *File) Options() Options { return l.o }

// Size is the logical end: the offset just after the last byte written.
// Without rotation it is the file's size.
func (l *File) Size() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.endLocked()
}

func (l *File) endLocked() int64 {
	l.scanLocked()
	end := l.evicted + l.size
	for _, s := range l.segs {
		end += s.size
	}
	return end
}

// Start is the logical offset of the first retained byte.
func (l *File) Start() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.evicted
}

// Lost is the number of bytes that could not be written.
func (l *File) Lost() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lost
}

// Write appends p. Bytes that cannot be written (disk full, I/O error) are
// handled by the OnFull policy: Block retries until they are written (or
// the File is closed), Drop counts them in Lost. Either way the fault is
// reported once, and its end once. Write fails only after Close.
func (l *File) Write(p []byte) (int, error) {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	l.mu.Lock()
	if l.closed {
		l.lost += int64(len(p))
		l.mu.Unlock()
		return 0, fmt.Errorf("log %s: %w", l.path, os.ErrClosed)
	}
	if l.ring == nil {
		l.ring = &ring{}
	}
	now := l.o.Now()
	l.ring.add(p, now)
	l.scanLocked()
	l.mu.Unlock()
	if l.lazy {
		l.openLive() // on failure l.f stays nil and the write path reopens
	}
	l.check(now)
	if !l.nextRotate.IsZero() && !now.Before(l.nextRotate) {
		l.nextRotate = boundary(l.o.Rotate, now)
		if l.liveSize() > 0 {
			l.rotateLocked()
		}
	}
	rest := p
	for len(rest) > 0 {
		if l.f == nil {
			if err := l.reopenLocked(); err != nil {
				if !l.failed(err, &rest) {
					break
				}
				continue
			}
		}
		chunk := l.cut(rest)
		n, err := l.f.Write(chunk)
		if n > 0 {
			l.grow(n)
			rest = rest[n:]
		}
		if err != nil {
			if !l.failed(fmt.Errorf("log %s: %w", l.path, err), &rest) {
				break
			}
			continue
		}
		if l.fault != nil {
			l.fault = nil
			l.retry = 0
			l.report(EventResumed, nil)
		}
	}
	return len(p), nil
}

func (l *File) liveSize() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.size
}

// grow records n more bytes in the live file and wakes followers.
func (l *File) grow(n int) {
	l.mu.Lock()
	l.size += int64(n)
	close(l.changed)
	l.changed = make(chan struct{})
	l.mu.Unlock()
}

// cut returns the next chunk of rest to write, rotating first when the live
// file is full.
func (l *File) cut(rest []byte) []byte {
	maxSize := l.o.MaxSize
	if maxSize <= 0 {
		return rest
	}
	size := l.liveSize()
	room := maxSize - size
	if room >= int64(len(rest)) {
		return rest
	}
	if room > 0 {
		if i := bytes.LastIndexByte(rest[:room], '\n'); i >= 0 {
			return rest[:i+1]
		}
	}
	if size > 0 {
		if l.rotateLocked() != nil || l.f == nil {
			return rest // keep writing to the file we have: rotation failed
		}
		room = maxSize
	}
	if room >= int64(len(rest)) {
		return rest
	}
	if i := bytes.LastIndexByte(rest[:room], '\n'); i >= 0 {
		return rest[:i+1]
	}
	return rest[:room]
}

// failed applies the OnFull policy to a write error. It reports whether to
// retry (Block, after a pause); otherwise rest is counted lost and cleared.
func (l *File) failed(err error, rest *[]byte) bool {
	if l.fault == nil {
		l.fault = err
		l.report(EventFull, err)
	}
	if l.o.OnFull == Block && (full(err) || l.f == nil) {
		if l.retry == 0 {
			l.retry = l.o.RetryMin
		}
		t := time.NewTimer(l.retry)
		defer t.Stop()
		l.retry = min(2*l.retry, l.o.RetryMax)
		select {
		case <-t.C:
			return true
		case <-l.quit:
		}
	}
	l.mu.Lock()
	l.lost += int64(len(*rest))
	l.mu.Unlock()
	*rest = nil
	return false
}

func (l *File) report(kind string, err error) {
	if l.o.Report != nil {
		l.o.Report(Event{Kind: kind, Path: l.path, Err: err, Lost: l.Lost()})
	}
}

// check reopens the live file when it was deleted or replaced from outside.
// It runs only on writes, at most every CheckEvery.
func (l *File) check(now time.Time) {
	if now.Sub(l.lastCheck) < l.o.CheckEvery {
		return
	}
	l.lastCheck = now
	if l.f != nil {
		if st, err := l.o.FS.Stat(l.path); err == nil {
			if dev, ino := inode(st); dev == l.dev && ino == l.ino {
				return
			}
		}
	}
	if err := l.reopenLocked(); err == nil {
		l.report(EventReopened, fmt.Errorf("%s was deleted or replaced", l.path))
	}
}

// Changed returns a channel closed at the next write (or Close, clear,
// rotation, reopen).
func (l *File) Changed() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.changed
}

func (l *File) broadcastLocked() {
	if !l.closed {
		close(l.changed)
		l.changed = make(chan struct{})
	}
}

// Close closes the file, wakes followers and waits for compressions.
func (l *File) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	close(l.changed)
	close(l.quit)
	l.mu.Unlock()
	l.wmu.Lock()
	var err error
	if l.f != nil {
		err = l.f.Close()
		l.f = nil
	}
	l.wmu.Unlock()
	l.bg.Wait()
	return err
}

// Closed reports whether Close was called.
func (l *File) Closed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closed
}
