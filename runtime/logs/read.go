package logs

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
)

// piece is one file's part of a read.
type piece struct {
	f        *os.File
	gz       bool
	from, n  int64 // offset and length within the file's (uncompressed) bytes
	fromName string
}

// ReadRange reads logical bytes [off, off+max) (max < 0: to the end),
// across rotated files, clamped to what is retained. It returns the bytes
// and the offset just after them; the first byte returned is at
// next-len(data). A negative off counts from the end: -N is exactly the last
// N bytes (fewer only if fewer are retained). Offsets before the first
// retained byte (evicted, cleared) start at the first retained byte. Bytes
// are returned as written: no decoding, so any offset is valid.
func (l *File) ReadRange(off, max int64) ([]byte, int64, error) {
	l.mu.Lock()
	end := l.endLocked()
	if off < 0 {
		off += end
	}
	if off < l.evicted {
		off = l.evicted
	}
	if off >= end || max == 0 {
		l.mu.Unlock()
		return nil, end, nil
	}
	n := end - off
	if max > 0 && n > max {
		n = max
	}
	// Open every file the range touches while the layout cannot change;
	// the fds stay valid across later renames.
	var pieces []piece
	var err error
	pos := l.evicted
	want := func(name string, gz bool, size int64) {
		lo, hi := max64(pos, off), min(pos+size, off+n)
		if lo < hi && err == nil {
			var f *os.File
			if f, err = os.Open(name); err == nil {
				pieces = append(pieces, piece{f: f, gz: gz, from: lo - pos, n: hi - lo, fromName: name})
			}
		}
		pos += size
	}
	for _, s := range l.segs {
		want(l.name(s), s.gz, s.size)
	}
	want(l.path, false, l.size)
	l.mu.Unlock()
	defer func() {
		for _, p := range pieces {
			p.f.Close()
		}
	}()
	buf := make([]byte, 0, n)
	for _, p := range pieces {
		b, rerr := p.read()
		buf = append(buf, b...)
		if rerr != nil {
			return buf, off + int64(len(buf)), fmt.Errorf("log %s: %w", p.fromName, rerr)
		}
	}
	if err != nil {
		return buf, off + int64(len(buf)), fmt.Errorf("log %s: %w", l.path, err)
	}
	return buf, off + int64(len(buf)), nil
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

func (p piece) read() ([]byte, error) {
	buf := make([]byte, p.n)
	if !p.gz {
		k, err := p.f.ReadAt(buf, p.from)
		if errors.Is(err, io.EOF) {
			err = nil // truncated from outside: return what is there
		}
		return buf[:k], err
	}
	zr, err := gzip.NewReader(p.f)
	if err != nil {
		return nil, err
	}
	if _, err := io.CopyN(io.Discard, zr, p.from); err != nil {
		return nil, err
	}
	k, err := io.ReadFull(zr, buf)
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		err = nil
	}
	return buf[:k], err
}
