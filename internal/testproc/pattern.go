package testproc

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// LineLen is the length of every line of Pattern, newline included.
const LineLen = 100

// Pattern returns a reader of the first n bytes of the deterministic stream
// the "write" subcommand emits: lines of exactly LineLen bytes,
//
//	"line 0000000001 " + 83 letters + "\n"
//
// numbered from 1, whose letters rotate with the line number so that a
// misplaced or repeated chunk is detected; the last line is truncated to
// make exactly n bytes. Tests hash or compare against it.
func Pattern(n int64) io.Reader {
	return &patternReader{n: n, cur: -1}
}

type patternReader struct {
	n, off int64
	cur    int64 // index of the line in buf, -1 for none
	buf    [LineLen]byte
}

func (r *patternReader) Read(p []byte) (int, error) {
	if r.off >= r.n {
		return 0, io.EOF
	}
	total := 0
	for len(p) > 0 && r.off < r.n {
		idx, col := r.off/LineLen, r.off%LineLen
		if idx != r.cur {
			fillLine(&r.buf, idx+1)
			r.cur = idx
		}
		k := copy(p, r.buf[col:])
		if rest := r.n - r.off; int64(k) > rest {
			k = int(rest)
		}
		p = p[k:]
		r.off += int64(k)
		total += k
	}
	return total, nil
}

const linePrefix = "line "
const numWidth = 10

// fillLine writes line number no (1-based) into buf.
func fillLine(buf *[LineLen]byte, no int64) {
	copy(buf[:], linePrefix)
	v := no
	for i := len(linePrefix) + numWidth - 1; i >= len(linePrefix); i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	buf[len(linePrefix)+numWidth] = ' '
	for i := len(linePrefix) + numWidth + 1; i < LineLen-1; i++ {
		buf[i] = byte('a' + (no+int64(i))%26)
	}
	buf[LineLen-1] = '\n'
}

// ParseSize parses a byte count: a plain non-negative integer, or one with a
// decimal (kB, KB, MB, GB: powers of 1000) or binary (KiB, MiB, GiB: powers
// of 1024) unit, or B. "100MB" is 100*1000*1000.
func ParseSize(s string) (int64, error) {
	num := strings.TrimRight(s, "KMGiBk")
	unit := s[len(num):]
	var mult int64
	switch unit {
	case "", "B":
		mult = 1
	case "kB", "KB":
		mult = 1000
	case "MB":
		mult = 1000 * 1000
	case "GB":
		mult = 1000 * 1000 * 1000
	case "KiB":
		mult = 1 << 10
	case "MiB":
		mult = 1 << 20
	case "GiB":
		mult = 1 << 30
	default:
		return 0, fmt.Errorf("size %q: unknown unit %q", s, unit)
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("size %q: not a non-negative integer", s)
	}
	if n > (1<<63-1)/mult {
		return 0, fmt.Errorf("size %q: too large", s)
	}
	return n * mult, nil
}
