package logs

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// faultFS is OSFS with injectable write failures.
type faultFS struct {
	OSFS
	mu   sync.Mutex
	fail error // returned by writes while set
	// failN, when > 0, fails only that many more writes.
	failN int
}

func (fs *faultFS) set(err error, n int) {
	fs.mu.Lock()
	fs.fail, fs.failN = err, n
	fs.mu.Unlock()
}

func (fs *faultFS) OpenAppend(path string) (WFile, error) {
	f, err := fs.OSFS.OpenAppend(path)
	if err != nil {
		return nil, err
	}
	return &faultFile{WFile: f, fs: fs}, nil
}

type faultFile struct {
	WFile
	fs *faultFS
}

func (f *faultFile) Write(p []byte) (int, error) {
	f.fs.mu.Lock()
	err := f.fs.fail
	if err != nil && f.fs.failN > 0 {
		f.fs.failN--
		if f.fs.failN == 0 {
			f.fs.fail = nil
		}
	}
	f.fs.mu.Unlock()
	if err != nil {
		return 0, err
	}
	return f.WFile.Write(p)
}

// retained concatenates the retained files oldest first, decompressing.
func retained(t testing.TB, path string, backups int) []byte {
	t.Helper()
	var out []byte
	for i := backups; i >= 1; i-- {
		name := fmt.Sprintf("%s.%d", path, i)
		if b, err := os.ReadFile(name); err == nil {
			out = append(out, b...)
			continue
		}
		f, err := os.Open(name + ".gz")
		if err != nil {
			continue
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b...)
	}
	b, _ := os.ReadFile(path)
	return append(out, b...)
}

func lines(n int) []byte {
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "line %04d\n", i)
	}
	return b.Bytes()
}

// R6: the retained files concatenate to exactly the bytes written minus
// evicted whole files; tail reads exactly across the boundary.
func TestRotationInvariant(t *testing.T) {
	for _, compress := range []bool{false, true} {
		t.Run(fmt.Sprint("compress=", compress), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "a.out")
			lf, err := Open(path, Options{MaxSize: 100, Backups: 3, Compress: compress})
			if err != nil {
				t.Fatal(err)
			}
			data := lines(100) // 1000 bytes, 10-byte lines
			for i := 0; i < len(data); i += 7 {
				lf.Write(data[i:min(i+7, len(data))])
			}
			got, next, err := lf.ReadRange(-250, -1)
			if err != nil || next != 1000 || !bytes.Equal(got, data[750:]) {
				t.Fatalf("tail -250 = %q next %d err %v", got, next, err)
			}
			start := lf.Start()
			if start != 600 {
				t.Fatalf("Start = %d, want 600 (6 whole files evicted)", start)
			}
			got, next, _ = lf.ReadRange(0, 15)
			if string(got) != string(data[600:615]) || next != 615 {
				t.Fatalf("read at evicted offset = %q next %d", got, next)
			}
			lf.Close() // waits for compression
			if r := retained(t, path, 3); !bytes.Equal(r, data[600:]) {
				t.Fatalf("retained = %q", r)
			}
			for i := 1; i <= 3; i++ {
				name := fmt.Sprintf("%s.%d", path, i)
				if compress {
					name += ".gz"
				}
				if _, err := os.Stat(name); err != nil {
					t.Errorf("backup: %v", err)
				}
			}
		})
	}
}

func TestRotateCutsOnLinesAndLongLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.out")
	lf, _ := Open(path, Options{MaxSize: 8, Backups: 10})
	lf.Write([]byte("abc\ndefg\nhijklmnopqrstu"))
	lf.Close()
	want := []string{"abc\n", "defg\n", "hijklmno", "pqrstu"}
	for i, w := range want {
		name := fmt.Sprintf("%s.%d", path, len(want)-1-i)
		if i == len(want)-1 {
			name = path
		}
		if b, _ := os.ReadFile(name); string(b) != w {
			t.Errorf("%s = %q, want %q", name, b, w)
		}
	}
}

func TestRotateCommandClearAndReopen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.out")
	lf, _ := Open(path, Options{Backups: 2})
	defer lf.Close()
	lf.Write([]byte("one\n"))
	if err := lf.Rotate(); err != nil {
		t.Fatal(err)
	}
	if err := lf.Rotate(); err != nil { // empty live file: nothing to do
		t.Fatal(err)
	}
	lf.Write([]byte("two\n"))
	if b, _ := os.ReadFile(path + ".1"); string(b) != "one\n" {
		t.Fatalf("a.out.1 = %q", b)
	}
	if got, _, _ := lf.ReadRange(-6, -1); string(got) != "e\ntwo\n" {
		t.Fatalf("tail = %q", got)
	}
	// external logrotate: move the file away, then SIGUSR2 -> Reopen
	os.Rename(path, path+".ext")
	if err := lf.Reopen(); err != nil {
		t.Fatal(err)
	}
	lf.Write([]byte("three\n"))
	if b, _ := os.ReadFile(path); string(b) != "three\n" {
		t.Fatalf("after reopen a.out = %q", b)
	}
	if lf.Size() != 14 {
		t.Fatalf("Size = %d, want 14: offsets never go back", lf.Size())
	}
	if err := lf.Clear(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".1"); !os.IsNotExist(err) {
		t.Fatalf("backup survived clear: %v", err)
	}
	lf.Write([]byte("four\n"))
	got, next, _ := lf.ReadRange(0, -1)
	if string(got) != "four\n" || next != 19 {
		t.Fatalf("after clear = %q next %d", got, next)
	}
}

func TestTimeRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.out")
	now := time.Date(2024, 5, 1, 10, 59, 0, 0, time.Local)
	lf, _ := Open(path, Options{Rotate: Hourly, Backups: 5, Now: func() time.Time { return now }})
	defer lf.Close()
	lf.Write([]byte("before\n"))
	now = now.Add(2 * time.Minute)
	lf.Write([]byte("after\n"))
	if b, _ := os.ReadFile(path + ".1"); string(b) != "before\n" {
		t.Fatalf("a.out.1 = %q", b)
	}
	if b, _ := os.ReadFile(path); string(b) != "after\n" {
		t.Fatalf("a.out = %q", b)
	}
	if got := boundary(Daily, now); !got.Equal(time.Date(2024, 5, 2, 0, 0, 0, 0, time.Local)) {
		t.Fatalf("daily boundary = %v", got)
	}
}

// R7 with on_full = "drop": exact count, one report, automatic resume.
func TestDiskFullDrop(t *testing.T) {
	fs := &faultFS{}
	var events []Event
	path := filepath.Join(t.TempDir(), "a.out")
	lf, _ := Open(path, Options{FS: fs, Report: func(e Event) { events = append(events, e) }})
	defer lf.Close()
	lf.Write([]byte("ok\n"))
	fs.set(syscall.ENOSPC, 0)
	lf.Write([]byte("lost 1\n"))
	lf.Write([]byte("lost 2\n"))
	fs.set(nil, 0)
	lf.Write([]byte("back\n"))
	if b, _ := os.ReadFile(path); string(b) != "ok\nback\n" {
		t.Fatalf("file = %q", b)
	}
	if lf.Lost() != 14 {
		t.Fatalf("Lost = %d, want 14", lf.Lost())
	}
	if len(events) != 2 || events[0].Kind != EventFull || events[1].Kind != EventResumed || events[1].Lost != 14 {
		t.Fatalf("events = %v", events)
	}
	if s := events[0].String(); s != "log_full "+path+": log "+path+": no space left on device" {
		t.Fatalf("event text = %q", s)
	}
}

// R7 with on_full = "block": nothing lost, the writer waits and resumes.
func TestDiskFullBlock(t *testing.T) {
	fs := &faultFS{}
	var events []string
	path := filepath.Join(t.TempDir(), "a.out")
	lf, _ := Open(path, Options{FS: fs, OnFull: Block, RetryMin: time.Millisecond, Report: func(e Event) { events = append(events, e.Kind) }})
	defer lf.Close()
	fs.set(syscall.EIO, 5)
	lf.Write([]byte("kept\n"))
	if b, _ := os.ReadFile(path); string(b) != "kept\n" || lf.Lost() != 0 {
		t.Fatalf("file = %q lost %d", b, lf.Lost())
	}
	if fmt.Sprint(events) != "[log_full log_resumed]" {
		t.Fatalf("events = %v", events)
	}
}

func TestBlockEndsAtClose(t *testing.T) {
	fs := &faultFS{}
	lf, _ := Open(filepath.Join(t.TempDir(), "a.out"), Options{FS: fs, OnFull: Block, RetryMin: time.Millisecond})
	fs.set(syscall.ENOSPC, 0)
	done := make(chan struct{})
	go func() { lf.Write([]byte("never\n")); close(done) }()
	lf.Close()
	<-done
	if lf.Lost() != 6 {
		t.Fatalf("Lost = %d, want 6", lf.Lost())
	}
}

// R8: a log deleted from outside is reopened at the next write after
// CheckEvery (no polling while idle).
func TestDeletedFromOutside(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.out")
	now := time.Unix(1000, 0)
	var events []string
	lf, _ := Open(path, Options{Now: func() time.Time { return now }, Report: func(e Event) { events = append(events, e.Kind) }})
	defer lf.Close()
	lf.Write([]byte("one\n"))
	os.Remove(path)
	now = now.Add(time.Second)
	lf.Write([]byte("two\n"))
	if b, _ := os.ReadFile(path); string(b) != "two\n" {
		t.Fatalf("file = %q", b)
	}
	if fmt.Sprint(events) != "[log_reopened]" || lf.Size() != 8 || lf.Start() != 4 {
		t.Fatalf("events %v size %d start %d", events, lf.Size(), lf.Start())
	}
}

func TestRingLines(t *testing.T) {
	lf, _ := Open(filepath.Join(t.TempDir(), "a.out"), Options{})
	defer lf.Close()
	if lf.Lines(10, 0) != nil {
		t.Fatal("ring allocated before any write")
	}
	lf.Write([]byte("a\nb"))
	lf.Write([]byte("c\n\xff\n"))
	got := lf.Lines(-1, 0)
	var s []string
	for _, l := range got {
		s = append(s, fmt.Sprintf("%d:%q:%v", l.Seq, l.Text, l.Partial))
	}
	if fmt.Sprint(s) != `[1:"a":false 2:"bc":false 3:"\xff":false]` {
		t.Fatalf("lines = %v", s)
	}
	if got := lf.Lines(1, 0); len(got) != 1 || string(got[0].Text) != "\xff" {
		t.Fatalf("last 1 = %v", got)
	}
	if got := lf.Lines(-1, 2); len(got) != 1 || got[0].Seq != 3 {
		t.Fatalf("after 2 = %v", got)
	}
	// a lot more than the ring holds: only the newest survive, bounded
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(lf, "x %d\n", i)
	}
	got = lf.Lines(2, 0)
	if len(got) != 2 || string(got[1].Text) != "x 9999" || string(got[0].Text) != "x 9998" {
		t.Fatalf("tail of ring = %v", got)
	}
	if n := len(lf.Lines(-1, 0)); n > ringMaxMarks {
		t.Fatalf("ring holds %d lines", n)
	}
}

// BenchmarkWriteRotating is the log write path with rotation on and the
// line ring fed: 64 KiB writes of 100-byte lines.
func BenchmarkWriteRotating(b *testing.B) {
	lf, err := Open(filepath.Join(b.TempDir(), "a.out"), Options{MaxSize: 50 << 20, Backups: 2})
	if err != nil {
		b.Fatal(err)
	}
	defer lf.Close()
	chunk := bytes.Repeat([]byte(strings.Repeat("x", 99)+"\n"), 655)
	b.SetBytes(int64(len(chunk)))
	for i := 0; i < b.N; i++ {
		lf.Write(chunk)
	}
}
