package logs

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLazyCreatesAtFirstWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.out")
	lf, err := Open(path, Options{Lazy: true, MaxSize: 100, Backups: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("live file exists before any write: %v", err)
	}
	if b, next, err := lf.ReadRange(0, -1); err != nil || len(b) != 0 || next != 0 {
		t.Fatalf("ReadRange of an unwritten lazy file = %q, %d, %v", b, next, err)
	}
	if err := lf.Clear(); err != nil {
		t.Fatalf("Clear of an unwritten lazy file: %v", err)
	}
	if _, err := lf.Write([]byte("hello\n")); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "hello\n" {
		t.Fatalf("after the first write: %q, %v", got, err)
	}
}

func TestLazyFindsBackupsWithoutLiveFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.out")
	if err := os.WriteFile(path+".1", []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lf, err := Open(path, Options{Lazy: true, MaxSize: 100, Backups: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	if lf.Size() != 4 {
		t.Fatalf("Size = %d, want the 4 bytes of a.out.1", lf.Size())
	}
	lf.Write([]byte("new\n"))
	b, _, err := lf.ReadRange(0, -1)
	if err != nil || string(b) != "old\nnew\n" {
		t.Fatalf("ReadRange = %q, %v", b, err)
	}
}

func TestLazyUnwritableDirFailsAtOpen(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes anywhere")
	}
	dir := filepath.Join(t.TempDir(), "ro")
	os.Mkdir(dir, 0o555)
	if _, err := Open(filepath.Join(dir, "a.out"), Options{Lazy: true}); err == nil {
		t.Fatal("Open in a read-only directory succeeded")
	}
}
