package logs

import (
	"io"
	"time"
)

// StampLayout is the per-line time prefix of timestamped logs (then a space).
const StampLayout = "2006-01-02T15:04:05.000Z07:00"

// Stamper writes to W each line prefixed with the time it was read. It is
// the writer of the .ts companion of a log with timestamps = True; the log
// itself keeps the raw bytes.
type Stamper struct {
	W   io.Writer
	Now func() time.Time
	mid bool // inside a line: no prefix before the next byte
	buf []byte
}

// Write implements io.Writer. It always reports len(p): the companion is a
// convenience and its faults are the File's to count.
func (s *Stamper) Write(p []byte) (int, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	stamp := now().AppendFormat(nil, StampLayout)
	s.buf = s.buf[:0]
	for i := 0; i < len(p); {
		if !s.mid {
			s.buf = append(s.buf, stamp...)
			s.buf = append(s.buf, ' ')
		}
		j := i
		for j < len(p) && p[j] != '\n' {
			j++
		}
		if j < len(p) {
			j++
			s.mid = false
		} else {
			s.mid = true
		}
		s.buf = append(s.buf, p[i:j]...)
		i = j
	}
	s.W.Write(s.buf)
	if cap(s.buf) > 1<<20 {
		s.buf = nil
	}
	return len(p), nil
}
