package logs

import (
	"bytes"
	"time"
)

// Ring limits: the bytes and line starts kept in memory per File for
// `sup logs`. A File's ring is allocated at its first write and grows from
// small, so a quiet process costs a few KiB and an idle one nothing.
const (
	ringMinBytes = 4 << 10
	ringMaxBytes = 256 << 10
	ringMinMarks = 64
	ringMaxMarks = 4096
)

// Line is one line of output with the time sup read it.
type Line struct {
	// Seq numbers the lines of one File; a follower asks for lines after
	// the last Seq it saw.
	Seq  uint64
	Time time.Time
	// Text is the line without its newline. It may be invalid UTF-8; a
	// line longer than the ring holds is cut to its last bytes.
	Text []byte
	// Partial: the line has no newline yet.
	Partial bool
}

type mark struct {
	off int64 // ring offset of the line's first byte
	t   int64 // unix nanoseconds
}

// ring keeps the most recent bytes and line starts of a File.
type ring struct {
	buf        []byte // circular; len is a power of two
	start, end int64  // ring offsets of the bytes held
	marks      []mark // circular; len is a power of two
	mfirst     uint64 // seq of the oldest mark held
	mnext      uint64 // seq of the next mark
	open       bool   // the last byte was not a newline
}

func (r *ring) add(p []byte, now time.Time) {
	if len(p) == 0 {
		return
	}
	t := now.UnixNano()
	if !r.open {
		r.mark(r.end, t)
	}
	for i := 0; i < len(p); {
		j := bytes.IndexByte(p[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		if i < len(p) {
			r.mark(r.end+int64(i), t)
		}
	}
	r.open = p[len(p)-1] != '\n'
	r.write(p)
}

func (r *ring) mark(off int64, t int64) {
	if uint64(len(r.marks)) == r.mnext-r.mfirst {
		if len(r.marks) < ringMaxMarks {
			r.growMarks()
		} else {
			r.mfirst++
		}
	}
	r.marks[r.mnext&uint64(len(r.marks)-1)] = mark{off: off, t: t}
	r.mnext++
}

func (r *ring) growMarks() {
	n := max(ringMinMarks, 2*len(r.marks))
	m := make([]mark, n)
	for s := r.mfirst; s < r.mnext; s++ {
		m[s&uint64(n-1)] = r.marks[s&uint64(len(r.marks)-1)]
	}
	r.marks = m
}

func (r *ring) write(p []byte) {
	need := r.end - r.start + int64(len(p))
	if need > int64(len(r.buf)) && len(r.buf) < ringMaxBytes {
		n := max(ringMinBytes, len(r.buf))
		for int64(n) < need && n < ringMaxBytes {
			n *= 2
		}
		b := make([]byte, n)
		for o := r.start; o < r.end; o++ {
			b[o&int64(n-1)] = r.buf[o&int64(len(r.buf)-1)]
		}
		r.buf = b
	}
	size := int64(len(r.buf))
	if int64(len(p)) > size {
		r.end += int64(len(p)) - size
		p = p[int64(len(p))-size:]
	}
	for len(p) > 0 {
		i := r.end & (size - 1)
		k := copy(r.buf[i:], p)
		p = p[k:]
		r.end += int64(k)
	}
	if r.end-r.start > size {
		r.start = r.end - size
	}
}

func (r *ring) markAt(seq uint64) mark { return r.marks[seq&uint64(len(r.marks)-1)] }

// lines returns up to n of the last lines with seq > after (n < 0: all).
func (r *ring) lines(n int, after uint64) []Line {
	var out []Line
	for seq := r.mnext; seq > r.mfirst && seq > after; seq-- {
		s := seq - 1
		if n >= 0 && len(out) >= n {
			break
		}
		m := r.markAt(s)
		stop, partial := r.end, r.open
		if s+1 < r.mnext {
			stop, partial = r.markAt(s+1).off, false
		}
		from := max(m.off, r.start)
		if from >= stop {
			break
		}
		text := make([]byte, 0, stop-from)
		for o := from; o < stop; o++ {
			text = append(text, r.buf[o&int64(len(r.buf)-1)])
		}
		if !partial && len(text) > 0 && text[len(text)-1] == '\n' {
			text = text[:len(text)-1]
		}
		out = append(out, Line{Seq: s + 1, Time: time.Unix(0, m.t), Text: text, Partial: partial})
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// Lines returns up to n (n < 0: all held) of the most recent lines whose
// Seq is greater than after, oldest first. It serves `sup logs` from memory.
func (l *File) Lines(n int, after uint64) []Line {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ring == nil {
		return nil
	}
	return l.ring.lines(n, after)
}
