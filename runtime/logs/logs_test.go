package logs

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestCapturePipeExact(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "a.out")
	lf, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 3<<20+17)
	rand.Read(data)
	// all 256 byte values and no final newline
	for i := 0; i < 256; i++ {
		data[i] = byte(i)
	}
	done := make(chan error, 1)
	go func() {
		_, lost, err := NewBuffers().Capture(pr, lf)
		if lost != 0 {
			err = errors.Join(err, errors.New("lost bytes"))
		}
		done <- err
	}()
	if _, err := pw.Write(data); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("log differs: got %d bytes, want %d", len(got), len(data))
	}
	if lf.Size() != int64(len(data)) {
		t.Fatalf("Size = %d, want %d", lf.Size(), len(data))
	}
}

type failWriter struct{ after int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.after <= 0 {
		return 0, errors.New("disk full")
	}
	n := min(len(p), w.after)
	w.after -= n
	if n < len(p) {
		return n, errors.New("disk full")
	}
	return n, nil
}

func TestCaptureCountsLostAndKeepsReading(t *testing.T) {
	r := bytes.NewReader(make([]byte, 200000))
	n, lost, err := NewBuffers().Capture(r, &failWriter{after: 1000})
	if err == nil || err.Error() != "disk full" {
		t.Fatalf("err = %v", err)
	}
	if n != 1000 || lost != 199000 {
		t.Fatalf("n=%d lost=%d", n, lost)
	}
}

func TestReadRangeTailSemantics(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.log")
	lf, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	lf.Write([]byte("hello, world\n"))
	ch := lf.Changed()
	lf.Write([]byte("\xff\xfe tail\n"))
	select {
	case <-ch:
	default:
		t.Fatal("Changed not closed by a write")
	}
	cases := []struct {
		off, max int64
		want     string
		next     int64
	}{
		{-6, -1, " tail\n", 21},
		{-100, -1, "hello, world\n\xff\xfe tail\n", 21},
		{0, 5, "hello", 5},
		{14, 1, "\xfe", 15},
		{21, -1, "", 21},
		{99, -1, "", 21},
	}
	for _, c := range cases {
		got, next, err := lf.ReadRange(c.off, c.max)
		if err != nil || string(got) != c.want || next != c.next {
			t.Errorf("ReadRange(%d,%d) = %q,%d,%v; want %q,%d", c.off, c.max, got, next, err, c.want, c.next)
		}
	}
}

func TestOpenContinuesExisting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.log")
	os.WriteFile(path, []byte("abc"), 0o644)
	lf, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lf.Write([]byte("def"))
	lf.Close()
	if _, err := lf.Write([]byte("x")); err == nil || lf.Lost() != 1 {
		t.Fatalf("write after close: %v lost=%d", err, lf.Lost())
	}
	b, _ := os.ReadFile(path)
	if string(b) != "abcdef" || lf.Size() != 6 {
		t.Fatalf("got %q size %d", b, lf.Size())
	}
}

func BenchmarkCapture(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bench.log")
	lf, err := OpenFile(path)
	if err != nil {
		b.Fatal(err)
	}
	defer lf.Close()
	chunk := bytes.Repeat([]byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345678901234\n"), 655)
	b.SetBytes(int64(len(chunk)))
	pr, pw, _ := os.Pipe()
	done := make(chan struct{})
	go func() { NewBuffers().Capture(pr, lf); close(done) }()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pw.Write(chunk)
	}
	pw.Close()
	<-done
}
