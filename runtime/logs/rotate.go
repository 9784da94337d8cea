package logs

import (
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// name is the path of a retained segment: path.N or path.N.gz.
func (l *File) name(s *segment) string {
	n := l.path + "." + strconv.Itoa(s.idx)
	if s.gz {
		n += ".gz"
	}
	return n
}

// scan finds the retained backups on disk, oldest first.
func (l *File) scan() []*segment {
	var segs []*segment
	for i := l.o.Backups; i >= 1; i-- {
		for _, gz := range []bool{false, true} {
			s := &segment{idx: i, gz: gz}
			st, err := l.o.FS.Stat(l.name(s))
			if err != nil {
				continue
			}
			s.size = st.Size()
			if gz {
				s.size = gzSize(l.name(s))
			}
			segs = append(segs, s)
			break
		}
	}
	return segs
}

// gzSize is the uncompressed size recorded in a gzip file's trailer.
func gzSize(path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	var b [4]byte
	st, err := f.Stat()
	if err != nil || st.Size() < 4 {
		return 0
	}
	if _, err := f.ReadAt(b[:], st.Size()-4); err != nil {
		return 0
	}
	return int64(binary.LittleEndian.Uint32(b[:]))
}

// Rotate starts a new live file now (when the live file is not empty).
func (l *File) Rotate() error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if l.Closed() {
		return fmt.Errorf("log %s: %w", l.path, os.ErrClosed)
	}
	if l.liveSize() == 0 {
		return nil
	}
	return l.rotateLocked()
}

// rotateLocked shifts path.N to path.N+1 (evicting past Backups), moves the
// live file to path.1 and opens a new live file. On a failure nothing is
// lost: the live file is kept and written on; the failure is reported.
func (l *File) rotateLocked() (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("rotate %s: %w", l.path, err)
			l.report(EventRotateFailed, err)
		}
	}()
	fs := l.o.FS
	l.mu.Lock()
	l.scanLocked()
	keep := l.segs[:0:0]
	for i, s := range l.segs {
		if s.idx+1 > l.o.Backups {
			// Evicted. If the removal fails the next rename replaces it.
			fs.Remove(l.name(s))
			s.gone = true
			l.evicted += s.size
			continue
		}
		from := l.name(s)
		s.idx++
		if rerr := fs.Rename(from, l.name(s)); rerr != nil {
			s.idx--
			l.segs = append(keep, l.segs[i:]...)
			l.mu.Unlock()
			return rerr
		}
		keep = append(keep, s)
	}
	l.segs = keep
	var fresh *segment
	if l.o.Backups >= 1 {
		fresh = &segment{idx: 1, size: l.size}
		if rerr := fs.Rename(l.path, l.name(fresh)); rerr != nil {
			l.mu.Unlock()
			return rerr
		}
		l.segs = append(l.segs, fresh)
	} else if rerr := fs.Remove(l.path); rerr != nil {
		l.mu.Unlock()
		return rerr
	} else {
		l.evicted += l.size
	}
	l.size = 0
	l.broadcastLocked()
	var src *os.File
	if fresh != nil && l.o.Compress {
		src, _ = os.Open(l.name(fresh))
	}
	l.mu.Unlock()
	if l.f != nil {
		l.f.Close()
		l.f = nil
	}
	if err := l.openLive(); err != nil {
		return err
	}
	if src != nil {
		l.bg.Add(1)
		go l.compress(fresh, src)
	}
	l.report(EventRotated, nil)
	return nil
}

// compress gzips a rotated segment from src (an fd, so renames meanwhile
// do not matter) and swaps the .gz in under the layout lock.
func (l *File) compress(s *segment, src *os.File) {
	defer l.bg.Done()
	defer src.Close()
	l.mu.Lock()
	l.seq++
	tmp := filepath.Join(filepath.Dir(l.path), fmt.Sprintf(".%s.%d.gz.tmp", filepath.Base(l.path), l.seq))
	l.mu.Unlock()
	err := gzipTo(tmp, src)
	l.mu.Lock()
	gone := s.gone
	if err == nil && !gone {
		plain := l.name(s)
		s.gz = true
		if err = os.Rename(tmp, l.name(s)); err != nil {
			s.gz = false
		} else {
			os.Remove(plain)
		}
	}
	name := l.name(s)
	l.mu.Unlock()
	if err != nil || gone {
		os.Remove(tmp)
	}
	if err != nil && !gone {
		l.report(EventRotateFailed, fmt.Errorf("compress %s: %w", name, err))
	}
}

func gzipTo(path string, src io.Reader) error {
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(out)
	_, err = io.Copy(zw, src)
	err = errors.Join(err, zw.Close(), out.Sync(), out.Close())
	if err != nil {
		os.Remove(path)
	}
	return err
}

// Reopen closes and reopens the live file by path, for an external
// logrotate (SIGUSR2). What was moved away leaves the retained history.
func (l *File) Reopen() error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if l.Closed() {
		return fmt.Errorf("log %s: %w", l.path, os.ErrClosed)
	}
	return l.reopenLocked()
}

// reopenLocked reopens the live file and rescans the backups, keeping the
// logical end where it was.
func (l *File) reopenLocked() error {
	l.mu.Lock()
	end := l.endLocked()
	l.mu.Unlock()
	if l.f != nil {
		l.f.Close()
		l.f = nil
	}
	os.MkdirAll(filepath.Dir(l.path), 0o755)
	if err := l.openLive(); err != nil {
		return err
	}
	l.mu.Lock() // held across the scan: a compression may be swapping files
	defer l.mu.Unlock()
	segs := l.scan()
	for _, s := range l.segs {
		s.gone = true
	}
	l.segs = segs
	l.evicted = 0
	l.evicted = max(0, end-l.endLocked())
	l.broadcastLocked()
	return nil
}

// Clear deletes the rotated files and empties the live file. Offsets go on
// from where they were.
func (l *File) Clear() error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if l.Closed() {
		return fmt.Errorf("log %s: %w", l.path, os.ErrClosed)
	}
	l.mu.Lock()
	l.scanLocked()
	var errs []error
	keep := l.segs[:0:0]
	for _, s := range l.segs {
		if err := l.o.FS.Remove(l.name(s)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
			keep = append(keep, s)
			continue
		}
		s.gone = true
		l.evicted += s.size
	}
	l.segs = keep
	if l.lazy {
		// Not created yet: nothing to empty.
	} else if l.f == nil {
		errs = append(errs, fmt.Errorf("%s is not open", l.path))
	} else if err := l.f.Truncate(0); err != nil {
		errs = append(errs, err)
	} else {
		l.evicted += l.size
		l.size = 0
	}
	if l.ring != nil {
		l.ring = nil
	}
	l.broadcastLocked()
	l.mu.Unlock()
	if err := errors.Join(errs...); err != nil {
		err = fmt.Errorf("clear %s: %w", l.path, err)
		l.report(EventRotateFailed, err)
		return err
	}
	return nil
}
