package logs

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// FuzzTailAcrossRotation: for any writes, rotation size and retention,
// ReadRange at any offset returns exactly the model's bytes.
func FuzzTailAcrossRotation(f *testing.F) {
	f.Add([]byte("hello\nworld\n\xff\xfe no newline"), uint8(7), uint8(2), int16(-5), int16(3))
	f.Add(bytes.Repeat([]byte("0123456789\n"), 30), uint8(20), uint8(3), int16(-100), int16(-1))
	f.Fuzz(func(t *testing.T, data []byte, maxSize, backups uint8, off, n int16) {
		path := filepath.Join(t.TempDir(), "a.out")
		lf, err := Open(path, Options{MaxSize: int64(maxSize), Backups: int(backups % 8)})
		if err != nil {
			t.Fatal(err)
		}
		defer lf.Close()
		// write in uneven pieces, chosen by the data itself
		for i := 0; i < len(data); {
			k := 1 + int(data[i])%13
			lf.Write(data[i:min(i+k, len(data))])
			i += k
		}
		end, start := lf.Size(), lf.Start()
		if end != int64(len(data)) || lf.Lost() != 0 {
			t.Fatalf("Size %d Lost %d, want %d 0", end, lf.Lost(), len(data))
		}
		if r := retained(t, path, int(backups%8)); !bytes.Equal(r, data[start:]) {
			t.Fatalf("retained files = %q, want %q", r, data[start:])
		}
		got, next, err := lf.ReadRange(int64(off), int64(n))
		if err != nil {
			t.Fatal(err)
		}
		lo := int64(off)
		if lo < 0 {
			lo += end
		}
		lo = max(lo, start)
		hi := end
		if n >= 0 {
			hi = min(end, lo+int64(n))
		}
		if lo > end {
			lo = end
		}
		if hi < lo {
			hi = lo
		}
		if !bytes.Equal(got, data[lo:hi]) || next != max(hi, lo) && len(got) > 0 {
			t.Fatalf("ReadRange(%d,%d) = %q next %d, want %q", off, n, got, next, data[lo:hi])
		}
	})
}

// FuzzRotatingWriterFaults drives the writer through writes, injected
// ENOSPC, deletion from outside and rotation. Every byte is accounted for
// (written or counted lost), and reads agree with the files on disk.
func FuzzRotatingWriterFaults(f *testing.F) {
	f.Add([]byte{0, 10, 1, 20, 2, 5, 3, 4, 0, 7}, uint8(16), false)
	f.Add([]byte{0, 40, 4, 0, 0, 40, 1, 3, 0, 40, 2, 0, 0, 40}, uint8(8), true)
	f.Fuzz(func(t *testing.T, ops []byte, maxSize uint8, compress bool) {
		fs := &faultFS{}
		path := filepath.Join(t.TempDir(), "a.out")
		now := time.Unix(1e6, 0)
		lf, err := Open(path, Options{MaxSize: int64(maxSize), Backups: 3, Compress: compress, FS: fs, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		defer lf.Close()
		var total int64
		for i := 0; i+1 < len(ops); i += 2 {
			arg := int(ops[i+1])
			switch ops[i] % 6 {
			case 0:
				p := bytes.Repeat([]byte{'a' + byte(i%26)}, arg)
				if arg > 0 {
					p[arg-1] = '\n'
				}
				lf.Write(p)
				total += int64(arg)
			case 1:
				fs.set(syscall.ENOSPC, arg%4)
			case 2:
				fs.set(nil, 0)
			case 3:
				os.Remove(path)
				now = now.Add(time.Second)
			case 4:
				lf.Rotate()
			case 5:
				lf.Clear()
			}
		}
		now = now.Add(time.Second)
		lf.Write(nil) // the next write notices a deletion
		if lf.Size()+lf.Lost() != total {
			t.Fatalf("Size %d + Lost %d != written %d", lf.Size(), lf.Lost(), total)
		}
		want, _, err := lf.ReadRange(lf.Start(), -1)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(want)) != lf.Size()-lf.Start() {
			t.Fatalf("read %d bytes, layout says %d", len(want), lf.Size()-lf.Start())
		}
		lf.Close()
		if r := retained(t, path, 3); !bytes.Equal(r, want) {
			t.Fatalf("files on disk %q, ReadRange %q", r, want)
		}
	})
}
